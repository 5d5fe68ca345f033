package githubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-github/v60/github"
)

// Event is what the approval gate reads from a GitHub Actions event payload (GITHUB_EVENT_PATH,
// named by GITHUB_EVENT_NAME).
type Event struct {
	// Name is the event name: pull_request_target, pull_request, workflow_run, merge_group…
	Name   string
	Action string
	// Sender is the login of who triggered the event: on a pull request's synchronize it is who
	// pushed the new head.
	Sender string
	// PR is the pull request number (pull_request events; merge_group: from its head ref).
	PR int
	// HeadSHA is the pull request's head (pull_request events), the merge group's merge commit
	// (merge_group) or the triggering run's head (workflow_run).
	HeadSHA string
	// BaseSHA is the base commit the merge group's commit was built on (merge_group only).
	BaseSHA string
	// BaseRef is the branch the pull request or merge group merges into.
	BaseRef string
	// RunPRs are the pull requests a workflow_run names (empty for pull requests from forks).
	RunPRs []int
}

// mergeQueueRef is the head ref of a merge group: gh-readonly-queue/<base>/pr-<N>-<sha>.
var mergeQueueRef = regexp.MustCompile(`^(?:refs/heads/)?gh-readonly-queue/(.+)/pr-([0-9]+)-([0-9a-f]{40})$`)

// MergeQueuePR reads the pull request number and the base branch from a merge group's head ref.
func MergeQueuePR(headRef string) (pr int, base string, ok bool) {
	m := mergeQueueRef.FindStringSubmatch(headRef)
	if m == nil {
		return 0, "", false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n <= 0 {
		return 0, "", false
	}
	return n, m[1], true
}

// MaxEventSize is the largest event payload ReadEvent reads: GitHub caps a webhook payload at
// 25 MB, so a larger file is not an event and is refused before it is held in memory.
const MaxEventSize = 32 << 20

// ReadEvent reads the event payload at path, of the event called name.
func ReadEvent(name, path string) (Event, error) {
	if path == "" {
		return Event{}, errors.New("GITHUB_EVENT_PATH is not set")
	}
	f, err := os.Open(path)
	if err != nil {
		return Event{}, fmt.Errorf("read the event payload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxEventSize+1))
	if err != nil {
		return Event{}, fmt.Errorf("read the event payload: %w", err)
	}
	if len(data) > MaxEventSize {
		return Event{}, fmt.Errorf("the event payload %s is larger than %d bytes, more than GitHub ever sends", path, MaxEventSize)
	}
	var p struct {
		Action string `json:"action"`
		Number int    `json:"number"`
		Sender struct {
			Login string `json:"login"`
		} `json:"sender"`
		PullRequest struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
			Base struct {
				Ref string `json:"ref"`
			} `json:"base"`
		} `json:"pull_request"`
		MergeGroup struct {
			HeadSHA string `json:"head_sha"`
			HeadRef string `json:"head_ref"`
			BaseSHA string `json:"base_sha"`
			BaseRef string `json:"base_ref"`
		} `json:"merge_group"`
		WorkflowRun struct {
			HeadSHA      string `json:"head_sha"`
			PullRequests []struct {
				Number int `json:"number"`
			} `json:"pull_requests"`
		} `json:"workflow_run"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return Event{}, fmt.Errorf("read the event payload %s: %w", path, err)
	}
	ev := Event{Name: name, Action: p.Action, Sender: p.Sender.Login}
	switch {
	case name == "merge_group" || p.MergeGroup.HeadSHA != "":
		ev.Name = "merge_group"
		n, base, ok := MergeQueuePR(p.MergeGroup.HeadRef)
		if !ok {
			return Event{}, fmt.Errorf("the merge group's head ref %q is not gh-readonly-queue/<base>/pr-<N>-<sha>", p.MergeGroup.HeadRef)
		}
		ev.PR, ev.HeadSHA, ev.BaseSHA = n, p.MergeGroup.HeadSHA, p.MergeGroup.BaseSHA
		ev.BaseRef = strings.TrimPrefix(p.MergeGroup.BaseRef, "refs/heads/")
		if ev.BaseRef == "" {
			ev.BaseRef = base
		}
	case name == "workflow_run" || p.WorkflowRun.HeadSHA != "":
		ev.Name = "workflow_run"
		ev.HeadSHA = p.WorkflowRun.HeadSHA
		for _, pr := range p.WorkflowRun.PullRequests {
			ev.RunPRs = append(ev.RunPRs, pr.Number)
		}
	default:
		ev.PR = p.PullRequest.Number
		if ev.PR == 0 {
			ev.PR = p.Number
		}
		ev.HeadSHA, ev.BaseRef = p.PullRequest.Head.SHA, p.PullRequest.Base.Ref
	}
	return ev, nil
}

// Pusher is who pushed the pull request's head when the event says so: the sender of a pull
// request's synchronize event whose head is headSHA; "" otherwise (the sender of opened is who
// opened it, and a review, a workflow_run or a merge group do not say who pushed).
func (ev Event) Pusher(headSHA string) string {
	if ev.Action == "synchronize" && ev.HeadSHA != "" && strings.EqualFold(ev.HeadSHA, headSHA) {
		return ev.Sender
	}
	return ""
}

// OpenPullsWithHead lists the open pull requests of the repository whose head commit is sha:
// every one of them is judged by the one commit status on sha. They are found in the list of all
// open pull requests (GET /repos/{owner}/{repo}/pulls?state=open, every page), because the
// pull requests of a commit (GET …/commits/{sha}/pulls) leave out those from forks, and a fork
// can open two pull requests with one head from two branches.
func (c *Client) OpenPullsWithHead(ctx context.Context, sha string) ([]PullRequest, error) {
	op := "list open pull requests"
	prs, err := paginate(ctx, c, op, func(opts github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.List(ctx, c.owner, c.repo, &github.PullRequestListOptions{State: "open", ListOptions: opts})
	})
	if err != nil {
		return nil, err
	}
	var out []PullRequest
	for _, pr := range prs {
		p := pullRequest(pr)
		if p.State == "open" && strings.EqualFold(p.HeadSHA, sha) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// BranchTip is the commit at the tip of branch now (GET /repos/{owner}/{repo}/branches/{b}).
func (c *Client) BranchTip(ctx context.Context, branch string) (string, error) {
	op := fmt.Sprintf("read branch %s", branch)
	b, _, err := c.gh.Repositories.GetBranch(ctx, c.owner, c.repo, branch, 0)
	if err != nil {
		return "", c.fail(op, err)
	}
	sha := b.GetCommit().GetSHA()
	if !plumbing.IsHash(sha) { // an unexpected shape fails closed
		return "", &APIError{Op: op, msg: fmt.Sprintf("the response names no commit SHA (got %q)", sha)}
	}
	return sha, nil
}

// OnBranch reports whether commit sha is tip or one of its ancestors, by GitHub's comparison
// (GET /repos/{owner}/{repo}/compare/{sha}...{tip}: "identical" or "ahead").
func (c *Client) OnBranch(ctx context.Context, sha, tip string) (bool, error) {
	if strings.EqualFold(sha, tip) {
		return true, nil
	}
	cmp, _, err := c.gh.Repositories.CompareCommits(ctx, c.owner, c.repo, sha, tip, &github.ListOptions{PerPage: 1})
	if err != nil {
		return false, c.fail(fmt.Sprintf("compare %s with %s", sha, tip), err)
	}
	switch cmp.GetStatus() {
	case "identical", "ahead":
		return true, nil
	case "behind", "diverged":
		return false, nil
	}
	return false, &APIError{Op: fmt.Sprintf("compare %s with %s", sha, tip), msg: fmt.Sprintf("unknown comparison status %q", cmp.GetStatus())}
}

// maxPRCommits is how many commits GitHub lists of one pull request.
const maxPRCommits = 250

// NonApprovers are the logins that may not approve pull request pr, each with why: every
// GitHub user that authored or committed one of its commits (GET /pulls/{n}/commits, all pages;
// GitHub lists at most 250, and a longer pull request fails closed), and who pushed its head —
// pusher from the event when it says so (Event.Pusher), else the repository activity of the head
// branch (GET /repos/{owner}/{repo}/activity?ref=…: the push whose after is the head). When
// neither can tell who pushed the head, the result is an error: the gate cannot run.
func (c *Client) NonApprovers(ctx context.Context, pr PullRequest, pusher string) (map[string]string, error) {
	n := pr.Number
	op := fmt.Sprintf("list commits of pull request %d", n)
	commits, err := paginate(ctx, c, op, func(opts github.ListOptions) ([]*github.RepositoryCommit, *github.Response, error) {
		return c.gh.PullRequests.ListCommits(ctx, c.owner, c.repo, n, &opts)
	})
	if err != nil {
		return nil, err
	}
	if len(commits) < pr.Commits {
		return nil, &APIError{Op: op, msg: fmt.Sprintf("%d of %d commits listed (GitHub lists at most %d): who wrote them cannot be told; squash the pull request's commits", len(commits), pr.Commits, maxPRCommits), err: ErrTruncated}
	}
	out := map[string]string{}
	add := func(login, why string) {
		if login == "" {
			return
		}
		key := strings.ToLower(login)
		if _, seen := out[key]; !seen {
			out[key] = why
		}
	}
	for _, cm := range commits {
		sha := cm.GetSHA()
		if len(sha) > 12 {
			sha = sha[:12]
		}
		add(cm.GetAuthor().GetLogin(), "authored commit "+sha+" of the pull request")
		add(cm.GetCommitter().GetLogin(), "committed commit "+sha+" of the pull request")
	}
	if pusher == "" {
		pusher, err = c.headPusher(ctx, pr)
		if err != nil {
			return nil, err
		}
	}
	add(pusher, "pushed the head commit "+shortSHA(pr.HeadSHA))
	return out, nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// activity is one entry of GET /repos/{owner}/{repo}/activity.
type activity struct {
	After        string       `json:"after"`
	Ref          string       `json:"ref"`
	ActivityType string       `json:"activity_type"`
	Actor        *github.User `json:"actor"`
}

// headPusher asks the repository activity of the head branch who pushed the head commit; the
// newest 100 pushes of the branch are read.
func (c *Client) headPusher(ctx context.Context, pr PullRequest) (string, error) {
	owner, repo := c.owner, c.repo
	if o, r, ok := strings.Cut(pr.HeadRepo, "/"); ok && o != "" && r != "" {
		owner, repo = o, r
	}
	op := fmt.Sprintf("find who pushed %s to %s:%s", shortSHA(pr.HeadSHA), owner+"/"+repo, pr.HeadRef)
	q := url.Values{"ref": {"refs/heads/" + pr.HeadRef}, "per_page": {"100"}}
	req, err := c.gh.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/activity?%s", url.PathEscape(owner), url.PathEscape(repo), q.Encode()), nil)
	if err != nil {
		return "", err
	}
	var acts []activity
	if _, err := c.gh.Do(ctx, req, &acts); err != nil {
		return "", c.failHint(op, err, "the event does not say who pushed the head and the repository activity cannot be read; run the gate on the pull request's synchronize event or give the token contents:read on the head repository")
	}
	for _, a := range acts {
		if strings.EqualFold(a.After, pr.HeadSHA) && a.Actor.GetLogin() != "" {
			return a.Actor.GetLogin(), nil
		}
	}
	return "", &APIError{Op: op, msg: "no push of the head commit in the branch's recent activity; run the gate again on the pull request's next push"}
}

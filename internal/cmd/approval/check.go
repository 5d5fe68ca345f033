package approval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/policy"
)

// CheckOptions are the parsed flags of `gitsm approval check`.
type CheckOptions struct {
	Factory *command.Factory
	// Base is a commit on the pull request's base branch; "" takes it from the event.
	Base string
	// Head is the pull request's head commit (or, with MergeGroup, the merge group's commit);
	// "" takes it from the event.
	Head string
	// PR is the pull request number; 0 means the one of the GitHub Actions event.
	PR int
	// NoPublish reads GitHub but sets no status and writes no comment.
	NoPublish bool
	// MergeGroup judges Head as the merge commit a merge queue built on Base for pull request PR.
	MergeGroup bool
}

// NewCmdCheck builds `gitsm approval check`; runF replaces the run function in tests.
func NewCmdCheck(f *command.Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "check [--base REV --head SHA] [--pr N] [--merge-group]",
		Short: "The pull-request gate: are the approvals the base policy requires all given?",
		Long: `Decide whether a pull request has the approvals that .gitsm/policy.yaml requires, and report
it on GitHub: the commit status gitsm/approval on the head commit and one comment on the pull
request, edited in place on every run.

The policy, its groups, the CIs and the templates are read from the tip of the pull request's
base branch as GitHub reports it now: --base must be that tip or one of its ancestors (else exit
2), and when the branch moved on, its tip must be fetched. The change records are read from
--head, which must be the pull request's head commit as GitHub reports it (otherwise exit 2).
Fetch the head as data (git fetch origin +refs/pull/N/head): it is read from git objects, never
checked out or run. The changed files are those GitHub lists for the pull request together with
the git diff from the merge base to --head.

One commit status serves every pull request with that head: success is set only when every open
pull request whose head is --head is approved, each judged by its own base branch's policy;
failure when one is not, error when one cannot be judged. Each gets its own comment.

Only each reviewer's latest verdict counts; approvals count only for the head commit; the
author, bots, deleted users, the authors and committers of the pull request's commits and who
pushed its head never count; a required reviewer requesting changes blocks. A team the token
cannot read is an error (exit 2) naming the permission needed, never "not a member".

Events (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) fill in what flags do not give:
  pull_request_target   the pull request number, and who pushed the head (synchronize)
  workflow_run          the head of the run; every open pull request with that head is judged
  merge_group           --merge-group: the merge queue's commit (merge_group.head_sha) judged
                        against merge_group.base_sha, for the pull request its head_ref names
                        (gh-readonly-queue/<base>/pr-<N>-<sha>); reviews count for that pull
                        request's head; the status goes on the merge group's commit

GitHub is reached through GITHUB_TOKEN, GITHUB_API_URL (default https://api.github.com/) and
GITHUB_REPOSITORY (owner/name). GITSM_COMMENT_AUTHOR names the login the token comments as when
it is a GitHub App's (<app-slug>[bot]); only a comment by that login is ever edited. The token
never appears in any output.

Exit status: 0 approved, 1 not approved, 2 the check could not run (no token, an API error, a
head that is not the pull request's, a --base off the base branch, unreadable git data); on 2
the status is set to error when GitHub can still be reached.`,
		Example: `  # in a pull_request_target workflow (see the one gitsm init installs)
  git fetch origin "+refs/pull/$PR/head:refs/remotes/origin/pr-head"
  gitsm approval check --base "$BASE_SHA" --head "$HEAD_SHA" --pr "$PR"

  # re-evaluate after a review, from a workflow_run: everything comes from the event
  gitsm approval check

  # in the merge queue (merge_group event)
  gitsm approval check --merge-group --base "$MG_BASE_SHA" --head "$MG_HEAD_SHA" --pr 42

  # see the decision without touching the pull request
  GITHUB_TOKEN=… GITHUB_REPOSITORY=shop/records gitsm approval check \
      --base origin/main --head "$(git rev-parse origin/pr-head)" --pr 42 --no-publish`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MergeGroup && (opts.Base == "") != (opts.Head == "") {
				return command.UsageErrorf("--merge-group takes both --base and --head (merge_group.base_sha and head_sha), or neither to read them from the event")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunCheck(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Base, "base", "", "a commit `REV` on the pull request's base branch (default: from the event)")
	cmd.Flags().StringVar(&opts.Head, "head", "", "the pull request's head commit `SHA` (default: from the event)")
	cmd.Flags().IntVar(&opts.PR, "pr", 0, "the pull request `N` (default: the one of GITHUB_EVENT_PATH)")
	cmd.Flags().BoolVar(&opts.NoPublish, "no-publish", false, "set no commit status and write no comment: only print the decision")
	cmd.Flags().BoolVar(&opts.MergeGroup, "merge-group", false, "judge --head as a merge queue's merge commit built on --base")
	return command.OfferFormats(cmd, "text", "json", "markdown")
}

// checkJob is what one run of the gate judges.
type checkJob struct {
	base, head string
	// pr is the pull request asked about; 0 when only the head is known (workflow_run).
	pr         int
	mergeGroup bool
	ev         githubapi.Event
}

// job completes the flags from the GitHub Actions event.
func job(f *command.Factory, opts *CheckOptions) (checkJob, error) {
	j := checkJob{base: opts.Base, head: opts.Head, pr: opts.PR, mergeGroup: opts.MergeGroup}
	if j.pr < 0 {
		return j, command.UsageErrorf("--pr %d is not a pull request number", j.pr)
	}
	name, path := f.Getenv("GITHUB_EVENT_NAME"), f.Getenv("GITHUB_EVENT_PATH")
	if path != "" {
		ev, err := githubapi.ReadEvent(name, path)
		if err != nil {
			return j, command.UsageErrorf("%v; pass --base, --head and --pr", err)
		}
		j.ev = ev
		if ev.Name == "merge_group" {
			j.mergeGroup = true
		}
		if j.mergeGroup && ev.Name == "merge_group" && j.head == "" {
			j.base, j.head = ev.BaseSHA, ev.HeadSHA
		}
		if j.head == "" {
			j.head = ev.HeadSHA
		}
		if j.pr == 0 {
			j.pr = ev.PR
			if j.pr == 0 && len(ev.RunPRs) == 1 {
				j.pr = ev.RunPRs[0]
			}
		}
	}
	switch {
	case j.head == "":
		return j, command.UsageErrorf("--head SHA is required: the pull request's head commit (or run in a pull_request_target, workflow_run or merge_group event)")
	case j.mergeGroup && (j.base == "" || j.pr == 0):
		return j, command.UsageErrorf("--merge-group needs --base (merge_group.base_sha) and --pr, or a merge_group event")
	case j.pr == 0 && j.ev.Name != "workflow_run":
		msg := "no pull request number: GITHUB_EVENT_PATH is not set; pass --pr N"
		if path != "" {
			msg = "no pull request number in the event; pass --pr N"
		}
		return j, command.UsageErrorf("%s", msg)
	}
	return j, nil
}

// verdict is the outcome for one pull request with the head.
type verdict struct {
	pr  githubapi.PullRequest
	d   policy.Decision
	err error
}

// RunCheck runs `gitsm approval check`.
func RunCheck(ctx context.Context, opts *CheckOptions) (err error) {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json", "markdown")
	if err != nil {
		return err
	}
	j, err := job(f, opts)
	if err != nil {
		return err
	}
	client, _, err := github(f)
	if err != nil {
		return err
	}
	target := runURL(f.Getenv)
	// Where to report a check that could not run: the head, once known.
	statusSHA := ""
	if isFullSHA(j.head) {
		statusSHA = strings.ToLower(j.head)
	}
	defer func() {
		if err == nil || command.ExitCode(err) != 2 || opts.NoPublish || statusSHA == "" {
			return
		}
		desc := "could not check the approvals: " + oneLine(err.Error())
		if serr := client.SetStatus(ctx, statusSHA, "error", desc, target); serr != nil {
			fmt.Fprintf(f.IO.ErrOut, "gitsm: the error status could not be set either: %v\n", serr)
		}
	}()

	repo, err := openRepo(f)
	if err != nil {
		return err
	}
	headCommit, err := repo.Commit(j.head)
	if err != nil {
		return fmt.Errorf("head: %w; fetch the pull request's commits first (git fetch origin +refs/pull/N/head)", err)
	}
	head := headCommit.Hash.String()
	statusSHA = head

	numbers, err := pullsToJudge(ctx, client, j, head)
	if err != nil {
		return err
	}
	if len(numbers) == 0 {
		if !f.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "pull request #%d is closed and no open pull request has the head %s: nothing to judge\n", j.pr, head[:12])
		}
		return nil
	}
	verdicts := make([]verdict, 0, len(numbers))
	for _, n := range numbers {
		v := judge(ctx, client, repo, j, n, headCommit)
		verdicts = append(verdicts, v)
	}
	primary := verdicts[0]
	if primary.err == nil {
		if err := writeDecision(f.IO.Out, format, primary.d); err != nil {
			return err
		}
	}
	state, desc := "success", "approved"
	var firstErr error
	for _, v := range verdicts {
		switch {
		case v.err != nil:
			if firstErr == nil {
				firstErr = fmt.Errorf("pull request #%d: %w", v.pr.Number, v.err)
			}
		case !v.d.Approved && state == "success":
			state, desc = "failure", githubapi.Summary(v.d)
			if len(verdicts) > 1 {
				desc = fmt.Sprintf("#%d %s", v.pr.Number, desc)
			}
		}
		if v.err == nil && v.pr.Number != primary.pr.Number && !f.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "pull request #%d has the same head (into %s): %s\n", v.pr.Number, v.pr.BaseRef, githubapi.Summary(v.d))
		}
	}
	if firstErr != nil {
		return firstErr // the deferred error status covers the head
	}
	if !opts.NoPublish {
		if err := client.SetStatus(ctx, head, state, desc, target); err != nil {
			return fmt.Errorf("publish the result: %w", err)
		}
		for _, v := range verdicts {
			if err := client.UpsertComment(ctx, v.pr.Number, githubapi.CommentMarker, githubapi.CommentMarker+"\n"+v.d.Markdown()); err != nil {
				return fmt.Errorf("publish the result: %w", err)
			}
		}
		if !f.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "%s: %s on %s; the comment on pull request %s up to date\n", githubapi.StatusContext, state, head[:12], prList(verdicts))
		}
	}
	if state != "success" {
		return command.ErrCheckFailed
	}
	return nil
}

// pullsToJudge are the pull requests the status on head speaks for, the one asked about first:
// under a merge queue only that one (the merge group's commit is nobody's head); otherwise every
// open pull request whose head is head, since they all share its one status. A closed pull
// request asked about is left out (its closing may free the others), and when no pull request is
// left there is nothing to judge.
func pullsToJudge(ctx context.Context, client *githubapi.Client, j checkJob, head string) ([]int, error) {
	if j.mergeGroup {
		return []int{j.pr}, nil
	}
	open, err := client.OpenPullsWithHead(ctx, head)
	if err != nil {
		return nil, err
	}
	var out []int
	if j.pr > 0 {
		asked := slices.ContainsFunc(open, func(pr githubapi.PullRequest) bool { return pr.Number == j.pr })
		if !asked {
			pr, err := client.PullRequest(ctx, j.pr)
			if err != nil {
				return nil, err
			}
			// An open pull request whose head moved is judged, to be refused as such.
			asked = pr.State == "open"
		}
		if asked {
			out = append(out, j.pr)
		}
	}
	for _, pr := range open {
		if pr.Number != j.pr {
			out = append(out, pr.Number)
		}
	}
	if len(out) == 0 && j.pr == 0 {
		return nil, fmt.Errorf("no open pull request has the head %s; pass --pr N", head[:12])
	}
	return out, nil
}

// judge decides one pull request whose head is headCommit (or, in a merge group, whose merge
// commit it is).
func judge(ctx context.Context, client *githubapi.Client, repo *gitrepo.Repo, j checkJob, n int, headCommit *object.Commit) verdict {
	v := verdict{pr: githubapi.PullRequest{Number: n}}
	prHead := headCommit.Hash.String()
	if j.mergeGroup {
		pr, err := client.PullRequest(ctx, n)
		if err != nil {
			v.err = err
			return v
		}
		prHead = pr.HeadSHA
	}
	snap, err := client.Snapshot(ctx, n, prHead)
	var hm *githubapi.HeadMismatchError
	if errors.As(err, &hm) {
		v.err = fmt.Errorf("%w: approvals are judged on the pull request's head only; pass its head SHA (${{ github.event.pull_request.head.sha }}, not github.sha) and fetch it", err)
		return v
	}
	if err != nil {
		v.err = err
		return v
	}
	v.pr = snap.PR
	revs, err := baseOf(ctx, client, repo, j, snap.PR, headCommit)
	if err != nil {
		v.err = err
		return v
	}
	pusher := ""
	if j.ev.PR == n {
		pusher = j.ev.Pusher(snap.PR.HeadSHA)
	}
	nonApprovers, err := client.NonApprovers(ctx, snap.PR, pusher)
	if err != nil {
		v.err = err
		return v
	}
	g, err := gather(ctx, repo, revs, snap.Files)
	if err != nil {
		v.err = err
		return v
	}
	lookup := &lookupErrors{lookup: client.TeamLookup(ctx)}
	v.d = decide(g, policy.Input{
		Reviews: snap.Reviews, Author: snap.PR.Author, HeadSHA: snap.PR.HeadSHA,
		IsTeamMember: lookup.Lookup, NonApprovers: nonApprovers,
	})
	v.err = lookup.first()
	return v
}

// baseOf are the revisions a pull request is judged on. In a merge group: the queue's commit
// against the commit it was built on. Otherwise: the head against the tip of the pull request's
// base branch as GitHub reports it now; the --base given must be that tip or an ancestor of it
// (a --base from another branch would judge the pull request by another policy).
func baseOf(ctx context.Context, client *githubapi.Client, repo *gitrepo.Repo, j checkJob, pr githubapi.PullRequest, headCommit *object.Commit) (*revisions, error) {
	if j.mergeGroup {
		return resolveMergeGroup(repo, j.base, headCommit.Hash.String())
	}
	tip, err := client.BranchTip(ctx, pr.BaseRef)
	if err != nil {
		return nil, err
	}
	if j.base != "" && j.pr == pr.Number {
		given, err := repo.Commit(j.base)
		if err != nil {
			return nil, fmt.Errorf("base: %w; fetch it first (git fetch origin)", err)
		}
		on, err := client.OnBranch(ctx, given.Hash.String(), tip)
		if err != nil {
			return nil, err
		}
		if !on {
			return nil, command.UsageErrorf("--base %s (%s) is not on branch %s, the base of pull request #%d (tip %s): the policy must come from the branch the pull request merges into", j.base, short(given.Hash), pr.BaseRef, pr.Number, tip[:12])
		}
	}
	revs, err := resolve(repo, tip, headCommit.Hash.String())
	if err != nil {
		return nil, fmt.Errorf("the tip %s of %s, the base branch of pull request #%d, is judged against: %w; fetch it (git fetch origin %s)", tip[:12], pr.BaseRef, pr.Number, err, pr.BaseRef)
	}
	return revs, nil
}

// lookupErrors keeps the first error of a team lookup: the evaluation fails closed on it, and
// the run must say it could not answer (exit 2) rather than report a plain "not approved".
type lookupErrors struct {
	lookup policy.TeamLookup
	mu     sync.Mutex
	err    error
}

func (l *lookupErrors) Lookup(team, login string) (bool, error) {
	ok, err := l.lookup(team, login)
	if err != nil {
		l.mu.Lock()
		if l.err == nil {
			l.err = err
		}
		l.mu.Unlock()
	}
	return ok, err
}

func (l *lookupErrors) first() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

func prList(vs []verdict) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("#%d", v.pr.Number))
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + " are"
	}
	return parts[0] + " is"
}

func isFullSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

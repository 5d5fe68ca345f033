// Package githubapi is gitsm's adapter over the GitHub REST API (go-github v60): it reads a pull
// request, its reviews, changed files and commits, the open pull requests of a head, the tip of
// a branch, team memberships and the repository settings the gate depends on, and publishes the
// approval result as the commit status gitsm/approval and one pull-request comment, written and
// edited only by the token's own identity.
//
// Every list is read to its last page; anything incomplete or failing is an error, so that the
// approval gate fails closed. Rate limits are waited out as GitHub documents them, up to a
// stated total, outside each request's timeout. The token never appears in an error.
package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/gitsm/gitsm/internal/policy"
)

const (
	// DefaultAPIURL is the GitHub REST API root used when GITHUB_API_URL is not set.
	DefaultAPIURL = "https://api.github.com/"
	// StatusContext names the commit status the approval gate sets.
	StatusContext = "gitsm/approval"
	// CommentMarker is the hidden marker that identifies the approval comment of a pull request.
	CommentMarker = "<!-- gitsm:approval -->"
	// perPage is GitHub's largest page size.
	perPage = 100
	// maxPages bounds every listing (100,000 items) so a misbehaving server cannot loop us.
	maxPages = 1000
	// maxCommentLen is GitHub's limit on a comment body, in characters.
	maxCommentLen = 65536
	// maxDescriptionLen is GitHub's limit on a commit status description, in characters.
	maxDescriptionLen = 140
	// DefaultMaxTotalWait is how long a client waits for rate limits in all, by default.
	DefaultMaxTotalWait = 5 * time.Minute
	// ActionsBot is the login that GITHUB_TOKEN acts as in GitHub Actions.
	ActionsBot = "github-actions[bot]"
)

// ErrTruncated reports a listing that GitHub returned incomplete (the pull-request files
// listing stops at 3,000 files) or whose pagination was inconsistent.
var ErrTruncated = errors.New("listing is incomplete")

// Config says how to reach GitHub.
type Config struct {
	// Token is sent as a bearer token; it never appears in errors.
	Token string
	// APIURL is the REST API root: https://api.github.com/ or https://HOST/api/v3/ for GitHub
	// Enterprise Server. It is used as given (a trailing slash is added).
	APIURL string
	// Repository is "owner/name".
	Repository string
	// HTTPClient is the client to use; nil means a new one. Its Timeout (default 30 s) bounds
	// each attempt of a request, not the waits between attempts.
	HTTPClient *http.Client
	// MaxRetries bounds the retries of a rate-limited or unavailable request (default 4).
	MaxRetries int
	// MaxTotalWait is how long the client may wait for rate limits and unavailable servers,
	// summed over all its requests (default 5 minutes). A wait that does not fit in what is
	// left fails the call at once: the gate fails closed rather than stall the pipeline.
	MaxTotalWait time.Duration
	// CommentAuthor is the login whose approval comment may be edited (GITSM_COMMENT_AUTHOR);
	// empty means the token's own identity (GET /user), or github-actions[bot] for a token that
	// cannot read it (an installation token such as GITHUB_TOKEN).
	CommentAuthor string
	// Sleep waits between retries; tests replace it. Default: a timer honouring the context.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used to read X-RateLimit-Reset; default time.Now.
	Now func() time.Time
}

// ConfigFromEnv reads GITHUB_TOKEN, GITHUB_API_URL and GITHUB_REPOSITORY through getenv.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Token:      getenv("GITHUB_TOKEN"),
		APIURL:     getenv("GITHUB_API_URL"),
		Repository: getenv("GITHUB_REPOSITORY"),
		// A GitHub App's installation token comments as "<app-slug>[bot]" and cannot ask
		// GET /user who it is: such a setup names its bot here.
		CommentAuthor: getenv("GITSM_COMMENT_AUTHOR"),
	}
	if cfg.Token == "" {
		return Config{}, errors.New("GITHUB_TOKEN is not set")
	}
	if cfg.Repository == "" {
		return Config{}, errors.New("GITHUB_REPOSITORY is not set (owner/name)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	return cfg, nil
}

// Client talks to one repository's pull requests.
type Client struct {
	gh            *github.Client
	owner, repo   string
	token         string
	commentAuthor string

	mu    sync.Mutex
	teams map[string]error // team "org/slug" → nil when readable
	self  string           // the login comments are written as, once known
}

// New builds a client from cfg.
func New(cfg Config) (*Client, error) {
	owner, repo, ok := strings.Cut(cfg.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("repository %q is not owner/name", cfg.Repository)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	base, err := url.Parse(cfg.APIURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("GitHub API URL %q is not an http(s) URL", cfg.APIURL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 4
	}
	if cfg.MaxTotalWait <= 0 {
		cfg.MaxTotalWait = DefaultMaxTotalWait
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	// The client's timeout would cover the waits between retries too: it moves to each attempt.
	hc.Transport = &transport{
		base: rt, token: cfg.Token, attemptTimeout: hc.Timeout, maxRetries: cfg.MaxRetries,
		budget: cfg.MaxTotalWait, sleep: cfg.Sleep, now: cfg.Now,
	}
	hc.Timeout = 0
	gh := github.NewClient(hc)
	if cfg.Token != "" {
		gh = gh.WithAuthToken(cfg.Token)
	}
	// The API root is used as given: GITHUB_API_URL already ends in /api/v3 on GitHub
	// Enterprise Server, and WithEnterpriseURLs would add it again to a plain host.
	gh.BaseURL = base
	return &Client{gh: gh, owner: owner, repo: repo, token: cfg.Token, commentAuthor: cfg.CommentAuthor}, nil
}

// APIError is a failed GitHub call. Its message never contains the token.
type APIError struct {
	// Op says what was attempted ("list reviews of pull request 7").
	Op string
	// StatusCode is the HTTP status, or 0 when no response came.
	StatusCode int
	// RateLimited is true when GitHub's rate limit stopped the call.
	RateLimited bool
	msg         string
	err         error
}

func (e *APIError) Error() string { return e.Op + ": " + e.msg }

// Unwrap returns the go-github error.
func (e *APIError) Unwrap() error { return e.err }

func (c *Client) fail(op string, err error) error {
	e := &APIError{Op: op, msg: c.redact(err.Error()), err: err}
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		e.RateLimited = true
		e.StatusCode = statusOf(rl.Response)
	case errors.As(err, &ab):
		e.RateLimited = true
		e.StatusCode = statusOf(ab.Response)
	case errors.As(err, &er):
		e.StatusCode = statusOf(er.Response)
		e.RateLimited = e.StatusCode == http.StatusTooManyRequests
	}
	return e
}

func statusOf(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

func (c *Client) redact(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, redacted)
}

// PullRequest is what the approval gate needs to know about a pull request.
type PullRequest struct {
	Number  int
	HeadSHA string
	HeadRef string
	// HeadRepo is the "owner/name" the head branch lives in (a fork's, for a fork's PR).
	HeadRepo string
	BaseRef  string
	BaseSHA  string
	// Author is the login of the pull request's author.
	Author       string
	AuthorType   string
	State        string
	ChangedFiles int
	// Commits is the number of commits GitHub counts in the pull request.
	Commits int
	Merged  bool
	// MergedAt is when it was merged (zero when not merged).
	MergedAt time.Time
	// MergeCommitSHA is the merge commit once merged.
	MergeCommitSHA string
	HTMLURL        string
}

// PullRequest reads pull request n.
func (c *Client) PullRequest(ctx context.Context, n int) (PullRequest, error) {
	op := fmt.Sprintf("get pull request %d", n)
	pr, _, err := c.gh.PullRequests.Get(ctx, c.owner, c.repo, n)
	if err != nil {
		return PullRequest{}, c.fail(op, err)
	}
	out := pullRequest(pr)
	if out.HeadSHA == "" || out.Author == "" {
		return PullRequest{}, &APIError{Op: op, msg: "the response has no head SHA or author"}
	}
	return out, nil
}

// pullRequest keeps what the gate needs of go-github's pull request.
func pullRequest(pr *github.PullRequest) PullRequest {
	return PullRequest{
		Number:         pr.GetNumber(),
		HeadSHA:        pr.GetHead().GetSHA(),
		HeadRef:        pr.GetHead().GetRef(),
		HeadRepo:       pr.GetHead().GetRepo().GetFullName(),
		Commits:        pr.GetCommits(),
		BaseRef:        pr.GetBase().GetRef(),
		BaseSHA:        pr.GetBase().GetSHA(),
		Author:         pr.GetUser().GetLogin(),
		AuthorType:     pr.GetUser().GetType(),
		State:          pr.GetState(),
		ChangedFiles:   pr.GetChangedFiles(),
		Merged:         pr.GetMerged(),
		MergedAt:       pr.GetMergedAt().Time,
		MergeCommitSHA: pr.GetMergeCommitSHA(),
		HTMLURL:        pr.GetHTMLURL(),
	}
}

// HeadMismatchError reports that the head SHA the caller checked out is not the pull request's
// head: approvals cannot be judged against it (SPEC 7, semantic 4).
type HeadMismatchError struct {
	PR     int
	Given  string
	Actual string
}

func (e *HeadMismatchError) Error() string {
	return fmt.Sprintf("head %s is not the head of pull request %d (%s)", e.Given, e.PR, e.Actual)
}

// CheckHead returns a *HeadMismatchError unless sha is the pull request's head SHA.
func CheckHead(pr PullRequest, sha string) error {
	if sha == "" || !strings.EqualFold(pr.HeadSHA, sha) {
		return &HeadMismatchError{PR: pr.Number, Given: sha, Actual: pr.HeadSHA}
	}
	return nil
}

// paginate reads every page of a listing by following the Link header's next page. A page
// shorter than asked for is normal (servers may cap pages lower than per_page); a next page that
// does not advance, or too many pages, make the listing incomplete.
func paginate[T any](ctx context.Context, c *Client, op string, list func(opts github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	var all []T
	opts := github.ListOptions{PerPage: perPage}
	for pages := 1; ; pages++ {
		items, resp, err := list(opts)
		if err != nil {
			return nil, c.fail(op, err)
		}
		all = append(all, items...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		current := max(opts.Page, 1)
		if resp.NextPage <= current || pages >= maxPages {
			return nil, &APIError{Op: op, msg: fmt.Sprintf("page %d has %d items and links to page %d", current, len(items), resp.NextPage), err: ErrTruncated}
		}
		opts.Page = resp.NextPage
		if err := ctx.Err(); err != nil {
			return nil, c.fail(op, err)
		}
	}
}

// Reviews reads every review of pull request n, all pages.
func (c *Client) Reviews(ctx context.Context, n int) ([]policy.Review, error) {
	op := fmt.Sprintf("list reviews of pull request %d", n)
	reviews, err := paginate(ctx, c, op, func(opts github.ListOptions) ([]*github.PullRequestReview, *github.Response, error) {
		return c.gh.PullRequests.ListReviews(ctx, c.owner, c.repo, n, &opts)
	})
	if err != nil {
		return nil, err
	}
	out := make([]policy.Review, 0, len(reviews))
	for _, r := range reviews {
		u := r.GetUser()
		out = append(out, policy.Review{
			ID:          r.GetID(),
			Login:       u.GetLogin(),
			UserType:    u.GetType(),
			Deleted:     u == nil || u.GetLogin() == "" || u.GetLogin() == "ghost",
			State:       r.GetState(),
			CommitID:    r.GetCommitID(),
			SubmittedAt: r.GetSubmittedAt().Time,
		})
	}
	return out, nil
}

// Files lists every path pull request n changes: each file's name and, for a rename, its
// previous name. GitHub stops this listing at 3,000 files; when fewer files are listed than the
// pull request's changed_files, the result is ErrTruncated (fail closed).
func (c *Client) Files(ctx context.Context, n int) ([]string, error) {
	pr, err := c.PullRequest(ctx, n)
	if err != nil {
		return nil, err
	}
	return c.files(ctx, pr)
}

func (c *Client) files(ctx context.Context, pr PullRequest) ([]string, error) {
	n := pr.Number
	op := fmt.Sprintf("list files of pull request %d", n)
	files, err := paginate(ctx, c, op, func(opts github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
		return c.gh.PullRequests.ListFiles(ctx, c.owner, c.repo, n, &opts)
	})
	if err != nil {
		return nil, err
	}
	if len(files) < pr.ChangedFiles {
		return nil, &APIError{Op: op, msg: fmt.Sprintf("%d of %d changed files listed", len(files), pr.ChangedFiles), err: ErrTruncated}
	}
	var out []string
	for _, f := range files {
		out = append(out, f.GetFilename())
		if p := f.GetPreviousFilename(); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// TeamPermissionHint names what a token needs to read team memberships.
const TeamPermissionHint = "give the token the members:read organization permission (GitHub App) or the read:org scope (personal access token); the default GITHUB_TOKEN can never read teams, so use a GitHub App token or list the group's members in .gitsm/policy.yaml"

// IsTeamMember reports whether login is an active member of the team org/slug. GitHub answers
// 404 both for "not a member" and for a team the token cannot see, so the team is read first:
// when that fails (404, 403, anything) the lookup cannot answer and the result is an error that
// names the permission needed, never "not a member". Only with the team readable does a 404 on
// the membership mean no; a pending invitation is no too.
func (c *Client) IsTeamMember(ctx context.Context, org, slug, login string) (bool, error) {
	if err := c.teamReadable(ctx, org, slug); err != nil {
		return false, err
	}
	op := fmt.Sprintf("get membership of %s in team %s/%s", login, org, slug)
	m, _, err := c.gh.Teams.GetTeamMembershipBySlug(ctx, org, slug, login)
	if err != nil {
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
			return false, nil
		}
		return false, c.failHint(op, err, TeamPermissionHint)
	}
	return m.GetState() == "active", nil
}

// teamReadable reads team org/slug once per client.
func (c *Client) teamReadable(ctx context.Context, org, slug string) error {
	key := strings.ToLower(org + "/" + slug)
	c.mu.Lock()
	err, done := c.teams[key]
	c.mu.Unlock()
	if done {
		return err
	}
	if _, _, gerr := c.gh.Teams.GetTeamBySlug(ctx, org, slug); gerr != nil {
		err = c.failHint(fmt.Sprintf("read team %s/%s", org, slug), gerr, "the token cannot see the team, so its members cannot be told apart from non-members; "+TeamPermissionHint)
	}
	c.mu.Lock()
	if c.teams == nil {
		c.teams = map[string]error{}
	}
	c.teams[key] = err
	c.mu.Unlock()
	return err
}

// failHint is fail with a hint on what to do appended to the message.
func (c *Client) failHint(op string, err error, hint string) error {
	e := c.fail(op, err)
	var ae *APIError
	if errors.As(e, &ae) {
		ae.msg += "; " + hint
	}
	return e
}

// TeamLookup adapts IsTeamMember to policy.TeamLookup, for teams written "org/slug".
func (c *Client) TeamLookup(ctx context.Context) policy.TeamLookup {
	return func(team, login string) (bool, error) {
		org, slug, ok := strings.Cut(team, "/")
		if !ok {
			return false, fmt.Errorf("team %q is not org/slug", team)
		}
		return c.IsTeamMember(ctx, org, slug, login)
	}
}

// SetStatus sets the commit status gitsm/approval on sha. state is success, failure, error or
// pending; a description longer than GitHub allows is shortened.
func (c *Client) SetStatus(ctx context.Context, sha, state, description, targetURL string) error {
	switch state {
	case "success", "failure", "error", "pending":
	default:
		return fmt.Errorf("commit status state %q is not success, failure, error or pending", state)
	}
	if r := []rune(description); len(r) > maxDescriptionLen {
		description = string(r[:maxDescriptionLen-1]) + "…"
	}
	st := &github.RepoStatus{State: github.String(state), Context: github.String(StatusContext), Description: github.String(description)}
	if targetURL != "" {
		st.TargetURL = github.String(targetURL)
	}
	if _, _, err := c.gh.Repositories.CreateStatus(ctx, c.owner, c.repo, sha, st); err != nil {
		return c.fail(fmt.Sprintf("set status %s on %s", StatusContext, sha), err)
	}
	return nil
}

// Self is the login the token writes comments as: Config.CommentAuthor when set, else what
// GET /user says. An installation token (GITHUB_TOKEN, a GitHub App's) cannot read GET /user
// (403 "Resource not accessible by integration"); it is then taken to be GITHUB_TOKEN, which
// writes as github-actions[bot]. A GitHub App token names its "<app-slug>[bot]" in
// GITSM_COMMENT_AUTHOR; otherwise its comments are not recognised and a new one is written each
// run, which is safe, never wrong.
func (c *Client) Self(ctx context.Context) (string, error) {
	c.mu.Lock()
	self := c.self
	c.mu.Unlock()
	if self != "" {
		return self, nil
	}
	switch {
	case c.commentAuthor != "":
		self = c.commentAuthor
	default:
		u, _, err := c.gh.Users.Get(ctx, "")
		var er *github.ErrorResponse
		switch {
		case err == nil && u.GetLogin() != "":
			self = u.GetLogin()
		case err != nil && errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden:
			self = ActionsBot
		case err != nil:
			return "", c.fail("read the token's own user (GET /user)", err)
		default:
			return "", &APIError{Op: "read the token's own user (GET /user)", msg: "the response has no login"}
		}
	}
	c.mu.Lock()
	c.self = self
	c.mu.Unlock()
	return self, nil
}

// UpsertComment keeps one comment on pull request n: it edits the first comment that contains
// marker AND was written by the token's own identity (Self), or creates one. A comment by
// anyone else is never edited, whatever it contains. body gets the marker prepended when it
// lacks it. An unchanged comment is left alone.
func (c *Client) UpsertComment(ctx context.Context, n int, marker, body string) error {
	if marker == "" {
		return errors.New("empty comment marker")
	}
	if !strings.Contains(body, marker) {
		body = marker + "\n" + body
	}
	if r := []rune(body); len(r) > maxCommentLen {
		const cut = "\n\n… (truncated: the full result is in the job log)\n"
		body = string(r[:maxCommentLen-len([]rune(cut))]) + cut
	}
	self, err := c.Self(ctx)
	if err != nil {
		return err
	}
	op := fmt.Sprintf("list comments of pull request %d", n)
	comments, err := paginate(ctx, c, op, func(opts github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return c.gh.Issues.ListComments(ctx, c.owner, c.repo, n, &github.IssueListCommentsOptions{ListOptions: opts})
	})
	if err != nil {
		return err
	}
	for _, cm := range comments {
		if !strings.Contains(cm.GetBody(), marker) || !strings.EqualFold(cm.GetUser().GetLogin(), self) {
			continue
		}
		if cm.GetBody() == body {
			return nil
		}
		_, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.repo, cm.GetID(), &github.IssueComment{Body: github.String(body)})
		if err == nil {
			return nil
		}
		// A comment we may not edit after all is not ours: write a new one.
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound) {
			continue
		}
		return c.fail(fmt.Sprintf("edit comment %d", cm.GetID()), err)
	}
	if _, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, n, &github.IssueComment{Body: github.String(body)}); err != nil {
		return c.fail(fmt.Sprintf("comment on pull request %d", n), err)
	}
	return nil
}

// Snapshot is a consistent view of a pull request at one head commit.
type Snapshot struct {
	PR      PullRequest
	Reviews []policy.Review
	// Files are the changed paths, both names of a rename.
	Files []string
}

// Snapshot reads pull request n, its reviews and its changed files, and makes sure its head is
// headSHA before and after reading them: a *HeadMismatchError when the caller's head is not the
// pull request's, or when a push moved it meanwhile.
func (c *Client) Snapshot(ctx context.Context, n int, headSHA string) (Snapshot, error) {
	pr, err := c.PullRequest(ctx, n)
	if err != nil {
		return Snapshot{}, err
	}
	if err := CheckHead(pr, headSHA); err != nil {
		return Snapshot{}, err
	}
	reviews, err := c.Reviews(ctx, n)
	if err != nil {
		return Snapshot{}, err
	}
	files, err := c.files(ctx, pr)
	if err != nil {
		return Snapshot{}, err
	}
	again, err := c.PullRequest(ctx, n)
	if err != nil {
		return Snapshot{}, err
	}
	if err := CheckHead(again, headSHA); err != nil {
		return Snapshot{}, err
	}
	return Snapshot{PR: pr, Reviews: reviews, Files: files}, nil
}

// Summary is a one-line account of a decision, short enough for a commit status.
func Summary(d policy.Decision) string {
	if d.Approved {
		return "approved"
	}
	var failing int
	for _, r := range d.Records {
		if !r.Approved {
			failing++
		}
	}
	for _, r := range d.PathRules {
		if !r.Satisfied {
			failing++
		}
	}
	var parts []string
	switch {
	case failing == 1:
		parts = append(parts, "1 item lacks approval")
	case failing > 1:
		parts = append(parts, fmt.Sprintf("%d items lack approval", failing))
	}
	if len(d.Blockers) > 0 {
		parts = append(parts, fmt.Sprintf("changes requested by %d required reviewer%s", len(d.Blockers), plural(len(d.Blockers))))
	}
	if len(d.Errors) > 0 {
		parts = append(parts, d.Errors[0])
	}
	if len(parts) == 0 {
		return "not approved"
	}
	return "not approved: " + strings.Join(parts, "; ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

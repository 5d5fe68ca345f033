// Package githubtest is a fake GitHub REST API for tests: an httptest.Server whose handlers
// check method, path, query and token, and answer JSON shaped like GitHub's own responses
// (pull requests, reviews, files, team memberships, commit statuses, issue comments), paginated
// with Link headers the way GitHub paginates.
//
// It serves the API root at URL (as github.com does) and at URL+"/api/v3" (as GitHub Enterprise
// Server does).
package githubtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the fake API. Set its fields before the code under test calls it; read the recorded
// Statuses and Comments afterwards. Guard concurrent access with Lock/Unlock.
type Server struct {
	*httptest.Server
	t testing.TB
	sync.Mutex

	Owner, Repo string
	// Token is the token every request must carry as "Bearer TOKEN".
	Token string
	// Login is the user the token belongs to; it authors created comments and statuses.
	Login string
	// PRs by number.
	PRs map[int]*PR
	// Teams maps "org/slug" to logins and their membership state ("active" or "pending").
	Teams map[string]map[string]string
	// Statuses are the commit statuses created, in order.
	Statuses []Status
	// Comments are the issue comments by pull-request number.
	Comments map[int][]*Comment
	// Hook, when set, sees every request first; returning true means it wrote the response.
	Hook func(w http.ResponseWriter, r *http.Request) bool
	// Requests logs "METHOD path?query" of every request that reached the server.
	Requests []string
	// Branches maps a branch name to its tip commit.
	Branches map[string]string
	// Ancestors maps a commit to all its ancestors, for the compare endpoint; a commit missing
	// here has none.
	Ancestors map[string][]string
	// Activity maps "owner/repo" to its pushes, newest first (GET /repos/{o}/{r}/activity).
	Activity map[string][]Push
	// Settings are the repository's protection, rulesets and Actions settings (verify-setup).
	Settings Settings

	nextID int64
}

// PR is a pull request of the fake.
type PR struct {
	Number           int
	Title            string
	HeadSHA, HeadRef string
	BaseSHA, BaseRef string
	Author           string
	AuthorType       string
	State            string
	Merged           bool
	// MergedAt is rendered as merged_at when set.
	MergedAt       time.Time
	MergeCommitSHA string
	Reviews        []Review
	Files          []File
	// Commits are the pull request's commits (GET /pulls/{n}/commits).
	Commits []Commit
	// HeadRepo is the head's "owner/repo" (default the base repository).
	HeadRepo string
	// ChangedFiles overrides the changed_files count (0: the number of Files).
	ChangedFiles int
}

// Review is a pull-request review of the fake.
type Review struct {
	ID       int64
	Login    string
	UserType string // "User" when empty
	// Ghost renders the user as GitHub's deleted-user placeholder; NullUser renders "user": null.
	Ghost, NullUser bool
	State           string
	CommitID        string
	SubmittedAt     time.Time
}

// Commit is a pull-request commit of the fake: its SHA and the GitHub logins of its author and
// committer ("" when git's author is no GitHub user).
type Commit struct {
	SHA, Author, Committer string
}

// Push is an entry of the repository activity.
type Push struct {
	Ref, Before, After, Actor string
	// Type is push, force_push…; "push" when empty.
	Type string
}

// File is a changed file of the fake.
type File struct {
	Filename         string
	PreviousFilename string
	Status           string // added, modified, removed, renamed…; "modified" when empty
}

// Status is a recorded commit status.
type Status struct {
	SHA, State, Context, Description, TargetURL string
}

// Comment is an issue comment of the fake.
type Comment struct {
	ID     int64
	Body   string
	Author string
	// Edits counts how often the comment was edited.
	Edits int
}

// New starts a fake for owner/repo; it is closed when the test ends.
func New(t testing.TB, owner, repo, token string) *Server {
	s := &Server{
		t: t, Owner: owner, Repo: repo, Token: token, Login: "github-actions[bot]",
		PRs: map[int]*PR{}, Teams: map[string]map[string]string{}, Comments: map[int][]*Comment{},
		Branches: map[string]string{}, Ancestors: map[string][]string{}, Activity: map[string][]Push{},
		nextID: 1000,
	}
	mux := http.NewServeMux()
	repoPath := "/repos/{owner}/{repo}"
	routes := map[string]http.HandlerFunc{
		"GET " + repoPath + "/pulls/{number}":                 s.getPR,
		"GET " + repoPath + "/pulls/{number}/reviews":         s.listReviews,
		"GET " + repoPath + "/pulls/{number}/files":           s.listFiles,
		"GET " + repoPath + "/pulls/{number}/commits":         s.listCommits,
		"GET " + repoPath + "/pulls":                          s.listPulls,
		"GET " + repoPath + "/branches/{branch}":              s.getBranch,
		"GET " + repoPath + "/compare/{basehead}":             s.compare,
		"GET /repos/{owner}/{repo}/activity":                  s.activity,
		"GET /orgs/{org}/teams/{slug}":                        s.getTeam,
		"GET /orgs/{org}/teams/{slug}/memberships/{username}": s.teamMembership,
		"GET /user":                                           s.getUser,
		"POST " + repoPath + "/statuses/{sha}":                s.createStatus,
		"GET " + repoPath + "/issues/{number}/comments":       s.listComments,
		"POST " + repoPath + "/issues/{number}/comments":      s.createComment,
		"PATCH " + repoPath + "/issues/comments/{comment_id}": s.editComment,
	}
	for pattern, h := range s.settingsRoutes(repoPath) {
		routes[pattern] = h
	}
	for pattern, h := range routes {
		method, p, _ := strings.Cut(pattern, " ")
		mux.Handle(pattern, h)
		mux.Handle(method+" /api/v3"+p, h)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("githubtest: unexpected request %s %s", r.Method, r.URL)
		writeError(w, http.StatusNotFound, "Not Found")
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Lock()
		s.Requests = append(s.Requests, r.Method+" "+r.URL.RequestURI())
		hook := s.Hook
		s.Unlock()
		if hook != nil && hook(w, r) {
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+s.Token {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the API root as GitHub Enterprise Server spells it (URL + "/api/v3").
func (s *Server) APIURL() string { return s.URL + "/api/v3" }

// FailNext makes the next n requests whose path ends in suffix (any method when method is "")
// answer status with a GitHub error body and the given headers.
func (s *Server) FailNext(method, suffix string, n, status int, headers map[string]string) {
	s.Lock()
	defer s.Unlock()
	prev := s.Hook
	left := n
	s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		s.Lock()
		hit := left > 0 && (method == "" || r.Method == method) && strings.HasSuffix(r.URL.Path, suffix)
		if hit {
			left--
		}
		s.Unlock()
		if !hit {
			return prev != nil && prev(w, r)
		}
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		writeError(w, status, http.StatusText(status))
		return true
	}
}

// RateLimitHeaders are the headers of an exhausted primary rate limit resetting at reset.
func RateLimitHeaders(reset time.Time) map[string]string {
	return map[string]string{
		"X-RateLimit-Limit":     "5000",
		"X-RateLimit-Remaining": "0",
		"X-RateLimit-Used":      "5000",
		"X-RateLimit-Reset":     strconv.FormatInt(reset.Unix(), 10),
		"X-RateLimit-Resource":  "core",
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"message":           msg,
		"documentation_url": "https://docs.github.com/rest",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// check verifies the owner and repo of a repository route and the query parameters allowed.
func (s *Server) check(w http.ResponseWriter, r *http.Request, allowed ...string) bool {
	if o := r.PathValue("owner"); o != "" && (o != s.Owner || r.PathValue("repo") != s.Repo) {
		s.t.Errorf("githubtest: %s %s: repository %s/%s, want %s/%s", r.Method, r.URL.Path, o, r.PathValue("repo"), s.Owner, s.Repo)
		writeError(w, http.StatusNotFound, "Not Found")
		return false
	}
	for k, v := range r.URL.Query() {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok || len(v) != 1 {
			s.t.Errorf("githubtest: %s %s: unexpected query parameter %s=%v", r.Method, r.URL.Path, k, v)
		}
		if k == "page" || k == "per_page" {
			if n, err := strconv.Atoi(v[0]); err != nil || n < 1 || (k == "per_page" && n > 100) {
				s.t.Errorf("githubtest: %s %s: bad %s=%s", r.Method, r.URL.Path, k, v[0])
			}
		}
	}
	return true
}

func (s *Server) pr(w http.ResponseWriter, r *http.Request) *PR {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		s.t.Errorf("githubtest: %s: pull request number %q", r.URL.Path, r.PathValue("number"))
		writeError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	s.Lock()
	pr := s.PRs[n]
	s.Unlock()
	if pr == nil {
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return pr
}

// paginate writes one page of items with GitHub's Link header (per_page default 30, max 100).
func paginate[T any](w http.ResponseWriter, r *http.Request, items []T) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	last := max((len(items)+per-1)/per, 1)
	start := min((page-1)*per, len(items))
	end := min(start+per, len(items))
	link := func(p int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("page", strconv.Itoa(p))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, items[start:end])
}

func (s *Server) user(login, typ string) map[string]any {
	if typ == "" {
		typ = "User"
		if strings.HasSuffix(login, "[bot]") {
			typ = "Bot"
		}
	}
	return map[string]any{
		"login": login, "id": userID(login), "node_id": "U_" + login, "type": typ, "site_admin": false,
		"avatar_url": "https://avatars.githubusercontent.com/u/" + strconv.FormatInt(userID(login), 10),
		"url":        s.URL + "/users/" + login, "html_url": "https://github.com/" + login,
	}
}

func userID(login string) int64 {
	var h int64 = 7
	for _, c := range login {
		h = h*31 + int64(c)
	}
	if h < 0 {
		h = -h
	}
	return h%100000000 + 1
}

func (s *Server) getPR(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) {
		return
	}
	pr := s.pr(w, r)
	if pr == nil {
		return
	}
	s.Lock()
	defer s.Unlock()
	writeJSON(w, http.StatusOK, s.prJSON(pr))
}

// prJSON renders a pull request as GitHub does; the caller holds the lock.
func (s *Server) prJSON(pr *PR) map[string]any {
	changed := pr.ChangedFiles
	if changed == 0 {
		changed = len(pr.Files)
	}
	state := pr.State
	if state == "" {
		state = "open"
	}
	repo := map[string]any{"id": 1296269, "name": s.Repo, "full_name": s.Owner + "/" + s.Repo, "owner": s.user(s.Owner, "Organization")}
	headRepo := repo
	if pr.HeadRepo != "" {
		o, n, _ := strings.Cut(pr.HeadRepo, "/")
		headRepo = map[string]any{"id": 1296270, "name": n, "full_name": pr.HeadRepo, "owner": s.user(o, "")}
	}
	body := map[string]any{
		"url": fmt.Sprintf("%s/repos/%s/%s/pulls/%d", s.URL, s.Owner, s.Repo, pr.Number),
		"id":  pr.Number + 1000000, "node_id": fmt.Sprintf("PR_%d", pr.Number),
		"html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d", s.Owner, s.Repo, pr.Number),
		"number":   pr.Number, "state": state, "locked": false, "title": pr.Title,
		"user": s.user(pr.Author, pr.AuthorType),
		"body": "", "draft": false, "merged": pr.Merged, "mergeable": true,
		"head":    map[string]any{"label": s.Owner + ":" + pr.HeadRef, "ref": pr.HeadRef, "sha": pr.HeadSHA, "user": s.user(pr.Author, pr.AuthorType), "repo": headRepo},
		"base":    map[string]any{"label": s.Owner + ":" + pr.BaseRef, "ref": pr.BaseRef, "sha": pr.BaseSHA, "user": s.user(s.Owner, "Organization"), "repo": repo},
		"commits": len(pr.Commits), "additions": 10, "deletions": 2, "changed_files": changed,
		"created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-02T10:00:00Z",
	}
	if pr.MergeCommitSHA != "" {
		body["merge_commit_sha"] = pr.MergeCommitSHA
	}
	if !pr.MergedAt.IsZero() {
		body["merged_at"] = pr.MergedAt.UTC().Format(time.RFC3339)
	}
	return body
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "page", "per_page") {
		return
	}
	pr := s.pr(w, r)
	if pr == nil {
		return
	}
	s.Lock()
	var out []map[string]any
	for _, rv := range pr.Reviews {
		var u any
		switch {
		case rv.NullUser:
		case rv.Ghost:
			u = map[string]any{"login": "ghost", "id": 10137, "node_id": "MDQ6VXNlcjEwMTM3", "type": "User", "site_admin": false,
				"html_url": "https://github.com/ghost"}
		default:
			u = s.user(rv.Login, rv.UserType)
		}
		m := map[string]any{
			"id": rv.ID, "node_id": fmt.Sprintf("PRR_%d", rv.ID), "user": u, "body": "",
			"state": rv.State, "author_association": "MEMBER",
			"html_url":         fmt.Sprintf("https://github.com/%s/%s/pull/%d#pullrequestreview-%d", s.Owner, s.Repo, pr.Number, rv.ID),
			"pull_request_url": fmt.Sprintf("%s/repos/%s/%s/pulls/%d", s.URL, s.Owner, s.Repo, pr.Number),
			"commit_id":        rv.CommitID,
			"_links": map[string]any{
				"html":         map[string]any{"href": fmt.Sprintf("https://github.com/%s/%s/pull/%d#pullrequestreview-%d", s.Owner, s.Repo, pr.Number, rv.ID)},
				"pull_request": map[string]any{"href": fmt.Sprintf("%s/repos/%s/%s/pulls/%d", s.URL, s.Owner, s.Repo, pr.Number)},
			},
		}
		if rv.CommitID == "" {
			m["commit_id"] = nil
		}
		if rv.State != "PENDING" {
			m["submitted_at"] = rv.SubmittedAt.UTC().Format(time.RFC3339)
		}
		out = append(out, m)
	}
	s.Unlock()
	paginate(w, r, out)
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "page", "per_page") {
		return
	}
	pr := s.pr(w, r)
	if pr == nil {
		return
	}
	s.Lock()
	files := pr.Files
	if len(files) > 3000 { // GitHub lists at most 3,000 files of a pull request
		files = files[:3000]
	}
	var out []map[string]any
	for i, f := range files {
		status := f.Status
		if status == "" {
			status = "modified"
		}
		m := map[string]any{
			"sha": fmt.Sprintf("%040x", i+1), "filename": f.Filename, "status": status,
			"additions": 1, "deletions": 1, "changes": 2,
			"blob_url":     fmt.Sprintf("https://github.com/%s/%s/blob/%s/%s", s.Owner, s.Repo, pr.HeadSHA, f.Filename),
			"raw_url":      fmt.Sprintf("https://github.com/%s/%s/raw/%s/%s", s.Owner, s.Repo, pr.HeadSHA, f.Filename),
			"contents_url": fmt.Sprintf("%s/repos/%s/%s/contents/%s?ref=%s", s.URL, s.Owner, s.Repo, f.Filename, pr.HeadSHA),
			"patch":        "@@ -1 +1 @@",
		}
		if f.PreviousFilename != "" {
			m["previous_filename"] = f.PreviousFilename
		}
		out = append(out, m)
	}
	s.Unlock()
	paginate(w, r, out)
}

func (s *Server) teamMembership(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) {
		return
	}
	team := r.PathValue("org") + "/" + r.PathValue("slug")
	s.Lock()
	members, teamOK := s.Teams[team]
	state, member := members[r.PathValue("username")]
	s.Unlock()
	if !teamOK || !member {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"url":   fmt.Sprintf("%s/teams/1/memberships/%s", s.URL, r.PathValue("username")),
		"role":  "member",
		"state": state,
	})
}

func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) {
		return
	}
	var in struct {
		State       string `json:"state"`
		TargetURL   string `json:"target_url"`
		Description string `json:"description"`
		Context     string `json:"context"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	switch in.State {
	case "error", "failure", "pending", "success":
	default:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed", "errors": []any{map[string]any{"resource": "Status", "field": "state", "code": "invalid"}}})
		return
	}
	s.Lock()
	s.Statuses = append(s.Statuses, Status{SHA: r.PathValue("sha"), State: in.State, Context: in.Context, Description: in.Description, TargetURL: in.TargetURL})
	s.nextID++
	id := s.nextID
	s.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{
		"url": fmt.Sprintf("%s/repos/%s/%s/statuses/%s", s.URL, s.Owner, s.Repo, r.PathValue("sha")),
		"id":  id, "node_id": fmt.Sprintf("SC_%d", id), "state": in.State, "description": in.Description,
		"target_url": in.TargetURL, "context": in.Context,
		"created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z",
		"creator": s.user(s.Login, ""),
	})
}

func (s *Server) commentJSON(number int, c *Comment) map[string]any {
	return map[string]any{
		"id": c.ID, "node_id": fmt.Sprintf("IC_%d", c.ID),
		"url":       fmt.Sprintf("%s/repos/%s/%s/issues/comments/%d", s.URL, s.Owner, s.Repo, c.ID),
		"html_url":  fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", s.Owner, s.Repo, number, c.ID),
		"issue_url": fmt.Sprintf("%s/repos/%s/%s/issues/%d", s.URL, s.Owner, s.Repo, number),
		"body":      c.Body, "user": s.user(c.Author, ""),
		"created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z",
		"author_association": "NONE",
	}
}

func (s *Server) issueNumber(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return 0, false
	}
	s.Lock()
	_, ok := s.PRs[n]
	s.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return n, ok
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "page", "per_page", "sort", "direction", "since") {
		return
	}
	n, ok := s.issueNumber(w, r)
	if !ok {
		return
	}
	s.Lock()
	var out []map[string]any
	for _, c := range s.Comments[n] {
		out = append(out, s.commentJSON(n, c))
	}
	s.Unlock()
	paginate(w, r, out)
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) {
		return
	}
	n, ok := s.issueNumber(w, r)
	if !ok {
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	s.Lock()
	s.nextID++
	c := &Comment{ID: s.nextID, Body: in.Body, Author: s.Login}
	s.Comments[n] = append(s.Comments[n], c)
	body := s.commentJSON(n, c)
	s.Unlock()
	writeJSON(w, http.StatusCreated, body)
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("comment_id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	s.Lock()
	defer s.Unlock()
	numbers := make([]int, 0, len(s.Comments))
	for n := range s.Comments {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	for _, n := range numbers {
		for _, c := range s.Comments[n] {
			if c.ID != id {
				continue
			}
			if c.Author != s.Login {
				writeError(w, http.StatusForbidden, "Resource not accessible by integration")
				return
			}
			c.Body = in.Body
			c.Edits++
			writeJSON(w, http.StatusOK, s.commentJSON(n, c))
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

func (s *Server) listCommits(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "page", "per_page") {
		return
	}
	pr := s.pr(w, r)
	if pr == nil {
		return
	}
	s.Lock()
	var out []map[string]any
	for _, c := range pr.Commits {
		gitUser := func(login string) map[string]any {
			return map[string]any{"name": login, "email": login + "@example.com", "date": "2026-03-02T09:00:00Z"}
		}
		m := map[string]any{
			"sha": c.SHA, "node_id": "C_" + c.SHA,
			"url":      fmt.Sprintf("%s/repos/%s/%s/commits/%s", s.URL, s.Owner, s.Repo, c.SHA),
			"html_url": fmt.Sprintf("https://github.com/%s/%s/commit/%s", s.Owner, s.Repo, c.SHA),
			"commit": map[string]any{
				"author": gitUser(c.Author), "committer": gitUser(c.Committer), "message": "a commit",
				"tree": map[string]any{"sha": c.SHA, "url": s.URL + "/trees/" + c.SHA}, "comment_count": 0,
			},
			"author": nil, "committer": nil, "parents": []any{},
		}
		if c.Author != "" {
			m["author"] = s.user(c.Author, "")
		}
		if c.Committer != "" {
			m["committer"] = s.user(c.Committer, "")
		}
		out = append(out, m)
	}
	s.Unlock()
	if len(out) > 250 { // GitHub lists at most 250 commits of a pull request
		out = out[:250]
	}
	paginate(w, r, out)
}

func (s *Server) listPulls(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "state", "head", "base", "sort", "direction", "page", "per_page") {
		return
	}
	want := r.URL.Query().Get("state")
	if want == "" {
		want = "open"
	}
	s.Lock()
	numbers := make([]int, 0, len(s.PRs))
	for n := range s.PRs {
		numbers = append(numbers, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(numbers))) // newest first, as GitHub sorts by created
	out := []map[string]any{}
	for _, n := range numbers {
		pr := s.PRs[n]
		state := pr.State
		if state == "" {
			state = "open"
		}
		if want == "all" || want == state {
			out = append(out, s.prJSON(pr))
		}
	}
	s.Unlock()
	paginate(w, r, out)
}

func (s *Server) getBranch(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) {
		return
	}
	name := r.PathValue("branch")
	s.Lock()
	sha, ok := s.Branches[name]
	s.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Branch not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": name,
		"commit": map[string]any{
			"sha": sha, "node_id": "C_" + sha,
			"url":    fmt.Sprintf("%s/repos/%s/%s/commits/%s", s.URL, s.Owner, s.Repo, sha),
			"commit": map[string]any{"message": "tip", "tree": map[string]any{"sha": sha}},
		},
		"_links":    map[string]any{"self": fmt.Sprintf("%s/repos/%s/%s/branches/%s", s.URL, s.Owner, s.Repo, name), "html": fmt.Sprintf("https://github.com/%s/%s/tree/%s", s.Owner, s.Repo, name)},
		"protected": false, "protection_url": fmt.Sprintf("%s/repos/%s/%s/branches/%s/protection", s.URL, s.Owner, s.Repo, name),
	})
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "page", "per_page") {
		return
	}
	base, head, ok := strings.Cut(r.PathValue("basehead"), "...")
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	s.Lock()
	has := func(c, anc string) bool {
		for _, a := range s.Ancestors[c] {
			if a == anc {
				return true
			}
		}
		return false
	}
	status := "diverged"
	switch {
	case base == head:
		status = "identical"
	case has(head, base):
		status = "ahead"
	case has(base, head):
		status = "behind"
	}
	s.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"url":      fmt.Sprintf("%s/repos/%s/%s/compare/%s...%s", s.URL, s.Owner, s.Repo, base, head),
		"status":   status,
		"ahead_by": 0, "behind_by": 0, "total_commits": 0,
		"base_commit": map[string]any{"sha": base}, "merge_base_commit": map[string]any{"sha": base},
		"commits": []any{}, "files": []any{},
	})
}

func (s *Server) activity(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "ref", "per_page", "direction", "activity_type", "before", "after", "actor", "time_period") {
		return
	}
	repo := r.PathValue("owner") + "/" + r.PathValue("repo")
	ref := r.URL.Query().Get("ref")
	s.Lock()
	out := []map[string]any{}
	for i, p := range s.Activity[repo] {
		if ref != "" && p.Ref != ref {
			continue
		}
		typ := p.Type
		if typ == "" {
			typ = "push"
		}
		out = append(out, map[string]any{
			"id": i + 1, "node_id": fmt.Sprintf("PA_%d", i+1), "before": p.Before, "after": p.After, "ref": p.Ref,
			"timestamp": "2026-03-02T09:00:00Z", "activity_type": typ, "actor": s.user(p.Actor, ""),
		})
	}
	s.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) {
		return
	}
	org, slug := r.PathValue("org"), r.PathValue("slug")
	s.Lock()
	_, ok := s.Teams[org+"/"+slug]
	s.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": userID(org + "/" + slug), "node_id": "T_" + slug, "name": slug, "slug": slug,
		"url":      fmt.Sprintf("%s/orgs/%s/teams/%s", s.URL, org, slug),
		"html_url": fmt.Sprintf("https://github.com/orgs/%s/teams/%s", org, slug),
		"privacy":  "closed", "permission": "pull", "description": "",
		"organization": map[string]any{"login": org, "id": userID(org)},
	})
}

// getUser answers GET /user: the token's user, or, for an installation token (a Login ending
// in [bot], as GITHUB_TOKEN's github-actions[bot]), the 403 GitHub gives those.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.Lock()
	login := s.Login
	s.Unlock()
	if strings.HasSuffix(login, "[bot]") {
		writeError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	writeJSON(w, http.StatusOK, s.user(login, ""))
}

// Settings are what verify-setup reads. A nil field answers 404 as GitHub does when the thing is
// not set up; a status in the Fail map answers that status instead (e.g. 403 for a token that
// may not read it), keyed by "protection", "rules", "workflow", "codeowners", "repo".
type Settings struct {
	DefaultBranch string
	// Protection is the branch protection JSON of GET /repos/{o}/{r}/branches/{b}/protection.
	Protection map[string]any
	// Rules is the JSON list of GET /repos/{o}/{r}/rules/branches/{b}.
	Rules []map[string]any
	// Rulesets by id, the JSON of GET /repos/{o}/{r}/rulesets/{id}.
	Rulesets map[int64]map[string]any
	// WorkflowPermissions is default_workflow_permissions ("read" or "write").
	WorkflowPermissions string
	CanApproveReviews   bool
	// Files are repository files by path (CODEOWNERS), on the default branch.
	Files map[string]string
	Fail  map[string]int
}

func (s *Server) settingsRoutes(repoPath string) map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET " + repoPath: s.getRepo,
		"GET " + repoPath + "/branches/{branch}/protection": s.getProtection,
		"GET " + repoPath + "/rules/branches/{branch}":      s.getRules,
		"GET " + repoPath + "/rulesets/{id}":                s.getRuleset,
		"GET " + repoPath + "/actions/permissions/workflow": s.getWorkflowPermissions,
		"GET " + repoPath + "/contents/{path...}":           s.getContents,
	}
}

// failed answers the status set for key in Settings.Fail, if any.
func (s *Server) failed(w http.ResponseWriter, key string) bool {
	s.Lock()
	status := s.Settings.Fail[key]
	s.Unlock()
	if status == 0 {
		return false
	}
	msg := http.StatusText(status)
	if status == http.StatusForbidden {
		msg = "Resource not accessible by integration"
	}
	writeError(w, status, msg)
	return true
}

func (s *Server) getRepo(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) || s.failed(w, "repo") {
		return
	}
	s.Lock()
	branch := s.Settings.DefaultBranch
	s.Unlock()
	if branch == "" {
		branch = "main"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": 1296269, "node_id": "R_1", "name": s.Repo, "full_name": s.Owner + "/" + s.Repo,
		"owner": s.user(s.Owner, "Organization"), "private": true, "default_branch": branch,
		"html_url": fmt.Sprintf("https://github.com/%s/%s", s.Owner, s.Repo),
		"url":      fmt.Sprintf("%s/repos/%s/%s", s.URL, s.Owner, s.Repo),
	})
}

func (s *Server) getProtection(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) || s.failed(w, "protection") {
		return
	}
	s.Lock()
	p := s.Settings.Protection
	s.Unlock()
	if p == nil {
		writeError(w, http.StatusNotFound, "Branch not protected")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) getRules(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "page", "per_page") || s.failed(w, "rules") {
		return
	}
	s.Lock()
	rules := s.Settings.Rules
	s.Unlock()
	if rules == nil {
		rules = []map[string]any{}
	}
	paginate(w, r, rules)
}

func (s *Server) getRuleset(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "includes_parents") || s.failed(w, "ruleset") {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.Lock()
	rs, ok := s.Settings.Rulesets[id]
	s.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, rs)
}

func (s *Server) getWorkflowPermissions(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r) || s.failed(w, "workflow") {
		return
	}
	s.Lock()
	perm, can := s.Settings.WorkflowPermissions, s.Settings.CanApproveReviews
	s.Unlock()
	if perm == "" {
		perm = "read"
	}
	writeJSON(w, http.StatusOK, map[string]any{"default_workflow_permissions": perm, "can_approve_pull_request_reviews": can})
}

func (s *Server) getContents(w http.ResponseWriter, r *http.Request) {
	if !s.check(w, r, "ref") || s.failed(w, "codeowners") {
		return
	}
	p := r.PathValue("path")
	s.Lock()
	content, ok := s.Settings.Files[p]
	s.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"type": "file", "encoding": "base64", "size": len(content), "name": path.Base(p), "path": p,
		"content": base64.StdEncoding.EncodeToString([]byte(content)),
		"sha":     fmt.Sprintf("%040x", len(content)),
		"url":     fmt.Sprintf("%s/repos/%s/%s/contents/%s", s.URL, s.Owner, s.Repo, p),
	})
}

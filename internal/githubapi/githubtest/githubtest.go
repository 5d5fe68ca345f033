// Package githubtest is a fake GitHub REST API for tests: an httptest.Server whose handlers
// check method, path, query and token, and answer JSON shaped like GitHub's own responses
// (pull requests, reviews, files, team memberships, commit statuses, issue comments), paginated
// with Link headers the way GitHub paginates.
//
// It serves the API root at URL (as github.com does) and at URL+"/api/v3" (as GitHub Enterprise
// Server does).
package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	MergeCommitSHA   string
	Reviews          []Review
	Files            []File
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
		nextID: 1000,
	}
	mux := http.NewServeMux()
	repoPath := "/repos/{owner}/{repo}"
	routes := map[string]http.HandlerFunc{
		"GET " + repoPath + "/pulls/{number}":                        s.getPR,
		"GET " + repoPath + "/pulls/{number}/reviews":                s.listReviews,
		"GET " + repoPath + "/pulls/{number}/files":                  s.listFiles,
		"GET /orgs/{org}/teams/{slug}/memberships/{username}":        s.teamMembership,
		"POST " + repoPath + "/statuses/{sha}":                       s.createStatus,
		"GET " + repoPath + "/issues/{number}/comments":              s.listComments,
		"POST " + repoPath + "/issues/{number}/comments":             s.createComment,
		"PATCH " + repoPath + "/issues/comments/{comment_id}":        s.editComment,
		"GET /api/v3" + repoPath + "/pulls/{number}":                 s.getPR,
		"GET /api/v3" + repoPath + "/pulls/{number}/reviews":         s.listReviews,
		"GET /api/v3" + repoPath + "/pulls/{number}/files":           s.listFiles,
		"GET /api/v3/orgs/{org}/teams/{slug}/memberships/{username}": s.teamMembership,
		"POST /api/v3" + repoPath + "/statuses/{sha}":                s.createStatus,
		"GET /api/v3" + repoPath + "/issues/{number}/comments":       s.listComments,
		"POST /api/v3" + repoPath + "/issues/{number}/comments":      s.createComment,
		"PATCH /api/v3" + repoPath + "/issues/comments/{comment_id}": s.editComment,
	}
	for pattern, h := range routes {
		mux.Handle(pattern, h)
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
	changed := pr.ChangedFiles
	if changed == 0 {
		changed = len(pr.Files)
	}
	state := pr.State
	if state == "" {
		state = "open"
	}
	repo := map[string]any{"id": 1296269, "name": s.Repo, "full_name": s.Owner + "/" + s.Repo, "owner": s.user(s.Owner, "Organization")}
	body := map[string]any{
		"url": fmt.Sprintf("%s/repos/%s/%s/pulls/%d", s.URL, s.Owner, s.Repo, pr.Number),
		"id":  pr.Number + 1000000, "node_id": fmt.Sprintf("PR_%d", pr.Number),
		"html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d", s.Owner, s.Repo, pr.Number),
		"number":   pr.Number, "state": state, "locked": false, "title": pr.Title,
		"user": s.user(pr.Author, pr.AuthorType),
		"body": "", "draft": false, "merged": pr.Merged, "mergeable": true,
		"head":    map[string]any{"label": s.Owner + ":" + pr.HeadRef, "ref": pr.HeadRef, "sha": pr.HeadSHA, "user": s.user(pr.Author, pr.AuthorType), "repo": repo},
		"base":    map[string]any{"label": s.Owner + ":" + pr.BaseRef, "ref": pr.BaseRef, "sha": pr.BaseSHA, "user": s.user(s.Owner, "Organization"), "repo": repo},
		"commits": 1, "additions": 10, "deletions": 2, "changed_files": changed,
		"created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-02T10:00:00Z",
	}
	if pr.MergeCommitSHA != "" {
		body["merge_commit_sha"] = pr.MergeCommitSHA
	}
	writeJSON(w, http.StatusOK, body)
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

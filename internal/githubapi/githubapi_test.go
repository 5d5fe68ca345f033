package githubapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
	"github.com/gitsm/gitsm/internal/policy"
)

const (
	token   = "ghs_t0pS3cretT0kenValue0123456789abcdef"
	headSHA = "1111111111111111111111111111111111111111"
	oldSHA  = "0000000000000000000000000000000000000000"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fake starts a fake GitHub with pull request 7 (author frank, head headSHA).
func fake(t *testing.T) *githubtest.Server {
	t.Helper()
	s := githubtest.New(t, "shop", "records", token)
	s.PRs[7] = &githubtest.PR{
		Number: 7, Title: "Schedule CHG-000001", HeadSHA: headSHA, HeadRef: "chg-1",
		BaseSHA: oldSHA, BaseRef: "main", Author: "frank",
		Files: []githubtest.File{{Filename: "changes/2026/CHG-000001.yaml"}},
	}
	return s
}

// client builds a client for s and records the waits it asks for instead of sleeping.
func client(t *testing.T, s *githubtest.Server, mods ...func(*githubapi.Config)) (*githubapi.Client, *[]time.Duration) {
	t.Helper()
	var waits []time.Duration
	cfg := githubapi.Config{
		Token: token, APIURL: s.URL, Repository: "shop/records",
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Now:   func() time.Time { return now },
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := githubapi.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, &waits
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    githubapi.Config
		wantErr bool
	}{
		{"github.com default", map[string]string{"GITHUB_TOKEN": "x", "GITHUB_REPOSITORY": "shop/records"},
			githubapi.Config{Token: "x", APIURL: "https://api.github.com/", Repository: "shop/records"}, false},
		{"enterprise", map[string]string{"GITHUB_TOKEN": "x", "GITHUB_REPOSITORY": "shop/records", "GITHUB_API_URL": "https://ghe.example.com/api/v3"},
			githubapi.Config{Token: "x", APIURL: "https://ghe.example.com/api/v3", Repository: "shop/records"}, false},
		{"no token", map[string]string{"GITHUB_REPOSITORY": "shop/records"}, githubapi.Config{}, true},
		{"no repository", map[string]string{"GITHUB_TOKEN": "x"}, githubapi.Config{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := githubapi.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b func(context.Context, time.Duration) error) bool { return a == nil && b == nil }), cmp.Comparer(func(a, b func() time.Time) bool { return a == nil && b == nil })); diff != "" {
				t.Errorf("Config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []githubapi.Config{
		{Token: "x", Repository: "records"},
		{Token: "x", Repository: "shop/records/extra"},
		{Token: "x", Repository: "shop/records", APIURL: "ftp://example.com"},
		{Token: "x", Repository: "shop/records", APIURL: "::"},
	} {
		if _, err := githubapi.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded, want an error", cfg)
		}
	}
}

func TestPullRequestOnGitHubAndEnterpriseURLs(t *testing.T) {
	s := fake(t)
	for _, apiURL := range []string{s.URL, s.URL + "/", s.APIURL(), s.APIURL() + "/"} {
		t.Run(apiURL, func(t *testing.T) {
			c, _ := client(t, s, func(cfg *githubapi.Config) { cfg.APIURL = apiURL })
			got, err := c.PullRequest(context.Background(), 7)
			if err != nil {
				t.Fatalf("PullRequest: %v", err)
			}
			want := githubapi.PullRequest{
				Number: 7, HeadSHA: headSHA, HeadRef: "chg-1", HeadRepo: "shop/records", BaseRef: "main", BaseSHA: oldSHA,
				Author: "frank", AuthorType: "User", State: "open", ChangedFiles: 1,
				HTMLURL: "https://github.com/shop/records/pull/7",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("PullRequest mismatch (-want +got):\n%s", diff)
			}
		})
	}
	s.Lock()
	defer s.Unlock()
	want := []string{"GET /repos/shop/records/pulls/7", "GET /repos/shop/records/pulls/7", "GET /api/v3/repos/shop/records/pulls/7", "GET /api/v3/repos/shop/records/pulls/7"}
	if diff := cmp.Diff(want, s.Requests); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckHead(t *testing.T) {
	pr := githubapi.PullRequest{Number: 7, HeadSHA: headSHA}
	if err := githubapi.CheckHead(pr, headSHA); err != nil {
		t.Errorf("CheckHead(same) = %v", err)
	}
	if err := githubapi.CheckHead(pr, strings.ToUpper(headSHA)); err != nil {
		t.Errorf("CheckHead(upper case) = %v", err)
	}
	for _, given := range []string{oldSHA, "", headSHA[:7]} {
		err := githubapi.CheckHead(pr, given)
		var hm *githubapi.HeadMismatchError
		if !errors.As(err, &hm) || hm.Given != given || hm.Actual != headSHA || hm.PR != 7 {
			t.Errorf("CheckHead(%q) = %v, want a *HeadMismatchError", given, err)
		}
	}
}

func TestReviewsAllPages(t *testing.T) {
	s := fake(t)
	var want []policy.Review
	for i := 1; i <= 250; i++ {
		at := now.Add(time.Duration(i) * time.Minute)
		s.PRs[7].Reviews = append(s.PRs[7].Reviews, githubtest.Review{ID: int64(i), Login: fmt.Sprintf("user%d", i), State: "COMMENTED", CommitID: headSHA, SubmittedAt: at})
		want = append(want, policy.Review{ID: int64(i), Login: fmt.Sprintf("user%d", i), UserType: "User", State: "COMMENTED", CommitID: headSHA, SubmittedAt: at})
	}
	special := []githubtest.Review{
		{ID: 251, Login: "renovate[bot]", State: "APPROVED", CommitID: headSHA, SubmittedAt: now},
		{ID: 252, Ghost: true, State: "APPROVED", CommitID: headSHA, SubmittedAt: now},
		{ID: 253, NullUser: true, State: "APPROVED", CommitID: headSHA, SubmittedAt: now},
		{ID: 254, Login: "grace", State: "APPROVED", SubmittedAt: now}, // commit garbage-collected: null
	}
	s.PRs[7].Reviews = append(s.PRs[7].Reviews, special...)
	want = append(want,
		policy.Review{ID: 251, Login: "renovate[bot]", UserType: "Bot", State: "APPROVED", CommitID: headSHA, SubmittedAt: now},
		policy.Review{ID: 252, Login: "ghost", UserType: "User", Deleted: true, State: "APPROVED", CommitID: headSHA, SubmittedAt: now},
		policy.Review{ID: 253, Deleted: true, State: "APPROVED", CommitID: headSHA, SubmittedAt: now},
		policy.Review{ID: 254, Login: "grace", UserType: "User", State: "APPROVED", SubmittedAt: now},
	)
	c, _ := client(t, s)
	got, err := c.Reviews(context.Background(), 7)
	if err != nil {
		t.Fatalf("Reviews: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Reviews mismatch (-want +got):\n%s", diff)
	}
	wantReq := []string{
		"GET /repos/shop/records/pulls/7/reviews?per_page=100",
		"GET /repos/shop/records/pulls/7/reviews?page=2&per_page=100",
		"GET /repos/shop/records/pulls/7/reviews?page=3&per_page=100",
	}
	if diff := cmp.Diff(wantReq, s.Requests); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestFiles(t *testing.T) {
	t.Run("all pages and both names of a rename", func(t *testing.T) {
		s := fake(t)
		var files []githubtest.File
		var want []string
		for i := range 120 {
			name := fmt.Sprintf("incidents/2026/INC-%06d.yaml", i)
			files = append(files, githubtest.File{Filename: name})
			want = append(want, name)
		}
		files = append(files, githubtest.File{Filename: "docs/policy.yaml", PreviousFilename: ".gitsm/policy.yaml", Status: "renamed"})
		want = append(want, "docs/policy.yaml", ".gitsm/policy.yaml")
		s.PRs[7].Files = files
		c, _ := client(t, s)
		got, err := c.Files(context.Background(), 7)
		if err != nil {
			t.Fatalf("Files: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Files mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("GitHub's 3000-file cap is an incomplete list", func(t *testing.T) {
		s := fake(t)
		s.PRs[7].Files = nil
		for i := range 3001 {
			s.PRs[7].Files = append(s.PRs[7].Files, githubtest.File{Filename: fmt.Sprintf("f%d", i)})
		}
		c, _ := client(t, s)
		_, err := c.Files(context.Background(), 7)
		if !errors.Is(err, githubapi.ErrTruncated) {
			t.Errorf("Files error = %v, want ErrTruncated", err)
		}
	})
	t.Run("fewer listed than changed_files", func(t *testing.T) {
		s := fake(t)
		s.PRs[7].ChangedFiles = 2
		c, _ := client(t, s)
		_, err := c.Files(context.Background(), 7)
		if !errors.Is(err, githubapi.ErrTruncated) {
			t.Errorf("Files error = %v, want ErrTruncated", err)
		}
	})
}

func TestPaginationAnomaliesFailClosed(t *testing.T) {
	tests := []struct {
		name string
		link string
		n    int
	}{
		{"next page does not advance", `<%s/repos/shop/records/pulls/7/reviews?page=1&per_page=100>; rel="next"`, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t)
			s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Link", fmt.Sprintf(tt.link, s.URL))
				w.Header().Set("Content-Type", "application/json")
				items := make([]string, tt.n)
				for i := range items {
					items[i] = fmt.Sprintf(`{"id":%d,"user":{"login":"u%d","type":"User"},"state":"APPROVED","commit_id":"%s","submitted_at":"2026-03-02T10:00:00Z"}`, i+1, i, headSHA)
				}
				fmt.Fprintf(w, "[%s]", strings.Join(items, ","))
				return true
			}
			c, _ := client(t, s)
			_, err := c.Reviews(context.Background(), 7)
			if !errors.Is(err, githubapi.ErrTruncated) {
				t.Errorf("Reviews error = %v, want ErrTruncated", err)
			}
		})
	}
}

// every call of the adapter, for tests that check they all fail the same way.
var calls = map[string]func(context.Context, *githubapi.Client) error{
	"PullRequest": func(ctx context.Context, c *githubapi.Client) error { _, err := c.PullRequest(ctx, 7); return err },
	"Reviews":     func(ctx context.Context, c *githubapi.Client) error { _, err := c.Reviews(ctx, 7); return err },
	"Files":       func(ctx context.Context, c *githubapi.Client) error { _, err := c.Files(ctx, 7); return err },
	"IsTeamMember": func(ctx context.Context, c *githubapi.Client) error {
		_, err := c.IsTeamMember(ctx, "shop", "platform-admins", "grace")
		return err
	},
	"SetStatus": func(ctx context.Context, c *githubapi.Client) error {
		return c.SetStatus(ctx, headSHA, "success", "approved", "")
	},
	"UpsertComment": func(ctx context.Context, c *githubapi.Client) error {
		return c.UpsertComment(ctx, 7, githubapi.CommentMarker, "body")
	},
	"Snapshot": func(ctx context.Context, c *githubapi.Client) error {
		_, err := c.Snapshot(ctx, 7, headSHA)
		return err
	},
}

func TestAPIErrorsFailClosed(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		headers     map[string]string
		wantStatus  int
		rateLimited bool
		wantTries   int
	}{
		{"500", http.StatusInternalServerError, nil, 500, false, 1},
		{"403 forbidden", http.StatusForbidden, nil, 403, false, 1},
		{"401 bad credentials", http.StatusUnauthorized, nil, 401, false, 1},
		{"502 retried then given up", http.StatusBadGateway, nil, 502, false, 5},
		{"rate limit exhausted", http.StatusForbidden, githubtest.RateLimitHeaders(now.Add(10 * time.Second)), 403, true, 5},
		{"429 exhausted", http.StatusTooManyRequests, map[string]string{"Retry-After": "2"}, 429, true, 5},
		{"rate limit resetting in an hour fails at once", http.StatusForbidden, githubtest.RateLimitHeaders(now.Add(time.Hour)), 403, true, 1},
	}
	for _, tt := range tests {
		for name, call := range calls {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				s := fake(t)
				s.FailNext("", "", 1000, tt.status, tt.headers)
				c, _ := client(t, s)
				err := call(context.Background(), c)
				var ae *githubapi.APIError
				if !errors.As(err, &ae) {
					t.Fatalf("error = %v, want an *APIError", err)
				}
				if ae.StatusCode != tt.wantStatus || ae.RateLimited != tt.rateLimited {
					t.Errorf("got status %d rate limited %v, want %d %v (%v)", ae.StatusCode, ae.RateLimited, tt.wantStatus, tt.rateLimited, err)
				}
				s.Lock()
				defer s.Unlock()
				want := tt.wantTries
				if name == "UpsertComment" && tt.status == http.StatusForbidden && !tt.rateLimited {
					want = 2 // GET /user answers 403 to installation tokens: github-actions[bot] is assumed
				}
				if len(s.Requests) != want {
					t.Errorf("%d requests, want %d: %q", len(s.Requests), want, s.Requests)
				}
			})
		}
	}
}

func TestNotFound(t *testing.T) {
	s := fake(t)
	c, _ := client(t, s)
	for _, call := range []func() error{
		func() error { _, err := c.PullRequest(context.Background(), 99); return err },
		func() error { _, err := c.Reviews(context.Background(), 99); return err },
		func() error { _, err := c.Files(context.Background(), 99); return err },
		func() error { return c.UpsertComment(context.Background(), 99, githubapi.CommentMarker, "x") },
	} {
		var ae *githubapi.APIError
		if err := call(); !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
			t.Errorf("error = %v, want an *APIError with status 404", err)
		}
	}
}

func TestRateLimitRetried(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		headers   map[string]string
		times     int
		wantWaits []time.Duration
	}{
		{"primary limit waits for the reset", http.StatusForbidden, githubtest.RateLimitHeaders(now.Add(20 * time.Second)), 1, []time.Duration{21 * time.Second}},
		{"primary limit already reset backs off", http.StatusForbidden, githubtest.RateLimitHeaders(now.Add(-time.Minute)), 2, []time.Duration{time.Second, 2 * time.Second}},
		{"secondary limit honours Retry-After", http.StatusForbidden, map[string]string{"Retry-After": "3"}, 1, []time.Duration{3 * time.Second}},
		{"429 honours Retry-After", http.StatusTooManyRequests, map[string]string{"Retry-After": "5"}, 2, []time.Duration{5 * time.Second, 5 * time.Second}},
		{"503 backs off", http.StatusServiceUnavailable, nil, 3, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t)
			s.PRs[7].Reviews = []githubtest.Review{{ID: 1, Login: "grace", State: "APPROVED", CommitID: headSHA, SubmittedAt: now}}
			s.FailNext("GET", "/reviews", tt.times, tt.status, tt.headers)
			c, waits := client(t, s)
			got, err := c.Reviews(context.Background(), 7)
			if err != nil {
				t.Fatalf("Reviews: %v", err)
			}
			if len(got) != 1 || got[0].Login != "grace" {
				t.Errorf("Reviews = %+v, want grace's review", got)
			}
			if diff := cmp.Diff(tt.wantWaits, *waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("secondary limit without Retry-After waits a minute", func(t *testing.T) {
		s := fake(t)
		calls := 0
		s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
			calls++
			if calls > 1 {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
			return true
		}
		c, waits := client(t, s)
		if _, err := c.PullRequest(context.Background(), 7); err != nil {
			t.Fatalf("PullRequest: %v", err)
		}
		if diff := cmp.Diff([]time.Duration{time.Minute}, *waits); diff != "" {
			t.Errorf("waits mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("POST bodies are replayed", func(t *testing.T) {
		s := fake(t)
		s.FailNext("POST", "/statuses/"+headSHA, 1, http.StatusTooManyRequests, map[string]string{"Retry-After": "1"})
		c, _ := client(t, s)
		if err := c.SetStatus(context.Background(), headSHA, "success", "approved", ""); err != nil {
			t.Fatalf("SetStatus: %v", err)
		}
		if len(s.Statuses) != 1 || s.Statuses[0].State != "success" {
			t.Errorf("statuses = %+v, want one success", s.Statuses)
		}
	})
	t.Run("a canceled context stops the wait", func(t *testing.T) {
		s := fake(t)
		s.FailNext("", "", 100, http.StatusServiceUnavailable, nil)
		ctx, cancel := context.WithCancel(context.Background())
		c, _ := client(t, s, func(cfg *githubapi.Config) {
			cfg.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
		})
		if _, err := c.PullRequest(ctx, 7); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
}

// The token never appears in an error, even when the server echoes it back.
func TestTokenNeverInErrors(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusForbidden, http.StatusUnauthorized, http.StatusUnprocessableEntity} {
		for name, call := range calls {
			t.Run(fmt.Sprintf("%d/%s", status, name), func(t *testing.T) {
				s := fake(t)
				s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					fmt.Fprintf(w, `{"message":"denied for %s","errors":[{"resource":"Auth","field":"authorization","code":"invalid","message":%q}]}`, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
					return true
				}
				c, _ := client(t, s)
				err := call(context.Background(), c)
				if err == nil {
					t.Fatal("no error")
				}
				for e := err; e != nil; e = errors.Unwrap(e) {
					for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
						if strings.Contains(text, token) {
							t.Fatalf("error text contains the token: %s", text)
						}
					}
				}
				if !strings.Contains(err.Error(), "[REDACTED]") {
					t.Errorf("error %q does not show the redaction", err)
				}
			})
		}
	}
}

func TestIsTeamMember(t *testing.T) {
	s := fake(t)
	s.Teams["shop/platform-admins"] = map[string]string{"oscar": "active", "peggy": "pending"}
	c, _ := client(t, s)
	for login, want := range map[string]bool{"oscar": true, "peggy": false, "grace": false} {
		got, err := c.IsTeamMember(context.Background(), "shop", "platform-admins", login)
		if err != nil || got != want {
			t.Errorf("IsTeamMember(%s) = %v, %v; want %v", login, got, err, want)
		}
	}
	lookup := c.TeamLookup(context.Background())
	if ok, err := lookup("shop/platform-admins", "oscar"); !ok || err != nil {
		t.Errorf("TeamLookup(oscar) = %v, %v", ok, err)
	}
	if _, err := lookup("platform-admins", "oscar"); err == nil {
		t.Errorf("TeamLookup without org succeeded")
	}
	s.FailNext("GET", "/memberships/oscar", 1, http.StatusInternalServerError, nil)
	if _, err := c.IsTeamMember(context.Background(), "shop", "platform-admins", "oscar"); err == nil {
		t.Errorf("IsTeamMember on a 500 succeeded, want an error")
	}
}

// GitHub answers 404 for a team the token cannot see as for a non-member: a lookup that cannot
// answer is an error naming the permission needed, never "not a member".
func TestTeamLookupThatCannotAnswer(t *testing.T) {
	tests := []struct {
		name   string
		status int // of GET /orgs/shop/teams/platform-admins; 0: the team is not there (404)
	}{
		{"team not visible (404, as with GITHUB_TOKEN)", 0},
		{"forbidden", http.StatusForbidden},
		{"server error", http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t)
			if tt.status != 0 {
				s.Teams["shop/platform-admins"] = map[string]string{"oscar": "active"}
				s.FailNext("GET", "/teams/platform-admins", 1, tt.status, nil)
			}
			c, _ := client(t, s)
			ok, err := c.IsTeamMember(context.Background(), "shop", "platform-admins", "grace")
			if err == nil || ok {
				t.Fatalf("IsTeamMember = %v, %v; want an error", ok, err)
			}
			if !strings.Contains(err.Error(), "members:read") || !strings.Contains(err.Error(), "read:org") {
				t.Errorf("error %q does not name the permission needed", err)
			}
		})
	}
}

func TestSetStatus(t *testing.T) {
	s := fake(t)
	c, _ := client(t, s)
	ctx := context.Background()
	if err := c.SetStatus(ctx, headSHA, "failure", "not approved: 1 item lacks approval", "https://ci.example/run/1"); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	long := strings.Repeat("x", 200)
	if err := c.SetStatus(ctx, headSHA, "success", long, ""); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	if err := c.SetStatus(ctx, headSHA, "approved", "", ""); err == nil {
		t.Errorf("SetStatus with state approved succeeded")
	}
	want := []githubtest.Status{
		{SHA: headSHA, State: "failure", Context: "gitsm/approval", Description: "not approved: 1 item lacks approval", TargetURL: "https://ci.example/run/1"},
		{SHA: headSHA, State: "success", Context: "gitsm/approval", Description: strings.Repeat("x", 139) + "…"},
	}
	if diff := cmp.Diff(want, s.Statuses); diff != "" {
		t.Errorf("statuses mismatch (-want +got):\n%s", diff)
	}
}

func TestUpsertComment(t *testing.T) {
	ctx := context.Background()
	marker := githubapi.CommentMarker
	t.Run("created once, then edited in place", func(t *testing.T) {
		s := fake(t)
		c, _ := client(t, s)
		if err := c.UpsertComment(ctx, 7, marker, "first"); err != nil {
			t.Fatal(err)
		}
		if err := c.UpsertComment(ctx, 7, marker, "second"); err != nil {
			t.Fatal(err)
		}
		if err := c.UpsertComment(ctx, 7, marker, "second"); err != nil {
			t.Fatal(err)
		}
		want := []*githubtest.Comment{{ID: 1001, Body: marker + "\nsecond", Author: "github-actions[bot]", Edits: 1}}
		if diff := cmp.Diff(want, s.Comments[7]); diff != "" {
			t.Errorf("comments mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("found on a later page", func(t *testing.T) {
		s := fake(t)
		for i := range 150 {
			s.Comments[7] = append(s.Comments[7], &githubtest.Comment{ID: int64(i + 1), Body: "lgtm", Author: "heidi"})
		}
		s.Comments[7] = append(s.Comments[7], &githubtest.Comment{ID: 500, Body: marker + "\nold", Author: "github-actions[bot]"})
		c, _ := client(t, s)
		if err := c.UpsertComment(ctx, 7, marker, marker+"\nnew"); err != nil {
			t.Fatal(err)
		}
		if n := len(s.Comments[7]); n != 151 {
			t.Errorf("%d comments, want 151", n)
		}
		if got := s.Comments[7][150]; got.Body != marker+"\nnew" || got.Edits != 1 {
			t.Errorf("comment = %+v, want edited", got)
		}
	})
	t.Run("a marker pasted by someone else is not ours", func(t *testing.T) {
		s := fake(t)
		s.Comments[7] = []*githubtest.Comment{{ID: 1, Body: "copying " + marker, Author: "mallory"}}
		c, _ := client(t, s)
		for _, body := range []string{"one", "two"} {
			if err := c.UpsertComment(ctx, 7, marker, body); err != nil {
				t.Fatal(err)
			}
		}
		want := []*githubtest.Comment{
			{ID: 1, Body: "copying " + marker, Author: "mallory"},
			{ID: 1001, Body: marker + "\ntwo", Author: "github-actions[bot]", Edits: 1},
		}
		if diff := cmp.Diff(want, s.Comments[7]); diff != "" {
			t.Errorf("comments mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("a marker in another user's comment is never edited, even when the token could", func(t *testing.T) {
		s := fake(t)
		s.Login = "gitsm-admin" // a personal token of an admin, who may edit anyone's comment
		s.Comments[7] = []*githubtest.Comment{{ID: 1, Body: marker + "\nforged result", Author: "gitsm-admin-2"}}
		s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodPatch {
				t.Errorf("edited a comment: %s", r.URL.Path)
			}
			return false
		}
		c, _ := client(t, s)
		if err := c.UpsertComment(ctx, 7, marker, "real"); err != nil {
			t.Fatal(err)
		}
		want := []*githubtest.Comment{
			{ID: 1, Body: marker + "\nforged result", Author: "gitsm-admin-2"},
			{ID: 1001, Body: marker + "\nreal", Author: "gitsm-admin"},
		}
		if diff := cmp.Diff(want, s.Comments[7]); diff != "" {
			t.Errorf("comments mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("a GitHub App token names its bot", func(t *testing.T) {
		s := fake(t)
		s.Login = "gitsm-gate[bot]"
		s.Comments[7] = []*githubtest.Comment{{ID: 5, Body: marker + "\nold", Author: "gitsm-gate[bot]"}}
		c, _ := client(t, s, func(cfg *githubapi.Config) { cfg.CommentAuthor = "gitsm-gate[bot]" })
		if err := c.UpsertComment(ctx, 7, marker, "new"); err != nil {
			t.Fatal(err)
		}
		want := []*githubtest.Comment{{ID: 5, Body: marker + "\nnew", Author: "gitsm-gate[bot]", Edits: 1}}
		if diff := cmp.Diff(want, s.Comments[7]); diff != "" {
			t.Errorf("comments mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("a body beyond GitHub's limit is shortened", func(t *testing.T) {
		s := fake(t)
		c, _ := client(t, s)
		if err := c.UpsertComment(ctx, 7, marker, strings.Repeat("a", 70000)); err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(s.Comments[7][0].Body)); n > 65536 {
			t.Errorf("comment has %d characters, more than 65536", n)
		}
	})
}

func TestSummary(t *testing.T) {
	tests := []struct {
		d    policy.Decision
		want string
	}{
		{policy.Decision{Approved: true}, "approved"},
		{policy.Decision{Records: []policy.RecordDecision{{Approved: false}, {Approved: true}}}, "not approved: 1 item lacks approval"},
		{policy.Decision{Records: []policy.RecordDecision{{}}, PathRules: []policy.RuleResult{{}}, Blockers: []policy.Blocker{{Login: "x"}}},
			"not approved: 2 items lack approval; changes requested by 1 required reviewer"},
		{policy.Decision{Errors: []string{"no head SHA"}}, "not approved: no head SHA"},
	}
	for _, tt := range tests {
		if got := githubapi.Summary(tt.d); got != tt.want {
			t.Errorf("Summary = %q, want %q", got, tt.want)
		}
	}
}

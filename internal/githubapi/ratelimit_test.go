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
)

const secondaryBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`

// failTimes makes the first n requests answer status with body and headers.
func failTimes(s *githubtest.Server, n, status int, headers map[string]string, body string) {
	calls := 0
	s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		calls++
		if calls > n {
			return false
		}
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return true
	}
}

func TestRateLimitWaitsAsGitHubDocuments(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		headers   map[string]string
		body      string
		times     int
		wantWaits []time.Duration
		wantErr   bool
	}{
		{"Retry-After beyond the request timeout is honoured", http.StatusForbidden, map[string]string{"Retry-After": "40"}, secondaryBody, 1, []time.Duration{40 * time.Second}, false},
		{"a bare 429 waits a minute", http.StatusTooManyRequests, nil, `{"message":"Too Many Requests"}`, 1, []time.Duration{time.Minute}, false},
		{"secondary limits back off exponentially from a minute", http.StatusForbidden, nil, secondaryBody, 2, []time.Duration{time.Minute, 2 * time.Minute}, false},
		{"then fail closed when the total is spent", http.StatusForbidden, nil, secondaryBody, 3, []time.Duration{time.Minute, 2 * time.Minute}, true},
		{"a reset beyond the total fails at once", http.StatusForbidden, githubtest.RateLimitHeaders(now.Add(6 * time.Minute)), `{"message":"API rate limit exceeded"}`, 1, nil, true},
		{"a reset within the total is waited for", http.StatusForbidden, githubtest.RateLimitHeaders(now.Add(4 * time.Minute)), `{"message":"API rate limit exceeded"}`, 1, []time.Duration{4*time.Minute + time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t)
			failTimes(s, tt.times, tt.status, tt.headers, tt.body)
			c, waits := client(t, s)
			_, err := c.PullRequest(context.Background(), 7)
			if (err != nil) != tt.wantErr {
				t.Fatalf("PullRequest error = %v, want error %v", err, tt.wantErr)
			}
			var ae *githubapi.APIError
			if tt.wantErr && (!errors.As(err, &ae) || !ae.RateLimited) {
				t.Errorf("error = %v, want a rate-limited *APIError", err)
			}
			if diff := cmp.Diff(tt.wantWaits, *waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The waits are outside the per-request timeout: a real (short) sleep longer than the client's
// timeout does not fail the call.
func TestWaitsAreOutsideTheRequestTimeout(t *testing.T) {
	s := fake(t)
	failTimes(s, 1, http.StatusTooManyRequests, map[string]string{"Retry-After": "40"}, `{"message":"slow down"}`)
	var waits []time.Duration
	c, _ := client(t, s, func(cfg *githubapi.Config) {
		cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
		cfg.Sleep = func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			time.Sleep(500 * time.Millisecond) // stands in for the 40 s
			return ctx.Err()
		}
	})
	if _, err := c.PullRequest(context.Background(), 7); err != nil {
		t.Fatalf("PullRequest: %v", err)
	}
	if diff := cmp.Diff([]time.Duration{40 * time.Second}, waits); diff != "" {
		t.Errorf("waits mismatch (-want +got):\n%s", diff)
	}
}

// The total is for the client, not per request.
func TestWaitBudgetIsShared(t *testing.T) {
	s := fake(t)
	c, waits := client(t, s, func(cfg *githubapi.Config) { cfg.MaxTotalWait = 90 * time.Second })
	failTimes(s, 1, http.StatusForbidden, map[string]string{"Retry-After": "60"}, secondaryBody)
	if _, err := c.PullRequest(context.Background(), 7); err != nil {
		t.Fatalf("first call: %v", err)
	}
	failTimes(s, 1, http.StatusForbidden, map[string]string{"Retry-After": "60"}, secondaryBody)
	if _, err := c.PullRequest(context.Background(), 7); err == nil {
		t.Errorf("second call succeeded after waiting past the total")
	}
	if diff := cmp.Diff([]time.Duration{time.Minute}, *waits); diff != "" {
		t.Errorf("waits mismatch (-want +got):\n%s", diff)
	}
}

// Servers may cap a page lower than per_page: a short page that links onward is followed.
func TestShortPageThatLinksOnward(t *testing.T) {
	s := fake(t)
	s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/reviews") {
			return false
		}
		page := r.URL.Query().Get("page")
		w.Header().Set("Content-Type", "application/json")
		review := func(id int, login string) string {
			return fmt.Sprintf(`{"id":%d,"user":{"login":%q,"type":"User"},"state":"APPROVED","commit_id":"%s","submitted_at":"2026-03-02T10:00:00Z"}`, id, login, headSHA)
		}
		switch page {
		case "", "1":
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/shop/records/pulls/7/reviews?page=2&per_page=100>; rel="next", <%s/repos/shop/records/pulls/7/reviews?page=3&per_page=100>; rel="last"`, s.URL, s.URL))
			fmt.Fprintf(w, "[%s,%s]", review(1, "grace"), review(2, "heidi"))
		case "2":
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/shop/records/pulls/7/reviews?page=3&per_page=100>; rel="next"`, s.URL))
			fmt.Fprintf(w, "[%s]", review(3, "ivan"))
		default:
			fmt.Fprintf(w, "[%s]", review(4, "judy"))
		}
		return true
	}
	c, _ := client(t, s)
	got, err := c.Reviews(context.Background(), 7)
	if err != nil {
		t.Fatalf("Reviews: %v", err)
	}
	var logins []string
	for _, r := range got {
		logins = append(logins, r.Login)
	}
	if diff := cmp.Diff([]string{"grace", "heidi", "ivan", "judy"}, logins); diff != "" {
		t.Errorf("reviewers mismatch (-want +got):\n%s", diff)
	}
}

// A server that always links to one more page is cut off at 1,000 pages: incomplete, not endless.
func TestTooManyPages(t *testing.T) {
	s := fake(t)
	requests := 0
	s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		requests++
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		w.Header().Set("Link", fmt.Sprintf(`<%s/repos/shop/records/pulls/7/reviews?page=%d&per_page=100>; rel="next"`, s.URL, page+1))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "[]")
		return true
	}
	c, _ := client(t, s)
	if _, err := c.Reviews(context.Background(), 7); !errors.Is(err, githubapi.ErrTruncated) {
		t.Errorf("Reviews error = %v, want ErrTruncated", err)
	}
	if requests != 1000 {
		t.Errorf("%d requests, want 1000", requests)
	}
}

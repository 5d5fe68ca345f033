package githubapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
	"github.com/gitsm/gitsm/internal/policy"
)

// basePolicy is the policy at the base commit; headPolicy is what the pull request would make
// of it. The gate must only ever use the base.
const basePolicy = `groups:
  cab:       {members: [grace, heidi]}
  team-shop: {members: [frank, ivan]}
  team-data: {members: [judy]}
  admins:    {team: shop/platform-admins}
rules:
  - name: normal changes need the CAB and the owners of the CIs they touch
    match: {types: [normal]}
    require: [{group: cab, count: 1}, {ci_owners: true}]
  - name: the policy and the schemas are guarded
    match: {paths: [".gitsm/**", "schemas/**"]}
    require: [{group: admins, count: 1}]
`

const headPolicy = `rules:
  - {name: anything goes, match: {}, require: [{none: true}]}
  - {name: files too, match: {paths: ["**"]}, require: [{none: true}]}
`

var cis = map[string]map[string]any{
	"checkout-api": {"id": "checkout-api", "owner": "team-shop", "environment": "production"},
	"payments-db":  {"id": "payments-db", "owner": "team-data", "environment": "production"},
}

func change(id, state string, ci string) map[string]any {
	return map[string]any{
		"apiVersion": "gitsm/v1", "kind": "Change", "id": id, "title": "t", "type": "normal", "state": state,
		"risk": "moderate", "cis": []any{ci}, "implementation_plan": "p", "backout_plan": "b",
		"planned_start": "2026-03-03T01:00:00Z", "planned_end": "2026-03-03T02:00:00Z",
	}
}

func scheduling(id, ci string) policy.Change {
	return policy.Change{Path: "changes/2026/" + id + ".yaml", Base: change(id, "authorize", ci), Head: change(id, "scheduled", ci)}
}

// gate is what `gitsm approval check` does once it has read the records from git: read the
// pull request at the given head, evaluate the base policy, publish the result.
func gate(ctx context.Context, c *githubapi.Client, n int, givenHead string, changes []policy.Change) (policy.Decision, error) {
	snap, err := c.Snapshot(ctx, n, givenHead)
	if err != nil {
		return policy.Decision{}, err
	}
	pol, err := policy.Parse([]byte(basePolicy))
	if err != nil {
		return policy.Decision{}, err
	}
	d := pol.Evaluate(policy.Input{
		Changes:      changes,
		CIs:          cis,
		ChangedPaths: snap.Files,
		Reviews:      snap.Reviews,
		Author:       snap.PR.Author,
		HeadSHA:      snap.PR.HeadSHA,
		IsTeamMember: c.TeamLookup(ctx),
	})
	state := "failure"
	if d.Approved {
		state = "success"
	}
	if err := c.SetStatus(ctx, givenHead, state, githubapi.Summary(d), "https://ci.example/runs/1"); err != nil {
		return d, err
	}
	return d, c.UpsertComment(ctx, n, githubapi.CommentMarker, githubapi.CommentMarker+"\n"+d.Markdown())
}

func review(id int64, login, state, commit string, minute int) githubtest.Review {
	return githubtest.Review{ID: id, Login: login, State: state, CommitID: commit, SubmittedAt: now.Add(time.Duration(minute) * time.Minute)}
}

func TestApprovalGateEndToEnd(t *testing.T) {
	one := []policy.Change{scheduling("CHG-000001", "checkout-api")}
	two := append(one, scheduling("CHG-000002", "payments-db"))
	bot := review(9, "approver[bot]", "APPROVED", headSHA, 2)
	bot.UserType = "Bot"
	tests := []struct {
		name     string
		changes  []policy.Change
		files    []githubtest.File
		reviews  []githubtest.Review
		want     bool
		wantText string
	}{
		{"approval satisfied", one, nil,
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2)}, true, ""},
		{"author self-approval ignored", one, nil,
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1), review(2, "frank", "APPROVED", headSHA, 2)}, false, "frank (APPROVED, review 2): pull request author"},
		{"stale approval ignored", one, nil,
			[]githubtest.Review{review(1, "grace", "APPROVED", oldSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2)}, false, "stale: approved 000000000000"},
		{"latest review per user wins: approval withdrawn", one, nil,
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2), review(3, "grace", "CHANGES_REQUESTED", headSHA, 3)}, false, "changes requested by grace"},
		{"latest review per user wins: re-approved", one, nil,
			[]githubtest.Review{review(1, "grace", "CHANGES_REQUESTED", oldSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2), review(3, "grace", "APPROVED", headSHA, 3)}, true, ""},
		{"CHANGES_REQUESTED by a required approver blocks", one, nil,
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2), review(3, "heidi", "CHANGES_REQUESTED", headSHA, 3)}, false, "blocked: heidi requested changes"},
		{"bot ignored", one, nil,
			[]githubtest.Review{bot, review(2, "ivan", "APPROVED", headSHA, 2)}, false, "approver[bot] (APPROVED, review 9): bot"},
		{"deleted user ignored", one, nil,
			[]githubtest.Review{{ID: 4, Ghost: true, State: "APPROVED", CommitID: headSHA, SubmittedAt: now}, review(2, "ivan", "APPROVED", headSHA, 2)}, false, "deleted user"},
		{"two change records each evaluated: one lacks its owner", two, nil,
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2)}, false, "CHG-000002 changes/2026/CHG-000002.yaml: [FAIL]"},
		{"two change records each evaluated: both approved", two, nil,
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2), review(3, "judy", "APPROVED", headSHA, 3)}, true, ""},
		{"a PR editing the policy needs the base policy's admins", nil, []githubtest.File{{Filename: ".gitsm/policy.yaml"}},
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1)}, false, "missing 1 more approval from admins (team shop/platform-admins)"},
		{"the base policy's admins approve the policy edit", nil, []githubtest.File{{Filename: ".gitsm/policy.yaml"}},
			[]githubtest.Review{review(1, "oscar", "APPROVED", headSHA, 1)}, true, ""},
		{"a policy weakened in the head has no effect", one, []githubtest.File{{Filename: ".gitsm/policy.yaml"}, {Filename: "changes/2026/CHG-000001.yaml"}},
			[]githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1)}, false, "[FAIL] the policy and the schemas are guarded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t)
			s.Teams["shop/platform-admins"] = map[string]string{"oscar": "active"}
			if tt.files != nil {
				s.PRs[7].Files = tt.files
			}
			s.PRs[7].Reviews = tt.reviews
			c, _ := client(t, s)
			d, err := gate(context.Background(), c, 7, headSHA, tt.changes)
			if err != nil {
				t.Fatalf("gate: %v", err)
			}
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
			if !strings.Contains(d.Text(), tt.wantText) {
				t.Errorf("text lacks %q:\n%s", tt.wantText, d.Text())
			}
			wantState := map[bool]string{true: "success", false: "failure"}[tt.want]
			if len(s.Statuses) != 1 || s.Statuses[0].State != wantState || s.Statuses[0].SHA != headSHA || s.Statuses[0].Context != "gitsm/approval" {
				t.Errorf("statuses = %+v, want one %s gitsm/approval on the head", s.Statuses, wantState)
			}
			if len(s.Comments[7]) != 1 || !strings.HasPrefix(s.Comments[7][0].Body, githubapi.CommentMarker+"\n") {
				t.Errorf("comments = %+v, want one with the marker", s.Comments[7])
			}
		})
	}
}

func TestApprovalGateHeadMismatchRefused(t *testing.T) {
	s := fake(t)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", oldSHA, 1), review(2, "ivan", "APPROVED", oldSHA, 2)}
	c, _ := client(t, s)
	_, err := gate(context.Background(), c, 7, oldSHA, []policy.Change{scheduling("CHG-000001", "checkout-api")})
	var hm *githubapi.HeadMismatchError
	if !errors.As(err, &hm) || hm.Given != oldSHA || hm.Actual != headSHA {
		t.Fatalf("gate error = %v, want a *HeadMismatchError", err)
	}
	if len(s.Statuses) != 0 || len(s.Comments[7]) != 0 {
		t.Errorf("published %+v %+v on a refused head", s.Statuses, s.Comments[7])
	}
}

func TestApprovalGateHeadMovesWhileReading(t *testing.T) {
	s := fake(t)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1), review(2, "ivan", "APPROVED", headSHA, 2)}
	s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/files") {
			s.Lock()
			s.PRs[7].HeadSHA = "2222222222222222222222222222222222222222"
			s.Unlock()
		}
		return false
	}
	c, _ := client(t, s)
	_, err := gate(context.Background(), c, 7, headSHA, []policy.Change{scheduling("CHG-000001", "checkout-api")})
	var hm *githubapi.HeadMismatchError
	if !errors.As(err, &hm) {
		t.Fatalf("gate error = %v, want a *HeadMismatchError", err)
	}
}

// Semantic 5 at the API layer: any failure means no success status and an error for the caller.
func TestApprovalGateFailsClosedOnAPIErrors(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		suffix  string
		status  int
		headers map[string]string
	}{
		{"500 on reviews", "GET", "/reviews", http.StatusInternalServerError, nil},
		{"403 on files", "GET", "/files", http.StatusForbidden, nil},
		{"404 on the pull request", "GET", "/pulls/7", http.StatusNotFound, nil},
		{"rate limit on reviews never lifts", "GET", "/reviews", http.StatusForbidden, githubtest.RateLimitHeaders(now.Add(30 * time.Second))},
		{"500 on a team lookup", "GET", "/memberships/oscar", http.StatusInternalServerError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t)
			s.Teams["shop/platform-admins"] = map[string]string{"oscar": "active"}
			s.PRs[7].Files = []githubtest.File{{Filename: ".gitsm/policy.yaml"}}
			s.PRs[7].Reviews = []githubtest.Review{review(1, "oscar", "APPROVED", headSHA, 1)}
			s.FailNext(tt.method, tt.suffix, 1000, tt.status, tt.headers)
			c, _ := client(t, s)
			d, err := gate(context.Background(), c, 7, headSHA, nil)
			if err == nil && d.Approved {
				t.Fatalf("approved despite %s", tt.name)
			}
			for _, st := range s.Statuses {
				if st.State == "success" {
					t.Errorf("a success status was set: %+v", st)
				}
			}
		})
	}
}

// The status and the single comment are updated, not duplicated, when the gate runs again.
func TestApprovalGateUpdatesStatusAndComment(t *testing.T) {
	s := fake(t)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1)}
	c, _ := client(t, s)
	changes := []policy.Change{scheduling("CHG-000001", "checkout-api")}
	if d, err := gate(context.Background(), c, 7, headSHA, changes); err != nil || d.Approved {
		t.Fatalf("first run: approved=%v err=%v, want not approved", d.Approved, err)
	}
	s.Lock()
	s.PRs[7].Reviews = append(s.PRs[7].Reviews, review(2, "ivan", "APPROVED", headSHA, 2))
	s.Unlock()
	if d, err := gate(context.Background(), c, 7, headSHA, changes); err != nil || !d.Approved {
		t.Fatalf("second run: approved=%v err=%v, want approved", d.Approved, err)
	}
	var states []string
	for _, st := range s.Statuses {
		states = append(states, st.Context+"="+st.State)
	}
	if diff := cmp.Diff([]string{"gitsm/approval=failure", "gitsm/approval=success"}, states); diff != "" {
		t.Errorf("statuses mismatch (-want +got):\n%s", diff)
	}
	if len(s.Comments[7]) != 1 {
		t.Fatalf("%d comments, want 1", len(s.Comments[7]))
	}
	cm := s.Comments[7][0]
	if cm.Edits != 1 || !strings.Contains(cm.Body, "✅ gitsm approval: approved") || !strings.Contains(cm.Body, "ivan (team-shop)") {
		t.Errorf("comment = %+v, want edited once to the approved table", cm)
	}
}

// The rendered outputs never carry the token either.
func TestTokenNotInRenderedOutputs(t *testing.T) {
	s := fake(t)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", headSHA, 1)}
	s.PRs[7].Files = []githubtest.File{{Filename: ".gitsm/policy.yaml"}}
	s.Teams["shop/platform-admins"] = map[string]string{}
	c, _ := client(t, s)
	d, err := gate(context.Background(), c, 7, headSHA, []policy.Change{scheduling("CHG-000001", "checkout-api")})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{d.Text(), d.Markdown(), s.Comments[7][0].Body, s.Statuses[0].Description} {
		if strings.Contains(out, token) {
			t.Errorf("output contains the token:\n%s", out)
		}
	}
}

// TestHeadPolicyWouldApprove is the control for "a policy weakened in the head has no effect":
// the head's policy, had the gate read it, approves the same pull request with the same
// review, so the gate's refusal comes from reading the base.
func TestHeadPolicyWouldApprove(t *testing.T) {
	pol, err := policy.Parse([]byte(headPolicy))
	if err != nil {
		t.Fatal(err)
	}
	d := pol.Evaluate(policy.Input{
		Changes:      []policy.Change{scheduling("CHG-000001", "checkout-api")},
		CIs:          cis,
		ChangedPaths: []string{".gitsm/policy.yaml", "changes/2026/CHG-000001.yaml"},
		Reviews:      []policy.Review{{ID: 1, Login: "grace", UserType: "User", State: "APPROVED", CommitID: headSHA, SubmittedAt: now}},
		Author:       "frank",
		HeadSHA:      headSHA,
	})
	if !d.Approved {
		t.Fatalf("the head policy does not approve, so the weakened-policy case proves nothing:\n%s", d.Text())
	}
}

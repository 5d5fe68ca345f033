package approval_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
	"github.com/gitsm/gitsm/internal/policy"
)

func checkArgs(p *pr, extra ...string) []string {
	return append([]string{"approval", "check", "--base", "main", "--head", p.head.String(), "--pr", "7"}, extra...)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		edits map[string]string
		// files replaces the files GitHub lists for the pull request (nil: the default).
		files   []githubtest.File
		reviews func(head plumbing.Hash) []githubtest.Review
		// fail makes the fake answer 500 to requests whose path ends so.
		fail      string
		wantCode  int
		wantState string
		wantOut   []string
	}{
		{
			name: "approved by the CAB and the CI owner", edits: scheduling(),
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1), review(2, "ivan", "APPROVED", h, 2)}
			},
			wantCode: 0, wantState: "success", wantOut: []string{"approval: approved", "[ok] normal changes need the CAB"},
		},
		{
			name: "the CI owner is missing", edits: scheduling(),
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1)}
			},
			wantCode: 1, wantState: "failure", wantOut: []string{"approval: not approved", "1 more approval from team-shop (frank, ivan) (owner of checkout-api)"},
		},
		{
			name: "the author's own approval never counts", edits: scheduling(),
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1), review(2, "frank", "APPROVED", h, 2)}
			},
			wantCode: 1, wantState: "failure", wantOut: []string{"ignored: frank (APPROVED, review 2): pull request author"},
		},
		{
			name:  "a policy weakened in the head has no effect",
			edits: with(scheduling(), map[string]string{".gitsm/policy.yaml": weakPolicy}),
			files: []githubtest.File{{Filename: ".gitsm/policy.yaml"}, {Filename: "changes/CHG-000001.yaml"}},
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1), review(2, "ivan", "APPROVED", h, 2)}
			},
			wantCode: 1, wantState: "failure",
			wantOut: []string{"[ok] normal changes need the CAB", "[FAIL] the policy and the schemas are guarded: missing 1 more approval from admins (team shop/platform-admins)"},
		},
		{
			name:  "a PR editing the policy needs the base policy's admins",
			edits: map[string]string{".gitsm/policy.yaml": weakPolicy},
			files: []githubtest.File{{Filename: ".gitsm/policy.yaml"}},
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1)}
			},
			wantCode: 1, wantState: "failure", wantOut: []string{"missing 1 more approval from admins (team shop/platform-admins)", "files: .gitsm/policy.yaml"},
		},
		{
			name:  "the base policy's admins approve the policy edit",
			edits: map[string]string{".gitsm/policy.yaml": weakPolicy},
			files: []githubtest.File{{Filename: ".gitsm/policy.yaml"}},
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "oscar", "APPROVED", h, 1)}
			},
			wantCode: 0, wantState: "success", wantOut: []string{"[ok] the policy and the schemas are guarded: approved by oscar (admins)"},
		},
		{
			// GitHub lists at most 3,000 files: a file only the git diff shows still counts.
			name:  "a file GitHub does not list is found by the git diff",
			edits: map[string]string{".gitsm/policy.yaml": weakPolicy},
			files: []githubtest.File{},
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1)}
			},
			wantCode: 1, wantState: "failure", wantOut: []string{"files: .gitsm/policy.yaml"},
		},
		{
			// And a file only GitHub lists counts too.
			name: "a file only GitHub lists counts", edits: scheduling(),
			files: []githubtest.File{{Filename: "changes/CHG-000001.yaml"}, {Filename: "schemas/change.json"}},
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1), review(2, "ivan", "APPROVED", h, 2)}
			},
			wantCode: 1, wantState: "failure", wantOut: []string{"files: schemas/change.json"},
		},
		{
			name: "an approval of an older commit is stale", edits: scheduling(),
			reviews: func(h plumbing.Hash) []githubtest.Review {
				return []githubtest.Review{review(1, "grace", "APPROVED", h, 1), review(2, "ivan", "APPROVED", plumbing.ZeroHash, 2)}
			},
			wantCode: 1, wantState: "failure", wantOut: []string{"stale: approved 000000000000"},
		},
		{
			name: "nothing to approve", edits: map[string]string{"incidents/INC-000001.yaml": "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000001\ntitle: t2\n"},
			files:    []githubtest.File{{Filename: "incidents/INC-000001.yaml"}},
			reviews:  func(plumbing.Hash) []githubtest.Review { return nil },
			wantCode: 0, wantState: "success", wantOut: []string{"approval: approved"},
		},
		{
			name: "an API failure stops the check", edits: scheduling(), fail: "/reviews",
			reviews:  func(plumbing.Hash) []githubtest.Review { return nil },
			wantCode: 2, wantState: "error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPR(t, tt.edits)
			s := server(t, p)
			s.PRs[7].Reviews = tt.reviews(p.head)
			if tt.files != nil {
				s.PRs[7].Files = tt.files
			}
			if tt.fail != "" {
				s.FailNext("GET", tt.fail, 1, http.StatusInternalServerError, nil)
			}
			code, out, errOut := run(t, p.fx.dir, githubEnv(s), checkArgs(p)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			var states []string
			for _, st := range s.Statuses {
				if st.SHA != p.head.String() || st.Context != githubapi.StatusContext {
					t.Errorf("status %+v, want %s on the head %s", st, githubapi.StatusContext, p.head)
				}
				states = append(states, st.State)
			}
			if diff := cmp.Diff([]string{tt.wantState}, states); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			wantComments := 1
			if tt.wantCode == 2 {
				wantComments = 0
			}
			if got := len(s.Comments[7]); got != wantComments {
				t.Errorf("%d comments, want %d", got, wantComments)
			}
		})
	}
}

// A second run edits the one comment and sets the status again.
func TestCheckUpdatesStatusAndComment(t *testing.T) {
	p := newPR(t, scheduling())
	s := server(t, p)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", p.head, 1)}
	env := githubEnv(s)
	if code, out, errOut := run(t, p.fx.dir, env, checkArgs(p)...); code != 1 {
		t.Fatalf("first run: exit %d, want 1\n%s%s", code, out, errOut)
	}
	s.PRs[7].Reviews = append(s.PRs[7].Reviews, review(2, "ivan", "APPROVED", p.head, 2))
	code, _, errOut := run(t, p.fx.dir, env, checkArgs(p)...)
	if code != 0 {
		t.Fatalf("second run: exit %d, want 0\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "gitsm/approval: success on "+p.head.String()[:12]) {
		t.Errorf("stderr lacks the status line:\n%s", errOut)
	}
	var states []string
	for _, st := range s.Statuses {
		states = append(states, st.State)
	}
	if diff := cmp.Diff([]string{"failure", "success"}, states); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if len(s.Comments[7]) != 1 {
		t.Fatalf("%d comments, want 1", len(s.Comments[7]))
	}
	c := s.Comments[7][0]
	if c.Edits != 1 || !strings.HasPrefix(c.Body, githubapi.CommentMarker) || !strings.Contains(c.Body, "gitsm approval: approved") {
		t.Errorf("comment edited %d times (want 1), body:\n%s", c.Edits, c.Body)
	}
	// A third run with nothing new leaves the comment alone.
	if code, _, _ := run(t, p.fx.dir, env, checkArgs(p)...); code != 0 {
		t.Fatalf("third run: exit %d", code)
	}
	if c.Edits != 1 {
		t.Errorf("an unchanged comment was edited again (%d edits)", c.Edits)
	}
}

func TestCheckCannotRun(t *testing.T) {
	tests := []struct {
		name string
		// setup adjusts the fake and the environment; args replace the usual ones when set.
		setup     func(p *pr, s *githubtest.Server, env map[string]string)
		args      func(p *pr) []string
		wantErr   string
		wantState []string
	}{
		{
			name: "the head is not the pull request's",
			setup: func(p *pr, s *githubtest.Server, env map[string]string) {
				s.PRs[7].HeadSHA = strings.Repeat("9", 40)
			},
			wantErr: "is not the head of pull request 7", wantState: []string{"error"},
		},
		{
			name:    "no token",
			setup:   func(p *pr, s *githubtest.Server, env map[string]string) { delete(env, "GITHUB_TOKEN") },
			wantErr: "GITHUB_TOKEN is not set",
		},
		{
			name:    "a token GitHub refuses",
			setup:   func(p *pr, s *githubtest.Server, env map[string]string) { env["GITHUB_TOKEN"] = token + "-revoked" },
			wantErr: "401 Bad credentials",
		},
		{
			name: "the server echoes the token in an error",
			setup: func(p *pr, s *githubtest.Server, env map[string]string) {
				s.Hook = func(w http.ResponseWriter, r *http.Request) bool {
					if !strings.HasSuffix(r.URL.Path, "/files") {
						return false
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusInternalServerError)
					_ = json.NewEncoder(w).Encode(map[string]string{"message": "boom for " + r.Header.Get("Authorization")})
					return true
				}
			},
			wantErr: "500", wantState: []string{"error"},
		},
		{
			name: "a head that is not in the repository",
			args: func(p *pr) []string {
				return []string{"approval", "check", "--base", "main", "--head", strings.Repeat("a", 40), "--pr", "7"}
			},
			wantErr: "fetch the pull request's commits first", wantState: []string{"error"},
		},
		{
			name: "no pull request number",
			args: func(p *pr) []string {
				return []string{"approval", "check", "--base", "main", "--head", p.head.String()}
			},
			wantErr: "GITHUB_EVENT_PATH is not set; pass --pr N",
		},
		{
			name:    "missing --head",
			args:    func(p *pr) []string { return []string{"approval", "check", "--base", "main", "--pr", "7"} },
			wantErr: "--head SHA is required",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPR(t, scheduling())
			s := server(t, p)
			env := githubEnv(s)
			if tt.setup != nil {
				tt.setup(p, s, env)
			}
			args := checkArgs(p)
			if tt.args != nil {
				args = tt.args(p)
			}
			code, out, errOut := run(t, p.fx.dir, env, args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut)
			}
			var states []string
			for _, st := range s.Statuses {
				states = append(states, st.State)
				if st.State == "success" {
					t.Errorf("a check that could not run set success")
				}
			}
			if diff := cmp.Diff(tt.wantState, states); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckFormatsAndEvent(t *testing.T) {
	p := newPR(t, scheduling())
	s := server(t, p)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", p.head, 1), review(2, "ivan", "APPROVED", p.head, 2)}
	env := githubEnv(s)
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"action": "synchronize", "pull_request": {"number": 7}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env["GITHUB_EVENT_PATH"] = event

	code, out, _ := run(t, p.fx.dir, env, "approval", "check", "--base", "main", "--head", p.head.String(), "--format", "json", "--no-publish")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var d policy.Decision
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("stdout is not a decision: %v\n%s", err, out)
	}
	var got []string
	for _, r := range d.Records {
		for _, rr := range r.Rules {
			for _, a := range rr.Approvers {
				got = append(got, r.ID+" "+a.Login+"/"+a.Group)
			}
		}
	}
	if diff := cmp.Diff([]string{"CHG-000001 grace/cab", "CHG-000001 ivan/team-shop"}, got); diff != "" {
		t.Errorf("approvers (-want +got):\n%s", diff)
	}
	if len(s.Statuses) != 0 || len(s.Comments[7]) != 0 {
		t.Errorf("--no-publish published: %d statuses, %d comments", len(s.Statuses), len(s.Comments[7]))
	}
	code, out, _ = run(t, p.fx.dir, env, "approval", "check", "--base", "main", "--head", "chg-1", "--format", "markdown", "--no-publish")
	if code != 0 || !strings.HasPrefix(out, "### ✅ gitsm approval: approved") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
}

// A base policy that does not validate fails closed: not approved (exit 1), and the status and
// the comment say why, with the policy's line numbers.
func TestCheckInvalidBasePolicy(t *testing.T) {
	fx := newFixture(t)
	base := with(baseFiles(), map[string]string{".gitsm/policy.yaml": "groups: {cab: {members: [grace]}}\nrules:\n  - {name: a, match: {owners: [normal]}, require: [{group: cab}]}\n"})
	b := fx.commit("base\n", base)
	h := fx.commit("head\n", with(base, scheduling()), b)
	fx.branch("main", b)
	p := &pr{fx: fx, base: b, head: h}
	s := server(t, p)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", h, 1), review(2, "ivan", "APPROVED", h, 2)}
	code, out, errOut := run(t, fx.dir, githubEnv(s), checkArgs(p)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	want := "error: .gitsm/policy.yaml at the base " + b.String()[:12] + " is invalid: line 3: rules.0.match.owners: unknown key"
	if !strings.Contains(out, want) {
		t.Errorf("stdout lacks %q:\n%s", want, out)
	}
	if len(s.Statuses) != 1 || s.Statuses[0].State != "failure" || !strings.Contains(s.Statuses[0].Description, "is invalid") {
		t.Errorf("statuses: %+v", s.Statuses)
	}
	if len(s.Comments[7]) != 1 || !strings.Contains(s.Comments[7][0].Body, "unknown key") {
		t.Errorf("comments: %+v", s.Comments[7])
	}
}

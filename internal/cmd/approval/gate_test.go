package approval_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
)

func writeEvent(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func states(s *githubtest.Server) []string {
	s.Lock()
	defer s.Unlock()
	var out []string
	for _, st := range s.Statuses {
		out = append(out, st.SHA[:7]+" "+st.State)
	}
	return out
}

// Bypass: one commit status, many pull requests. A second pull request with the same head into
// a branch with a weaker policy must not turn the first one's failure into success.
func TestCheckOneStatusManyPullRequests(t *testing.T) {
	p := newPR(t, scheduling())
	weak := p.fx.commit("a branch with a weak policy\n", with(baseFiles(), map[string]string{".gitsm/policy.yaml": weakPolicy}), p.base)
	p.fx.branch("weak", weak)
	s := server(t, p)
	s.Branches["weak"] = weak.String()
	s.Ancestors[weak.String()] = []string{p.base.String()}
	s.PRs[8] = &githubtest.PR{Number: 8, Title: "same head, weaker base", Author: "frank",
		HeadSHA: p.head.String(), HeadRef: "chg-1", BaseSHA: weak.String(), BaseRef: "weak",
		Files: s.PRs[7].Files, Commits: s.PRs[7].Commits}

	code, _, errOut := run(t, p.fx.dir, githubEnv(s), "approval", "check", "--base", "weak", "--head", p.head.String(), "--pr", "8")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (pull request #7 with the same head is not approved)\n%s", code, errOut)
	}
	if diff := cmp.Diff([]string{p.head.String()[:7] + " failure"}, states(s)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if !strings.Contains(s.Statuses[0].Description, "#7 not approved") {
		t.Errorf("status description %q does not name pull request #7", s.Statuses[0].Description)
	}
	if len(s.Comments[7]) != 1 || len(s.Comments[8]) != 1 {
		t.Errorf("comments: %d on #7, %d on #8; want one each", len(s.Comments[7]), len(s.Comments[8]))
	}
	if !strings.Contains(s.Comments[8][0].Body, "approved") || !strings.Contains(s.Comments[7][0].Body, "not approved") {
		t.Errorf("each pull request's comment should carry its own decision:\n#7: %s\n#8: %s", s.Comments[7][0].Body, s.Comments[8][0].Body)
	}

	// Closing #7 frees #8: the run for the closing judges the open ones only.
	s.PRs[7].State = "closed"
	if code, _, errOut := run(t, p.fx.dir, githubEnv(s), "approval", "check", "--base", "main", "--head", p.head.String(), "--pr", "7"); code != 0 {
		t.Fatalf("after closing #7: exit %d, want 0\n%s", code, errOut)
	}
	if got := states(s); got[len(got)-1] != p.head.String()[:7]+" success" {
		t.Errorf("statuses %v, want success last", got)
	}
	s.PRs[8].State = "closed"
	if code, _, errOut := run(t, p.fx.dir, githubEnv(s), "approval", "check", "--base", "main", "--head", p.head.String(), "--pr", "7"); code != 0 || !strings.Contains(errOut, "nothing to judge") {
		t.Errorf("all closed: exit %d, want 0 with nothing to judge\n%s", code, errOut)
	}
	s.PRs[7].State, s.PRs[8].State = "open", "open"

	// Once #7 is approved too, the shared status is success.
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", p.head, 1), review(2, "ivan", "APPROVED", p.head, 2)}
	if code, _, errOut := run(t, p.fx.dir, githubEnv(s), "approval", "check", "--base", "weak", "--head", p.head.String(), "--pr", "8"); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, errOut)
	}
	if got := states(s); got[len(got)-1] != p.head.String()[:7]+" success" {
		t.Errorf("statuses %v, want success last", got)
	}
}

// Bypass: --base from another branch would judge the pull request by that branch's policy.
func TestCheckBaseNotOnTheBaseBranch(t *testing.T) {
	p := newPR(t, scheduling())
	weak := p.fx.commit("a branch with a weak policy\n", with(baseFiles(), map[string]string{".gitsm/policy.yaml": weakPolicy}), p.base)
	p.fx.branch("weak", weak)
	s := server(t, p)
	s.Ancestors[weak.String()] = []string{p.base.String()}
	code, _, errOut := run(t, p.fx.dir, githubEnv(s), "approval", "check", "--base", "weak", "--head", p.head.String(), "--pr", "7")
	if code != 2 || !strings.Contains(errOut, "is not on branch main") {
		t.Fatalf("exit %d, want 2 with \"is not on branch main\"\n%s", code, errOut)
	}
	for _, st := range s.Statuses {
		if st.State != "error" {
			t.Errorf("status %s, want error", st.State)
		}
	}
}

// The base branch moved on since the event: the pull request is judged against the tip, which
// must be fetched.
func TestCheckJudgesAgainstTheBaseTip(t *testing.T) {
	p := newPR(t, scheduling())
	tip := p.fx.commit("main moves on\n", with(baseFiles(), map[string]string{"README.md": "moved\n"}), p.base)
	s := server(t, p)
	s.Branches["main"] = tip.String()
	s.Ancestors[tip.String()] = []string{p.base.String()}
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", p.head, 1), review(2, "ivan", "APPROVED", p.head, 2)}
	code, _, errOut := run(t, p.fx.dir, githubEnv(s), checkArgs(p, "--base", p.base.String())...)
	if code != 0 {
		t.Fatalf("exit %d, want 0 (judged against the fetched tip)\n%s", code, errOut)
	}
	s.Branches["main"] = strings.Repeat("5", 40)
	s.Ancestors[strings.Repeat("5", 40)] = []string{p.base.String()}
	code, _, errOut = run(t, p.fx.dir, githubEnv(s), checkArgs(p, "--base", p.base.String())...)
	if code != 2 || !strings.Contains(errOut, "git fetch origin main") {
		t.Errorf("exit %d, want 2 asking to fetch the tip\n%s", code, errOut)
	}
}

// Bypass: a team the token cannot read is an error naming the permission, never "not a member"
// (a team member's CHANGES_REQUESTED would otherwise be dropped).
func TestCheckTeamLookupThatCannotAnswer(t *testing.T) {
	p := newPR(t, map[string]string{".gitsm/policy.yaml": weakPolicy})
	s := server(t, p)
	s.PRs[7].Files = []githubtest.File{{Filename: ".gitsm/policy.yaml"}}
	delete(s.Teams, "shop/platform-admins") // as GITHUB_TOKEN sees every team: 404
	s.PRs[7].Reviews = []githubtest.Review{review(1, "oscar", "CHANGES_REQUESTED", p.head, 1)}
	code, _, errOut := run(t, p.fx.dir, githubEnv(s), checkArgs(p)...)
	if code != 2 || !strings.Contains(errOut, "members:read") {
		t.Fatalf("exit %d, want 2 naming members:read\n%s", code, errOut)
	}
	if diff := cmp.Diff([]string{p.head.String()[:7] + " error"}, states(s)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// Under a merge queue the merge group's commit is judged against the commit it was built on,
// with the reviews of the pull request its head ref names; the status goes on the merge commit.
func TestCheckMergeGroup(t *testing.T) {
	p := newPR(t, scheduling())
	mg := p.fx.commit("Merge pull request #7 (merge queue)\n", with(baseFiles(), scheduling()), p.base, p.head)
	s := server(t, p)
	env := githubEnv(s)
	env["GITHUB_EVENT_NAME"] = "merge_group"
	env["GITHUB_EVENT_PATH"] = writeEvent(t, `{"action":"checks_requested","merge_group":{"head_sha":"`+mg.String()+
		`","head_ref":"refs/heads/gh-readonly-queue/main/pr-7-`+p.base.String()+`","base_sha":"`+p.base.String()+`","base_ref":"refs/heads/main"}}`)

	code, out, errOut := run(t, p.fx.dir, env, "approval", "check")
	if code != 1 || !strings.Contains(out, "CHG-000001") {
		t.Fatalf("exit %d, want 1 judging CHG-000001\n%s\n%s", code, out, errOut)
	}
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", p.head, 1), review(2, "ivan", "APPROVED", p.head, 2)}
	if code, _, errOut := run(t, p.fx.dir, env, "approval", "check"); code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, errOut)
	}
	want := []string{mg.String()[:7] + " failure", mg.String()[:7] + " success"}
	if diff := cmp.Diff(want, states(s)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// A merge commit that is not built on the base given is refused.
	if code, _, errOut := run(t, p.fx.dir, env, "approval", "check", "--merge-group", "--base", p.head.String(), "--head", p.base.String(), "--pr", "7"); code != 2 {
		t.Errorf("exit %d, want 2\n%s", code, errOut)
	}
}

// A workflow_run (the re-evaluation after a review) names the head; the pull requests are found
// through the API, even for a fork's pull request, which the payload does not list.
func TestCheckWorkflowRun(t *testing.T) {
	p := newPR(t, scheduling())
	s := server(t, p)
	s.PRs[7].Reviews = []githubtest.Review{review(1, "grace", "APPROVED", p.head, 1), review(2, "ivan", "APPROVED", p.head, 2)}
	env := githubEnv(s)
	env["GITHUB_EVENT_NAME"] = "workflow_run"
	env["GITHUB_EVENT_PATH"] = writeEvent(t, `{"action":"completed","workflow_run":{"head_sha":"`+p.head.String()+`","event":"pull_request_review","pull_requests":[]}}`)
	code, _, errOut := run(t, p.fx.dir, env, "approval", "check")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, errOut)
	}
	if diff := cmp.Diff([]string{p.head.String()[:7] + " success"}, states(s)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// Bypass 5: whoever pushed the head (the sender of the synchronize event) or authored one of the
// pull request's commits does not approve it. ivan pushed a commit grace wrote; with heidi the
// CAB is satisfied, but neither owner of checkout-api (frank wrote the pull request, ivan pushed)
// has approved.
func TestCheckPusherAndCommitAuthorsDoNotApprove(t *testing.T) {
	p := newPR(t, scheduling())
	s := server(t, p)
	s.PRs[7].Commits = []githubtest.Commit{{SHA: p.head.String(), Author: "grace", Committer: "grace"}}
	// The activity names someone else: the event's sender is who pushed this head.
	s.Activity["shop/records"] = []githubtest.Push{{Ref: "refs/heads/chg-1", Before: p.base.String(), After: p.head.String(), Actor: "frank"}}
	s.PRs[7].Reviews = []githubtest.Review{
		review(1, "grace", "APPROVED", p.head, 1), review(2, "ivan", "APPROVED", p.head, 2), review(3, "heidi", "APPROVED", p.head, 3)}
	env := githubEnv(s)
	env["GITHUB_EVENT_NAME"] = "pull_request_target"
	env["GITHUB_EVENT_PATH"] = writeEvent(t, `{"action":"synchronize","number":7,"sender":{"login":"ivan"},"pull_request":{"number":7,"head":{"sha":"`+
		p.head.String()+`"},"base":{"ref":"main"}}}`)

	code, out, errOut := run(t, p.fx.dir, env, "approval", "check", "--base", "main")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (no owner of checkout-api approved)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"ivan", "pushed the head commit", "grace", "authored commit"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if diff := cmp.Diff([]string{p.head.String()[:7] + " failure"}, states(s)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// Control: with frank as the pusher (a review has no sender that pushed), ivan's approval counts.
	env["GITHUB_EVENT_PATH"] = writeEvent(t, `{"action":"opened","number":7,"sender":{"login":"ivan"},"pull_request":{"number":7,"head":{"sha":"`+
		p.head.String()+`"},"base":{"ref":"main"}}}`)
	if code, out, errOut := run(t, p.fx.dir, env, "approval", "check", "--base", "main"); code != 0 {
		t.Errorf("opened by ivan, pushed by frank: exit %d, want 0\n%s\n%s", code, out, errOut)
	}
}

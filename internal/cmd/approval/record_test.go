package approval_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/evidence"
	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
	"github.com/gitsm/gitsm/internal/gitrepo"
)

// merged is pull request 7 merged with a merge commit after main moved on: base B, the
// branch's head H, main's own commit M and the merge commit of M and H, checked out as main.
type merged struct {
	*pr
	main, merge plumbing.Hash
}

func newMerged(t *testing.T, subject string) *merged {
	p := newPR(t, scheduling())
	mainFiles := with(baseFiles(), map[string]string{"README.md": "Northwind Outfitters records\n"})
	m := p.fx.commit("README: full name\n", mainFiles, p.base)
	mc := p.fx.commit(subject+"\n\nSchedule CHG-000001\n", with(mainFiles, scheduling()), m, p.head)
	p.fx.branch("main", mc)
	return &merged{pr: p, main: m, merge: mc}
}

func mergedServer(t *testing.T, m *merged) *githubtest.Server {
	s := server(t, m.pr)
	s.PRs[7].State = "closed"
	s.PRs[7].Merged = true
	s.PRs[7].MergeCommitSHA = m.merge.String()
	s.PRs[7].MergedAt = t0.Add(time.Hour)
	bot := review(5, "renovate[bot]", "APPROVED", m.head, 0)
	bot.UserType = "Bot"
	s.PRs[7].Reviews = []githubtest.Review{
		review(1, "grace", "APPROVED", m.head, 1),
		review(2, "ivan", "APPROVED", m.head, 2),
		review(3, "frank", "APPROVED", m.head, 3), // the author
		review(4, "heidi", "COMMENTED", m.head, 4),
		bot,
	}
	return s
}

func recordEnv(s *githubtest.Server) map[string]string {
	env := githubEnv(s)
	env["GIT_COMMITTER_NAME"] = "github-actions[bot]"
	env["GIT_COMMITTER_EMAIL"] = "41898282+github-actions[bot]@users.noreply.github.com"
	return env
}

func notesRef(t *testing.T, dir string) plumbing.Hash {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(evidence.Ref, true)
	if err != nil {
		t.Fatalf("read %s: %v", evidence.Ref, err)
	}
	return ref.Hash()
}

// readBack opens the repository afresh, as gitsm audit will, and reads the note on commit.
func readBack(t *testing.T, dir string, commit plumbing.Hash) (*evidence.Note, []evidence.Entry) {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	n, err := evidence.Read(r, commit)
	if err != nil {
		t.Fatalf("read the note on %s: %v", commit, err)
	}
	all, err := evidence.List(r)
	if err != nil {
		t.Fatal(err)
	}
	return n, all
}

func TestRecordEndToEnd(t *testing.T) {
	m := newMerged(t, "Merge pull request #7 from shop/chg-1")
	s := mergedServer(t, m)
	env := recordEnv(s)
	dir := m.fx.dir

	code, out, errOut := run(t, dir, env, "approval", "record", "--pr", "7")
	if code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "recorded the evidence of pull request #7 on "+m.merge.String()[:12]) {
		t.Errorf("stderr:\n%s", errOut)
	}
	if !strings.Contains(out, "approval: approved") {
		t.Errorf("stdout:\n%s", out)
	}

	note, all := readBack(t, dir, m.merge)
	wantReviews := []evidence.Review{
		{Reviewer: "grace", ReviewID: 1, CommitID: m.head.String(), SubmittedAt: t0.Add(time.Minute), Group: "cab"},
		{Reviewer: "ivan", ReviewID: 2, CommitID: m.head.String(), SubmittedAt: t0.Add(2 * time.Minute), Group: "team-shop"},
	}
	if diff := cmp.Diff(wantReviews, note.Reviews); diff != "" {
		t.Errorf("counted reviews (-want +got):\n%s", diff)
	}
	want := &evidence.Note{
		Evidence: 1, Repository: "shop/records", PR: 7, Author: "frank",
		BaseSHA: m.main.String(), HeadSHA: m.head.String(), MergeSHA: m.merge.String(),
		PolicyBlob: gitrepo.BlobHash([]byte(basePolicy)).String(),
		Approved:   true,
		Records: []evidence.Record{{
			ID: "CHG-000001", Path: "changes/CHG-000001.yaml", NeedsApproval: true, Approved: true,
			Why: "moves the change from authorize to scheduled",
			Rules: []evidence.Rule{{Name: "normal changes need the CAB and the owners of the CIs they touch", Satisfied: true,
				Approvers: []string{"grace", "ivan"}}},
			Problems: []string{},
		}},
		PathRules: []evidence.Rule{},
		Reviews:   wantReviews,
		Errors:    []string{},
	}
	if diff := cmp.Diff(want, note); diff != "" {
		t.Errorf("note (-want +got):\n%s", diff)
	}
	if len(all) != 1 || all[0].Commit != m.merge {
		t.Errorf("notes: %+v, want one on the merge commit", all)
	}

	// Recording again changes nothing: no second note, no new notes commit.
	before := notesRef(t, dir)
	code, _, errOut = run(t, dir, env, "approval", "record", "--pr", "7")
	if code != 0 || !strings.Contains(errOut, "already recorded") {
		t.Fatalf("second record: exit %d\n%s", code, errOut)
	}
	if after := notesRef(t, dir); after != before {
		t.Errorf("a second record made a new notes commit %s (was %s)", after, before)
	}
	if _, all := readBack(t, dir, m.merge); len(all) != 1 {
		t.Errorf("%d notes after a second record, want 1", len(all))
	}

	// git itself reads the note: git notes --ref=gitsm show <merge>.
	stored, _ := note.Marshal()
	if got := gitCLI(t, dir, "notes", "--ref=gitsm", "show", m.merge.String()); got != string(stored) {
		t.Errorf("git notes show:\n%s\nwant:\n%s", got, stored)
	}
	if got := gitCLI(t, dir, "log", "--format=%cn <%ce>", evidence.Ref); got != "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n" {
		t.Errorf("notes commits by:\n%s", got)
	}

	// A review that arrives later changes the evidence: the note is replaced, not duplicated.
	s.PRs[7].Reviews = append(s.PRs[7].Reviews, review(6, "heidi", "APPROVED", m.head, 6))
	code, out, errOut = run(t, dir, env, "--format", "json", "approval", "record", "--pr", "7")
	if code != 0 || !strings.Contains(errOut, "replaced the evidence of pull request #7") {
		t.Fatalf("third record: exit %d\n%s", code, errOut)
	}
	note, all = readBack(t, dir, m.merge)
	if len(all) != 1 || len(note.Reviews) != 3 || note.Reviews[1].Reviewer != "heidi" {
		t.Errorf("after a new review: %d notes, reviews %+v", len(all), note.Reviews)
	}
	var printed evidence.Note
	if err := json.Unmarshal([]byte(out), &printed); err != nil || !cmp.Equal(&printed, note) {
		t.Errorf("--format json prints the note (%v):\n%s", err, out)
	}
	if got := gitCLI(t, dir, "rev-list", "--count", evidence.Ref); got != "2\n" {
		t.Errorf("%s has %s commits, want 2", evidence.Ref, strings.TrimSpace(got))
	}
}

func TestRecordCases(t *testing.T) {
	other := plumbing.NewHash(strings.Repeat("e", 40))
	tests := []struct {
		name    string
		subject string
		setup   func(m *merged, s *githubtest.Server)
		args    []string
		code    int
		wantErr string
		// noteOn says which commit must carry the note afterwards (nil: none).
		noteOn       func(m *merged) plumbing.Hash
		wantApproved bool
	}{
		{
			name: "merged without the approvals: recorded as not approved", subject: "Merge pull request #7 from shop/chg-1",
			setup: func(m *merged, s *githubtest.Server) { s.PRs[7].Reviews = s.PRs[7].Reviews[:1] },
			code:  1, wantErr: "was merged without the approvals", noteOn: func(m *merged) plumbing.Hash { return m.merge },
		},
		{
			// GitHub's base.sha is B, but main had edited CHG-000001 too when the merge combined
			// both edits: what merged was never judged, whatever the reviews.
			name: "main edited the record meanwhile: recorded as not approved", subject: "Merge pull request #7 from shop/chg-1",
			setup: func(m *merged, s *githubtest.Server) {
				edited := strings.Replace(change("CHG-000001", "authorize", "checkout-api"), "title: Rotate", "title: Now rotate", 1)
				mainFiles := with(baseFiles(), map[string]string{"changes/CHG-000001.yaml": edited})
				m.main = m.fx.commit("main edits CHG-000001\n", mainFiles, m.base)
				both := strings.Replace(change("CHG-000001", "scheduled", "checkout-api"), "title: Rotate", "title: Now rotate", 1)
				m.merge = m.fx.commit("Merge pull request #7 from shop/chg-1\n", with(mainFiles, map[string]string{"changes/CHG-000001.yaml": both}), m.main, m.head)
				m.fx.branch("main", m.merge)
				s.PRs[7].MergeCommitSHA = m.merge.String()
			},
			code: 1, wantErr: "was merged without the approvals", noteOn: func(m *merged) plumbing.Hash { return m.merge },
		},
		{
			// GitHub accepts an approval of a merged pull request: it is not evidence.
			name: "an approval submitted after the merge does not count", subject: "Merge pull request #7 from shop/chg-1",
			setup: func(m *merged, s *githubtest.Server) {
				s.PRs[7].Reviews[1].SubmittedAt = s.PRs[7].MergedAt.Add(time.Minute)
			},
			code: 1, wantErr: "review 2 by ivan (approved) was submitted after the merge", noteOn: func(m *merged) plumbing.Hash { return m.merge },
		},
		{
			name: "merged without merged_at", subject: "Merge pull request #7 from shop/chg-1",
			setup: func(m *merged, s *githubtest.Server) { s.PRs[7].MergedAt = time.Time{} },
			code:  2, wantErr: "gives no merged_at",
		},
		{
			name: "not merged", subject: "Merge pull request #7 from shop/chg-1",
			setup: func(m *merged, s *githubtest.Server) { s.PRs[7].Merged, s.PRs[7].State = false, "open" },
			code:  2, wantErr: "pull request #7 is not merged (state open)",
		},
		{
			name: "merge commit unknown here, HEAD names the pull request", subject: "Schedule CHG-000001 (#7)",
			setup: func(m *merged, s *githubtest.Server) { s.PRs[7].MergeCommitSHA = other.String() },
			code:  0, noteOn: func(m *merged) plumbing.Hash { return m.merge }, wantApproved: true,
		},
		{
			name: "merge commit unknown here, HEAD is another pull request", subject: "Merge pull request #8 from shop/other",
			setup: func(m *merged, s *githubtest.Server) { s.PRs[7].MergeCommitSHA = other.String() },
			code:  2, wantErr: "is not in the history of HEAD",
		},
		{
			name: "the merge commit is an ancestor of HEAD", subject: "Merge pull request #7 from shop/chg-1",
			setup: func(m *merged, s *githubtest.Server) {
				later := m.fx.commit("later\n", with(with(baseFiles(), scheduling()), map[string]string{"README.md": "x\n"}), m.merge)
				m.fx.branch("main", later)
			},
			code: 0, noteOn: func(m *merged) plumbing.Hash { return m.merge }, wantApproved: true,
		},
		{
			name: "--merge-commit names the commit", subject: "Merge pull request #7 from shop/chg-1",
			args: []string{"--merge-commit", "main~0"},
			code: 0, noteOn: func(m *merged) plumbing.Hash { return m.merge }, wantApproved: true,
		},
		{
			name: "the head is not here (squash merge without fetching it)", subject: "Schedule CHG-000001 (#7)",
			setup: func(m *merged, s *githubtest.Server) { s.PRs[7].HeadSHA = other.String() },
			code:  2, wantErr: "git fetch origin +refs/pull/N/head",
		},
		{
			name: "no --pr", subject: "Merge pull request #7 from shop/chg-1",
			args: []string{"--pr", "0"},
			code: 2, wantErr: "--pr N is required",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMerged(t, tt.subject)
			s := mergedServer(t, m)
			if tt.setup != nil {
				tt.setup(m, s)
			}
			args := append([]string{"approval", "record", "--pr", "7"}, tt.args...)
			code, out, errOut := run(t, m.fx.dir, recordEnv(s), args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut)
			}
			r, err := git.PlainOpen(m.fx.dir)
			if err != nil {
				t.Fatal(err)
			}
			all, err := evidence.List(r)
			if err != nil {
				t.Fatal(err)
			}
			if tt.noteOn == nil {
				if len(all) != 0 {
					t.Errorf("notes written: %+v", all)
				}
				return
			}
			if len(all) != 1 || all[0].Commit != tt.noteOn(m) || all[0].Err != nil {
				t.Fatalf("notes: %+v, want one on %s", all, tt.noteOn(m))
			}
			if all[0].Note.Approved != tt.wantApproved {
				t.Errorf("approved = %v, want %v", all[0].Note.Approved, tt.wantApproved)
			}
		})
	}
}

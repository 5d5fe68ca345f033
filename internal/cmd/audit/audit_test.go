package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/audit"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/evidence"
	"github.com/gitsm/gitsm/internal/iostreams"
)

type repo struct {
	t     *testing.T
	dir   string
	clock int
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.git("config", "user.name", "Grace Hopper")
	r.git("config", "user.email", "grace@example.com")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(r.clock) * time.Hour).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *repo) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) commit(msg string) string {
	r.t.Helper()
	r.clock++
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// pr makes a branch with one commit made by edit, and merges it as GitHub's merge button does.
// It returns the base (main before the merge), the head and the merge commit.
func (r *repo) pr(n int, edit func()) (base, head, merge string) {
	r.t.Helper()
	base = r.git("rev-parse", "HEAD")
	branch := fmt.Sprintf("pr-%d", n)
	r.git("checkout", "-q", "-b", branch)
	edit()
	head = r.commit(fmt.Sprintf("work for #%d", n))
	r.git("checkout", "-q", "main")
	r.clock++
	r.git("merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%d from org/%s", n, branch), branch)
	return base, head, r.git("rev-parse", "HEAD")
}

// squash merges a branch with one commit as one commit `subject (#n)` on main.
func (r *repo) squash(n int, edit func()) (base, head, merge string) {
	r.t.Helper()
	base = r.git("rev-parse", "HEAD")
	branch := fmt.Sprintf("pr-%d", n)
	r.git("checkout", "-q", "-b", branch)
	edit()
	head = r.commit("wip")
	r.git("checkout", "-q", "main")
	r.clock++
	r.git("merge", "-q", "--squash", branch)
	r.git("commit", "-q", "-m", fmt.Sprintf("squashed work (#%d)", n))
	return base, head, r.git("rev-parse", "HEAD")
}

// note records evidence on a commit as `gitsm approval record` would, with edits to forge it.
func (r *repo) note(merge string, n evidence.Note) {
	r.t.Helper()
	g, err := git.PlainOpen(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	n.Evidence = evidence.Version
	n.MergeSHA = merge
	sig := object.Signature{Name: "gitsm", Email: "gitsm@localhost", When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := evidence.Write(g, plumbing.NewHash(merge), &n, sig); err != nil {
		r.t.Fatal(err)
	}
}

func change(id, state string) string {
	s := fmt.Sprintf("apiVersion: gitsm/v1\nkind: Change\nid: %s\ntitle: Upgrade orders-db\ntype: normal\nstate: %s\nrisk: moderate\ncis: [orders-db]\nrequested_by: grace\nassignment_group: dba\n", id, state)
	if state == "scheduled" {
		s += "planned_start: 2026-02-01T01:00:00Z\nplanned_end: 2026-02-01T02:00:00Z\n"
	}
	return s
}

func incident(id, state string) string {
	return fmt.Sprintf("apiVersion: gitsm/v1\nkind: Incident\nid: %s\ntitle: Checkout 502\nstate: %s\nimpact: 2\nurgency: 2\nopened_at: 2026-01-01T09:00:00Z\ntimeline:\n  - {at: '2026-01-01T09:00:00Z', state: new, by: grace}\n", id, state)
}

func run(t *testing.T, dir string, opts Options) (*audit.Report, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &command.Factory{IO: ios, WorkDir: dir, Quiet: true, Format: "json",
		Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }}
	opts.Factory = f
	err := Run(context.Background(), &opts)
	var rep audit.Report
	if out.Len() > 0 {
		if jerr := json.Unmarshal(out.Bytes(), &rep); jerr != nil {
			t.Fatalf("output is not JSON: %v\n%s", jerr, out)
		}
	}
	return &rep, errOut.String(), err
}

type found struct{ Kind, Subject, Record string }

func violations(rep *audit.Report) []found {
	subjects := map[string]string{}
	for _, c := range rep.Commits {
		subjects[c.Commit] = c.Subject
	}
	var out []found
	for _, v := range rep.Violations {
		out = append(out, found{v.Kind, subjects[v.Commit], v.Record})
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i]) < fmt.Sprint(out[j])
	})
	return out
}

func TestAudit(t *testing.T) {
	r := newRepo(t)
	r.write(".gitsm/policy.yaml", "groups:\n  cab: {members: [heidi]}\nrules:\n  - name: normal changes need the CAB\n    match: {types: [normal]}\n    require: [{group: cab, count: 1}]\n")
	r.write("changes/2026/CHG-000001.yaml", change("CHG-000001", "new"))
	r.write("changes/2026/CHG-000002.yaml", change("CHG-000002", "new"))
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	r.write("incidents/2026/INC-000002.yaml", incident("INC-000002", "new"))
	r.commit("Records of Northwind (#1)")
	policy := func(base string) string { return r.git("rev-parse", base+":.gitsm/policy.yaml") }
	approved := func(n int, base, head, id string) evidence.Note {
		return evidence.Note{PR: n, BaseSHA: base, HeadSHA: head, PolicyBlob: policy(base), Approved: true,
			Records: []evidence.Record{{ID: id, Path: "changes/2026/" + id + ".yaml", NeedsApproval: true, Approved: true}},
			Reviews: []evidence.Review{{Reviewer: "heidi", ReviewID: 1, CommitID: head, Group: "cab"}}}
	}

	// PR #2, a merge commit with true evidence: no violation.
	base, head, merge := r.pr(2, func() { r.write("changes/2026/CHG-000001.yaml", change("CHG-000001", "scheduled")) })
	r.note(merge, approved(2, base, head, "CHG-000001"))
	good := merge

	// PR #3, a squash merge with true evidence: no violation.
	base, head, merge = r.squash(3, func() { r.write("changes/2026/CHG-000002.yaml", change("CHG-000002", "scheduled")) })
	r.note(merge, approved(3, base, head, "CHG-000002"))

	// PR #4: a forged note whose head is not the merged head.
	base, _, merge = r.pr(4, func() { r.write("changes/2026/CHG-000003.yaml", change("CHG-000003", "scheduled")) })
	r.note(merge, approved(4, base, base, "CHG-000003"))

	// PR #5: a forged note with another policy blob.
	base, head, merge = r.pr(5, func() { r.write("changes/2026/CHG-000004.yaml", change("CHG-000004", "scheduled")) })
	forged := approved(5, base, head, "CHG-000004")
	forged.PolicyBlob = r.git("rev-parse", base+":changes/2026/CHG-000001.yaml")
	r.note(merge, forged)

	// PR #6: a note that names a record the merge did not touch.
	base, head, merge = r.pr(6, func() { r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "in_progress")) })
	r.note(merge, approved(6, base, head, "CHG-000002"))

	// PR #7: a change scheduled with no evidence at all.
	r.pr(7, func() { r.write("changes/2026/CHG-000005.yaml", change("CHG-000005", "scheduled")) })

	// A direct push, and a deleted record (through a pull request).
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "on_hold"))
	r.commit("hotfix straight on main")
	r.pr(8, func() { r.git("rm", "-q", "incidents/2026/INC-000002.yaml") })

	rep, stderr, err := run(t, r.dir, Options{})
	if !errors.Is(err, command.ErrCheckFailed) {
		t.Fatalf("got error %v (stderr %q), want a failed check", err, stderr)
	}
	want := []found{
		{audit.DeletedRecord, "Merge pull request #8 from org/pr-8", "INC-000002"},
		{audit.DirectPush, "hotfix straight on main", ""},
		{audit.EvidenceMismatch, "Merge pull request #4 from org/pr-4", ""},
		{audit.EvidenceMismatch, "Merge pull request #5 from org/pr-5", ""},
		{audit.EvidenceMismatch, "Merge pull request #6 from org/pr-6", ""},
		{audit.UnapprovedChange, "Merge pull request #7 from org/pr-7", "CHG-000005"},
	}
	if d := cmp.Diff(want, violations(rep)); d != "" {
		t.Errorf("violations (-want +got):\n%s", d)
	}
	// A second run reads the change records from the facts cache: the same verdicts.
	again, _, _ := run(t, r.dir, Options{})
	if d := cmp.Diff(rep.Violations, again.Violations); d != "" {
		t.Errorf("warm run differs from the cold one (-cold +warm):\n%s", d)
	}
	if rep.Summary.ByKind[audit.EvidenceMismatch] != 3 || rep.Summary.Violations != 6 {
		t.Errorf("summary: got %+v", rep.Summary)
	}
	// Evidence read back.
	var ev *audit.EvidenceReport
	for _, c := range rep.Commits {
		if c.Commit == good {
			ev = c.Evidence
		}
	}
	if d := cmp.Diff(&audit.EvidenceReport{PR: 2, Approved: true, BaseSHA: r.git("rev-parse", good+"^1"), HeadSHA: r.git("rev-parse", good+"^2"), Approvers: []string{"heidi"}}, ev); d != "" {
		t.Errorf("evidence of PR #2 (-want +got):\n%s", d)
	}

	// A window that holds only the good merges passes.
	rep, _, err = run(t, r.dir, Options{Since: "2026-01-01T10:30:00Z", Until: "2026-01-01T14:00:00Z"})
	if err != nil || rep.Summary.Violations != 0 || rep.Summary.PRs != 2 {
		t.Errorf("window with PRs #2 and #3: got err %v, summary %+v, want no violations and 2 PRs", err, rep.Summary)
	}
}

func TestAuditRewrite(t *testing.T) {
	r := newRepo(t)
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	r.commit("open (#1)")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "in_progress"))
	verified := r.commit("work (#2)")
	r.note(verified, evidence.Note{PR: 2})
	notesBefore := r.git("rev-parse", evidence.Ref)

	if rep, _, _ := run(t, r.dir, Options{VerifyFrom: verified, NotesFrom: notesBefore}); rep.Summary.ByKind[audit.Rewrite] != 0 {
		t.Fatalf("before the force push: got %+v, want no rewrite", rep.Violations)
	}

	// Force-push: the verified commit is replaced; the notes ref is rewritten from scratch.
	r.git("reset", "-q", "--hard", "HEAD~1")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "canceled"))
	r.commit("work, rewritten (#2)")
	tree := r.git("mktree")
	r.git("update-ref", evidence.Ref, r.git("commit-tree", "-m", "notes", tree))

	rep, _, err := run(t, r.dir, Options{VerifyFrom: verified, NotesFrom: notesBefore})
	if !errors.Is(err, command.ErrCheckFailed) {
		t.Fatalf("got %v, want a failed check", err)
	}
	if got := rep.Summary.ByKind[audit.Rewrite]; got != 2 {
		t.Errorf("got %d rewrite violations, want 2 (branch and notes): %+v", got, rep.Violations)
	}
	// An unknown --verify-from fails closed too.
	rep, _, _ = run(t, r.dir, Options{VerifyFrom: strings.Repeat("ab", 20)})
	if rep.Summary.ByKind[audit.Rewrite] != 1 {
		t.Errorf("unknown --verify-from: got %+v, want a rewrite violation", rep.Violations)
	}
}

func TestAuditUnsigned(t *testing.T) {
	r := newRepo(t)
	r.write(".gitsm/config.yaml", "signing:\n  required: true\n  keys: [.gitsm/keys/grace.asc]\n")
	r.write(".gitsm/keys/grace.asc", "not a key\n")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	r.commit("open (#1)")
	rep, _, err := run(t, r.dir, Options{})
	if !errors.Is(err, command.ErrCheckFailed) || rep.Summary.ByKind[audit.Unsigned] != 1 {
		t.Errorf("got err %v, %+v; want one unsigned violation", err, rep.Summary)
	}
	r.write(".gitsm/config.yaml", "signing:\n  required: true\n")
	if _, _, err := run(t, r.dir, Options{}); err == nil || errors.Is(err, command.ErrCheckFailed) {
		t.Errorf("signing required without keys: got %v, want an error (exit 2)", err)
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-03-01":           time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"2026-03-01T09:00:00Z": time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		"30d":                  time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		"1 month ago":          time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC),
		"12h":                  time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseTime(in, now, false)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseTime("yesterday-ish", now, false); err == nil {
		t.Error("got no error for a bad date")
	}
}

package evidence

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/policy"
)

var (
	t0  = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	sig = object.Signature{Name: "gitsm test", Email: "test@example.com", When: t0}
)

const headSHA = "1111111111111111111111111111111111111111"

// newRepo makes a repository with n commits on main and returns their hashes.
func newRepo(t *testing.T, n int) (*git.Repository, string, []plumbing.Hash) {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	var out []plumbing.Hash
	for i := range n {
		name := filepath.Join(dir, "f.txt")
		if err := os.WriteFile(name, []byte(strings.Repeat("x", i+1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := wt.Add("f.txt"); err != nil {
			t.Fatal(err)
		}
		h, err := wt.Commit("commit", &git.CommitOptions{Author: &sig})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	return r, dir, out
}

func decision() policy.Decision {
	grace := policy.Approver{Login: "grace", Group: "cab", ReviewID: 11, CommitID: headSHA, SubmittedAt: t0.Add(time.Minute)}
	ivan := policy.Approver{Login: "ivan", Group: "team-shop", ReviewID: 12, CommitID: headSHA, SubmittedAt: t0.Add(2 * time.Minute).In(time.FixedZone("CET", 3600))}
	oscar := policy.Approver{Login: "oscar", Group: "admins", ReviewID: 13, CommitID: headSHA, SubmittedAt: t0.Add(3 * time.Minute)}
	graceSec := grace
	graceSec.Group = "sec"
	return policy.Decision{
		Approved: true,
		HeadSHA:  headSHA,
		Records: []policy.RecordDecision{
			{ID: "CHG-000001", Path: "changes/CHG-000001.yaml", NeedsApproval: true, Approved: true, Why: "moves the change from authorize to scheduled",
				Rules: []policy.RuleResult{
					{Name: "normal", Satisfied: true, Approvers: []policy.Approver{ivan, grace}},
					{Name: "tier 1", Satisfied: true, Approvers: []policy.Approver{graceSec, grace}},
				}},
			{ID: "CHG-000002", Path: "changes/CHG-000002.yaml", Why: "adds a change in state new, before scheduled"},
		},
		PathRules: []policy.RuleResult{{Name: "guarded", Satisfied: true, Approvers: []policy.Approver{oscar}, Paths: []string{".gitsm/policy.yaml"}}},
	}
}

func TestNew(t *testing.T) {
	meta := Meta{Repository: "northwind/records", PR: 7, Author: "frank", BaseSHA: "b", HeadSHA: headSHA, MergeSHA: "m", PolicyBlob: "p"}
	got := New(meta, decision())
	want := &Note{
		Evidence: 1, Repository: "northwind/records", PR: 7, Author: "frank", BaseSHA: "b", HeadSHA: headSHA, MergeSHA: "m", PolicyBlob: "p",
		Approved: true,
		Records: []Record{
			{ID: "CHG-000001", Path: "changes/CHG-000001.yaml", NeedsApproval: true, Approved: true, Why: "moves the change from authorize to scheduled",
				Rules: []Rule{
					{Name: "normal", Satisfied: true, Approvers: []string{"ivan", "grace"}},
					{Name: "tier 1", Satisfied: true, Approvers: []string{"grace"}},
				}, Problems: []string{}},
			{ID: "CHG-000002", Path: "changes/CHG-000002.yaml", Why: "adds a change in state new, before scheduled", Rules: []Rule{}, Problems: []string{}},
		},
		PathRules: []Rule{{Name: "guarded", Satisfied: true, Approvers: []string{"oscar"}, Paths: []string{".gitsm/policy.yaml"}}},
		Reviews: []Review{
			{Reviewer: "grace", ReviewID: 11, CommitID: headSHA, SubmittedAt: t0.Add(time.Minute), Group: "cab"},
			{Reviewer: "grace", ReviewID: 11, CommitID: headSHA, SubmittedAt: t0.Add(time.Minute), Group: "sec"},
			{Reviewer: "ivan", ReviewID: 12, CommitID: headSHA, SubmittedAt: t0.Add(2 * time.Minute), Group: "team-shop"},
			{Reviewer: "oscar", ReviewID: 13, CommitID: headSHA, SubmittedAt: t0.Add(3 * time.Minute), Group: "admins"},
		},
		Errors: []string{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("New mismatch (-want +got):\n%s", diff)
	}
	data, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Times are stored in UTC whatever zone the API answered in, so that the bytes are stable.
	if !strings.Contains(string(data), `"submitted_at": "2026-03-02T10:02:00Z"`) {
		t.Errorf("note lacks the UTC time of ivan's review:\n%s", data)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if diff := cmp.Diff(got, back); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", "LGTM, shipped by hand\n", "invalid character"},
		{"no version", `{"pr": 7}`, "no gitsm_evidence field"},
		{"future version", `{"gitsm_evidence": 2, "pr": 7}`, "format version 2"},
		{"wrong type", `{"gitsm_evidence": 1, "pr": "seven"}`, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if !strings.Contains(fe.Msg, tt.want) {
				t.Errorf("got %q, want it to mention %q", fe.Msg, tt.want)
			}
		})
	}
}

func note(pr int, merge plumbing.Hash) *Note {
	return New(Meta{Repository: "northwind/records", PR: pr, Author: "frank", BaseSHA: "b", HeadSHA: headSHA, MergeSHA: merge.String()}, decision())
}

func refHash(t *testing.T, r *git.Repository) plumbing.Hash {
	t.Helper()
	ref, err := r.Reference(Ref, true)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Hash()
}

func TestWriteReadIdempotent(t *testing.T) {
	r, dir, commits := newRepo(t, 3)
	if _, err := Read(r, commits[0]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Read without notes: got %v, want ErrNotFound", err)
	}
	if got, err := List(r); err != nil || got != nil {
		t.Fatalf("List without notes: got %v, %v", got, err)
	}

	steps := []struct {
		name   string
		commit plumbing.Hash
		note   *Note
		want   Outcome
		// newCommit says whether the notes ref must move.
		newCommit bool
	}{
		{"first note", commits[1], note(7, commits[1]), Added, true},
		{"same note again", commits[1], note(7, commits[1]), Unchanged, false},
		{"another commit", commits[2], note(8, commits[2]), Added, true},
		{"different content replaces", commits[1], func() *Note { n := note(7, commits[1]); n.Approved = false; return n }(), Replaced, true},
		{"replaced note again", commits[1], func() *Note { n := note(7, commits[1]); n.Approved = false; return n }(), Unchanged, false},
	}
	for _, s := range steps {
		var before plumbing.Hash
		if ref, err := r.Reference(Ref, true); err == nil {
			before = ref.Hash()
		}
		got, err := Write(r, s.commit, s.note, sig)
		if err != nil {
			t.Fatalf("%s: Write: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: outcome %v, want %v", s.name, got, s.want)
		}
		after := refHash(t, r)
		if moved := after != before; moved != s.newCommit {
			t.Errorf("%s: notes ref moved = %v, want %v", s.name, moved, s.newCommit)
		}
		if s.newCommit && !before.IsZero() {
			c, err := r.CommitObject(after)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]plumbing.Hash{before}, c.ParentHashes); diff != "" {
				t.Errorf("%s: notes commit parents (-want +got):\n%s", s.name, diff)
			}
		}
		back, err := Read(r, s.commit)
		if err != nil {
			t.Fatalf("%s: Read: %v", s.name, err)
		}
		if diff := cmp.Diff(s.note, back); diff != "" {
			t.Errorf("%s: Read mismatch (-want +got):\n%s", s.name, diff)
		}
	}
	list, err := List(r)
	if err != nil {
		t.Fatal(err)
	}
	var prs []int
	for _, e := range list {
		if e.Err != nil {
			t.Errorf("List: %s: %v", e.Commit, e.Err)
			continue
		}
		if e.Note.MergeSHA != e.Commit.String() {
			t.Errorf("List: note of %s names merge %s", e.Commit, e.Note.MergeSHA)
		}
		prs = append(prs, e.Note.PR)
	}
	if len(prs) != 2 {
		t.Errorf("List: %d notes, want 2 (PRs %v)", len(prs), prs)
	}
	if _, err := Read(r, commits[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read of a commit without a note: got %v, want ErrNotFound", err)
	}

	requireGit(t)
	for _, c := range commits[1:] {
		want, _ := mustRead(t, r, c).Marshal()
		if got := gitOut(t, dir, "notes", "--ref=gitsm", "show", c.String()); got != string(want) {
			t.Errorf("git notes show %s:\n%s\nwant:\n%s", c, got, want)
		}
	}
	if got := gitOut(t, dir, "log", "--format=%s", Ref); got != strings.Repeat("Notes added by 'gitsm approval record'\n", 3) {
		t.Errorf("notes history:\n%s", got)
	}
}

func mustRead(t *testing.T, r *git.Repository, c plumbing.Hash) *Note {
	t.Helper()
	n, err := Read(r, c)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// A notes tree that git fanned out (ab/cdef…) is read through its directories, keeps its
// layout when a note is added, and git still reads every note.
func TestFanout(t *testing.T) {
	r, wd, commits := newRepo(t, 3)
	foreign := note(1, commits[0])
	data, _ := foreign.Marshal()
	blob, err := storeBlob(r.Storer, data)
	if err != nil {
		t.Fatal(err)
	}
	other, err := storeBlob(r.Storer, []byte("a note someone else wrote\n"))
	if err != nil {
		t.Fatal(err)
	}
	var root gitrepo.TreeBuilder
	h0 := commits[0].String()
	if err := root.Add(h0[:2]+"/"+h0[2:], filemode.Regular, blob); err != nil {
		t.Fatal(err)
	}
	// A second fanned-out note, on the tree of commits[2]: not a commit of the log, but git
	// notes may annotate any object.
	c2, _ := r.CommitObject(commits[2])
	if err := root.Add(c2.TreeHash.String()[:2]+"/"+c2.TreeHash.String()[2:], filemode.Regular, other); err != nil {
		t.Fatal(err)
	}
	tree, err := root.Write(r.Storer)
	if err != nil {
		t.Fatal(err)
	}
	c := &object.Commit{Author: sig, Committer: sig, Message: "Notes added by 'git notes add'\n", TreeHash: tree}
	obj := r.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	ch, err := r.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Storer.SetReference(plumbing.NewHashReference(Ref, ch)); err != nil {
		t.Fatal(err)
	}

	if diff := cmp.Diff(foreign, mustRead(t, r, commits[0])); diff != "" {
		t.Errorf("Read through fan-out (-want +got):\n%s", diff)
	}
	added := note(2, commits[1])
	if got, err := Write(r, commits[1], added, sig); err != nil || got != Added {
		t.Fatalf("Write: %v, %v", got, err)
	}
	_, t2, err := notesTree(r)
	if err != nil {
		t.Fatal(err)
	}
	files, err := flatten(t2)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.path)
	}
	h1 := commits[1].String()
	want := []string{h0[:2] + "/" + h0[2:], h1[:2] + "/" + h1[2:], c2.TreeHash.String()[:2] + "/" + c2.TreeHash.String()[2:]}
	if diff := cmp.Diff(want, paths, cmpSorted); diff != "" {
		t.Errorf("notes tree paths (-want +got):\n%s", diff)
	}
	list, err := List(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("List: %d entries, want 3", len(list))
	}
	var fe *FormatError
	for _, e := range list {
		if e.Commit == c2.TreeHash && !errors.As(e.Err, &fe) {
			t.Errorf("someone else's note: got %v, want a *FormatError", e.Err)
		}
	}

	requireGit(t)
	if got := gitOut(t, wd, "notes", "--ref=gitsm", "show", h1); !strings.Contains(got, `"pr": 2`) {
		t.Errorf("git notes show of the added note:\n%s", got)
	}
	if got := gitOut(t, wd, "notes", "--ref=gitsm", "show", h0); !strings.Contains(got, `"pr": 1`) {
		t.Errorf("git notes show of the fanned-out note:\n%s", got)
	}
	// git adds a note of its own on top of ours; gitsm reads both afterwards.
	gitOut(t, wd, "notes", "--ref=gitsm", "add", "-m", "hand-written", commits[2].String())
	list, err = List(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 {
		t.Errorf("List after git notes add: %d entries, want 4", len(list))
	}
	if diff := cmp.Diff(added, mustRead(t, r, commits[1])); diff != "" {
		t.Errorf("Read after git notes add (-want +got):\n%s", diff)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

package demo

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitsm/gitsm/examples"
	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/evidence"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

func build(t *testing.T) (string, *Summary) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	sum, err := Build(context.Background(), dir, examples.FS)
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func TestDeterministic(t *testing.T) {
	dir1, a := build(t)
	dir2, b := build(t)
	if a.Head != b.Head {
		t.Fatalf("got main %s and %s on two runs, want the same commit", a.Head, b.Head)
	}
	notes := func(dir string) plumbing.Hash {
		r, err := git.PlainOpen(dir)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := r.Reference(evidence.Ref, true)
		if err != nil {
			t.Fatal(err)
		}
		return ref.Hash()
	}
	if n1, n2 := notes(dir1), notes(dir2); n1 != n2 {
		t.Errorf("got notes %s and %s on two runs, want the same commit", n1, n2)
	}
}

func TestRefusesNonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), dir, examples.FS); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("got %v, want ErrNotEmpty", err)
	}
}

// TestHistory checks the tip against the examples, every commit's tree with the validator, and
// what the audit is meant to find.
func TestHistory(t *testing.T) {
	dir, sum := build(t)
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.CommitObject(sum.Head)
	if err != nil {
		t.Fatal(err)
	}

	// The tip holds exactly the examples (and a README).
	tree, err := head.Tree()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	err = fs.WalkDir(examples.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want[p] = true
		data, _ := fs.ReadFile(examples.FS, p)
		f, err := tree.File(p)
		if err != nil {
			t.Errorf("%s: not in the tip: %v", p, err)
			return nil
		}
		got, _ := f.Contents()
		if got != string(data) {
			t.Errorf("%s: the tip differs from the example:\n%s", p, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = tree.Files().ForEach(func(f *object.File) error {
		if !want[f.Name] && f.Name != "README.md" {
			t.Errorf("%s: in the tip, not in the examples", f.Name)
		}
		return nil
	})

	// Every commit reachable from main validates with no errors.
	iter, err := r.Log(&git.LogOptions{From: sum.Head})
	if err != nil {
		t.Fatal(err)
	}
	var merges, squashes, commits int
	w := &workdir{dir: t.TempDir(), files: map[string]plumbing.Hash{}, engines: map[string]*check.Engine{}}
	seen := map[plumbing.Hash]bool{}
	err = iter.ForEach(func(c *object.Commit) error {
		commits++
		switch {
		case c.NumParents() == 2:
			merges++
		case strings.Contains(strings.SplitN(c.Message, "\n", 2)[0], " (#"):
			squashes++
		}
		if seen[c.TreeHash] {
			return nil
		}
		seen[c.TreeHash] = true
		validateTree(t, c, w)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if commits != sum.Commits {
		t.Errorf("got %d commits reachable from main, summary says %d", commits, sum.Commits)
	}
	if merges < 20 || squashes < 20 {
		t.Errorf("got %d merge commits and %d squash commits, want many of each", merges, squashes)
	}
	notes, err := evidence.List(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != sum.Notes || len(notes) < 20 {
		t.Errorf("got %d notes, summary says %d, want at least 20", len(notes), sum.Notes)
	}
	for _, e := range notes {
		if e.Err != nil || !e.Note.Approved {
			t.Errorf("note on %s: %v, approved %v", e.Commit, e.Err, e.Note != nil && e.Note.Approved)
		}
	}
	if sum.DirectPush.IsZero() || sum.Deleted == "" {
		t.Errorf("got direct push %s and deleted record %q, want both", sum.DirectPush, sum.Deleted)
	}
}

// validateTree checks the tree of c with the validator in w's folder, which it first makes hold
// exactly that tree (writing only what differs from the last one).
func validateTree(t *testing.T, c *object.Commit, w *workdir) {
	t.Helper()
	tree, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	now := map[string]plumbing.Hash{}
	err = tree.Files().ForEach(func(f *object.File) error {
		now[f.Name] = f.Hash
		if w.files[f.Name] == f.Hash {
			return nil
		}
		data, err := f.Contents()
		if err != nil {
			return err
		}
		p := filepath.Join(w.dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, []byte(data), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range w.files {
		if _, ok := now[name]; !ok {
			if err := os.Remove(filepath.Join(w.dir, filepath.FromSlash(name))); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.files = now
	cfg, err := os.ReadFile(filepath.Join(w.dir, ".gitsm", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// One engine (compiled schemas) per settings file.
	e := w.engines[string(cfg)]
	if e == nil {
		if e, err = check.New(w.dir); err != nil {
			t.Fatalf("%s: %v", c.Hash, err)
		}
		w.engines[string(cfg)] = e
	}
	res, err := e.Run(context.Background(), nil, check.Options{})
	if err != nil {
		t.Fatalf("%s: %v", c.Hash, err)
	}
	for _, f := range res.Findings {
		if f.Severity == finding.Error {
			t.Errorf("commit %s %q: %s:%d: %s [%s]", c.Hash.String()[:10], strings.SplitN(c.Message, "\n", 2)[0], f.Path, f.Line, f.Message, f.Rule)
		}
	}
}

type workdir struct {
	dir     string
	files   map[string]plumbing.Hash
	engines map[string]*check.Engine
}

// judgedKinds are the kinds the approval policy judges.
var judgedKinds = []record.Kind{record.Change, record.CI, record.SLA, record.Calendar}

// TestNotesCoverJudgedRecords checks that every pull request merged into main that adds, edits
// or deletes a record the policy judges (a change, a CI, an SLA or a calendar) carries an
// approved evidence note with an approved entry for each of those files: the CMDB pull request
// as much as the changes.
func TestNotesCoverJudgedRecords(t *testing.T) {
	dir, sum := build(t)
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	list, err := evidence.List(r)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[plumbing.Hash]*evidence.Note{}
	for _, e := range list {
		notes[e.Commit] = e.Note
	}
	c, err := r.CommitObject(sum.Head)
	if err != nil {
		t.Fatal(err)
	}
	var judged, cmdb int
	for c.NumParents() > 0 {
		parent, err := c.Parent(0)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := parent.Tree()
		if err != nil {
			t.Fatal(err)
		}
		ct, err := c.Tree()
		if err != nil {
			t.Fatal(err)
		}
		changes, err := object.DiffTree(pt, ct)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, ch := range changes {
			for _, p := range []string{ch.From.Name, ch.To.Name} {
				if k, _ := record.FolderKind(p); slices.Contains(judgedKinds, k) && !slices.Contains(paths, p) {
					paths = append(paths, p)
				}
			}
		}
		if len(paths) > 0 {
			judged++
			subject := strings.SplitN(c.Message, "\n", 2)[0]
			n := notes[c.Hash]
			switch {
			case c.Hash == sum.DirectPush:
				t.Errorf("the direct push %s changes %v, want it to touch only an incident", c.Hash, paths)
			case n == nil:
				t.Errorf("merge %s %q changes %v and has no evidence note", c.Hash.String()[:10], subject, paths)
			case !n.Approved:
				t.Errorf("merge %s %q: the note is not approved", c.Hash.String()[:10], subject)
			default:
				for _, p := range paths {
					i := slices.IndexFunc(n.Records, func(rec evidence.Record) bool { return rec.Path == p })
					if i < 0 || !n.Records[i].Approved {
						t.Errorf("merge %s %q: the note has no approved entry for %s", c.Hash.String()[:10], subject, p)
					}
				}
			}
			if slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, "cis/") }) {
				cmdb++
				if n != nil && !slices.ContainsFunc(n.Reviews, func(rv evidence.Review) bool { return rv.Group == "team-data" }) {
					t.Errorf("merge %s %q adds CIs owned by team-data; want an approval of team-data in %+v", c.Hash.String()[:10], subject, n.Reviews)
				}
			}
		}
		c = parent
	}
	if judged < 20 || cmdb == 0 {
		t.Errorf("got %d merges touching judged records, %d of them CIs; want many, and the CMDB", judged, cmdb)
	}
}

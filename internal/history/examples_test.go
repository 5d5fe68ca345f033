package history

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// TestLogMatchesGitOnExamples builds a history from the project's examples/ — edits on
// branches merged with merge commits, squash commits, a move across folders, a deletion and
// a restore — and compares every record's history with git log --follow.
func TestLogMatchesGitOnExamples(t *testing.T) {
	r := examplesHistory(t)
	ix, tip, _ := syncHEAD(t, r.dir, Options{})
	all := strings.Fields(r.git("ls-files", "incidents", "changes", "problems", "cis", "slas", "calendars"))
	for _, p := range all {
		want := strings.Fields(r.git("log", "--follow", "--format=%H", "--", p))
		got := commitsOf(t, ix, tip, p)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-git log --follow +gitsm):\n%s", p, d)
		}
	}
	if len(all) < 50 {
		t.Fatalf("only %d records compared; is examples/ there?", len(all))
	}
}

// TestFindPathAgreesWithTrees checks FindPath, which reads whether a path exists at tip from
// the index's first-parent changes, against git's trees (BlobAt), as of every commit of the
// examples' history (merges, squashes, a move, a deletion and a restore) and for every record
// that ever existed.
func TestFindPathAgreesWithTrees(t *testing.T) {
	r := examplesHistory(t)
	ix, _, _ := syncHEAD(t, r.dir, Options{})
	ids := map[string]bool{}
	for _, c := range ix.commits {
		for _, ch := range c.Changes {
			ids[strings.TrimSuffix(path.Base(ch.Path), ".yaml")] = true
		}
	}
	if len(ids) < 50 || len(ix.commits) < 20 {
		t.Fatalf("only %d records and %d commits; is examples/ there?", len(ids), len(ix.commits))
	}
	for h := range ix.commits {
		for id := range ids {
			got, gotOK, err := ix.FindPath(h, id)
			if err != nil {
				t.Fatal(err)
			}
			want, wantOK := findPathByTrees(t, ix, h, id)
			if got != want || gotOK != wantOK {
				t.Errorf("FindPath(%s, %s) = %q %v, want %q %v (from the trees)", short(h), id, got, gotOK, want, wantOK)
			}
		}
	}
}

// findPathByTrees is FindPath as it was first written: the candidate paths looked up in the
// tip's trees.
func findPathByTrees(t *testing.T, ix *Index, tip plumbing.Hash, id string) (string, bool) {
	t.Helper()
	last := map[string]int64{}
	for _, c := range ix.commits {
		for _, ch := range c.Changes {
			if path.Base(ch.Path) == id+".yaml" {
				if v, ok := last[ch.Path]; !ok || c.CommitTime > v {
					last[ch.Path] = c.CommitTime
				}
			}
		}
	}
	paths := make([]string, 0, len(last))
	for p := range last {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := ix.BlobAt(tip, p)
		if err != nil {
			t.Fatal(err)
		}
		if !b.IsZero() {
			return p, true
		}
	}
	best, when := "", int64(0)
	for h := range ix.Reachable(tip) {
		c := ix.commits[h]
		if c == nil {
			continue
		}
		for _, ch := range c.Changes {
			if v, ok := last[ch.Path]; ok && v != 0 && (best == "" || c.CommitTime > when) {
				best, when = ch.Path, c.CommitTime
			}
		}
	}
	return best, best != ""
}

// examplesHistory is a repository of the project's examples/ with a history of edits.
func examplesHistory(t *testing.T) *gitRepo {
	t.Helper()
	r := newGitRepo(t)
	for _, kind := range []string{"incidents", "problems", "changes", "cis", "slas", "calendars"} {
		err := filepath.Walk(filepath.Join("..", "..", "examples", kind), func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join("..", "..", "examples"), p)
			r.write(filepath.ToSlash(rel), string(b))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	r.commit("Records of Northwind")
	files := strings.Fields(r.git("ls-files", "incidents", "changes", "problems"))
	edit := func(rel string, n int) {
		b, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		r.write(rel, string(b)+fmt.Sprintf("x-review-%d: checked in review round %d\n", n, n))
	}
	for i := range 12 {
		a, b := files[(i*7)%len(files)], files[(i*11+3)%len(files)]
		switch i % 3 {
		case 0: // a pull request merged with a merge commit
			r.git("checkout", "-q", "-b", fmt.Sprintf("pr-%d", i))
			edit(a, i)
			r.commit("edit " + a)
			edit(b, i)
			r.commit("edit " + b)
			r.git("checkout", "-q", "main")
			r.merge(fmt.Sprintf("pr-%d", i), fmt.Sprintf("Merge pull request #%d from org/pr-%d", i, i))
		case 1: // a squash merge
			edit(a, i)
			edit(b, i)
			r.commit(fmt.Sprintf("edit two records (#%d)", i))
		default: // a direct commit
			edit(a, i)
			r.commit("edit " + a)
		}
	}
	// A move across folders, a deletion and a restore.
	moved := files[5]
	dest := strings.Replace(moved, "/2026/", "/archive/", 1)
	b, _ := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(moved)))
	r.git("rm", "-q", moved)
	r.write(dest, string(b))
	r.commit("archive " + moved)
	gone := files[9]
	b, _ = os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(gone)))
	r.git("rm", "-q", gone)
	r.commit("delete " + gone)
	r.write(gone, string(b))
	r.commit("restore " + gone)
	// And one deleted for good, so that some records are absent at tip.
	r.git("rm", "-q", files[13])
	r.commit("delete " + files[13])
	return r
}

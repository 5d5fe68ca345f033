package history

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLogMatchesGitOnExamples builds a history from the project's examples/ — edits on
// branches merged with merge commits, squash commits, a move across folders, a deletion and
// a restore — and compares every record's history with git log --follow.
func TestLogMatchesGitOnExamples(t *testing.T) {
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

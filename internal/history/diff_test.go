package history

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestChangesMatchGitDiffTree compares every indexed commit's changes with git diff-tree,
// on names that sort differently as files and as directories.
func TestChangesMatchGitDiffTree(t *testing.T) {
	r := newGitRepo(t)
	names := []string{"incidents/a.yaml", "incidents/a/b.yaml", "incidents/a-b.yaml", "incidents/a0.yaml",
		"incidents/a/c/d.yaml", "cis/x.yaml", "cis/x.yml", "README.yaml", "cis/ab/INC-1.yaml"}
	for i := range 6 {
		for j, n := range names {
			if (i+j)%3 != 0 {
				r.write(n, strings.Repeat("v", i+1)+"\n")
			}
		}
		if i == 3 {
			r.git("rm", "-q", "-r", "-f", "incidents/a")
		}
		r.commit("step")
	}
	compareWithDiffTree(t, r)
}

// TestChangesMatchGitDiffTreeInABigFolder changes a folder of 300 files at its first, last
// and middle entries, before the first and after the last, in two places at once, and with
// equal-length blobs at the end only: the diff skips the entries both trees start and end
// with, and must still find every change.
func TestChangesMatchGitDiffTreeInABigFolder(t *testing.T) {
	r := newGitRepo(t)
	name := func(i int) string { return fmt.Sprintf("incidents/2026/INC-%06d.yaml", i) }
	for i := 1; i <= 300; i++ {
		r.write(name(i), fmt.Sprintf("id: INC-%06d\n", i))
	}
	r.write("incidents/2026/sub/INC-000500.yaml", "id: INC-000500\n")
	r.commit("import")
	steps := []func(){
		func() { r.write(name(1), "first\n") },
		func() { r.write(name(300), "last\n") },
		func() { r.write(name(150), "middle\n") },
		func() { r.write(name(0), "before the first\n") },
		func() { r.write("incidents/2026/zz.yaml", "after the last\n") },
		func() { r.write(name(2), "two\n"); r.write(name(299), "places\n") },
		func() { r.write(name(300), "LAST\n") },
		func() { r.git("rm", "-q", name(300)) },
		func() { r.git("rm", "-q", name(0)) },
		func() { r.write("incidents/2026/sub/INC-000500.yaml", "in a subfolder at the end\n") },
		func() {
			r.git("rm", "-q", "-r", "incidents/2026/sub")
			r.write("incidents/2026/sub.yaml", "a file where a folder was\n")
		},
	}
	for i, step := range steps {
		step()
		r.commit(fmt.Sprintf("step %d", i))
	}
	compareWithDiffTree(t, r)
}

func compareWithDiffTree(t *testing.T, r *gitRepo) {
	t.Helper()
	ix, tip, _ := syncHEAD(t, r.dir, Options{})
	for _, c := range ix.FirstParent(tip) {
		args := []string{"diff-tree", "-r", "--no-renames", "--name-only", "--root", "--no-commit-id", c.Hash.String(), "--", "incidents", "cis", "changes", "problems", "slas", "calendars"}
		var want []string
		for _, p := range strings.Fields(r.git(args...)) {
			if strings.HasSuffix(p, ".yaml") {
				want = append(want, p)
			}
		}
		var got []string
		for _, ch := range c.Changes {
			got = append(got, ch.Path)
		}
		sort.Strings(want)
		sort.Strings(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("commit %s (-git +gitsm):\n%s", c.Hash, d)
		}
	}
}

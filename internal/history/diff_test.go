package history

import (
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

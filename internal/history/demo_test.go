package history

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/examples"
	"github.com/gitsm/gitsm/internal/demo"
)

// TestLogMatchesGitOnDemo compares every record's history in the repository `gitsm demo`
// builds (a year of pull requests merged with merge and squash commits, a direct push, a
// deleted record) with git log --follow, commit for commit and in order.
func TestLogMatchesGitOnDemo(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := demo.Build(context.Background(), dir, examples.FS); err != nil {
		t.Fatal(err)
	}
	r := &gitRepo{t: t, dir: dir}
	ix, tip, _ := syncHEAD(t, dir, Options{})
	// Every record that ever existed on main, the deleted one too.
	seen := map[string]bool{}
	for _, p := range strings.Fields(r.git("log", "--format=", "--name-only", "--", "incidents", "problems", "changes", "cis", "slas", "calendars")) {
		seen[p] = true
	}
	if len(seen) < 80 {
		t.Fatalf("only %d record paths in the demo's history", len(seen))
	}
	for p := range seen {
		want := strings.Fields(r.git("log", "--follow", "--format=%H", "--", p))
		got := commitsOf(t, ix, tip, p)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-git log --follow +gitsm):\n%s", p, d)
		}
	}
}

package index

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/record"
)

// TestWalkEqualsRecordWalk checks the index's walk against record.Walk, which it uses, on a
// tree with everything a kind folder should not hold, and that every record file gets its
// stamp.
func TestWalkEqualsRecordWalk(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"incidents/2026/01/INC-000001.yaml", "incidents/2026/02/INC-000002.yaml", "incidents/INC-000003.yaml",
		"incidents/a-b/INC-000004.yaml", "incidents/a/INC-000005.yaml", "incidents/notes.yml", "incidents/README.md",
		"incidents/.hidden/INC-000006.yaml", "incidents/dir.yaml/INC-000007.yaml", "problems/PRB-000001.yaml",
		"elsewhere/INC-000008.yaml", "slas", "outside/x.yaml",
	} {
		write(t, dir, f, "x: 1\n")
	}
	for link, target := range map[string]string{
		"incidents/alias.yaml":    "INC-000003.yaml",
		"incidents/alias.yml":     "INC-000003.yaml",
		"incidents/linked-dir":    "2026",
		"incidents/dangling.yaml": "nowhere.yaml",
		"cis":                     "outside",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "incidents", "pipe.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantPaths, wantFindings, err := record.Walk(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := walk(context.Background(), dir, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	var gotPaths []string
	for _, w := range l.files {
		if !w.ok {
			t.Errorf("%s: stat failed", w.path)
		}
		gotPaths = append(gotPaths, w.path)
	}
	if diff := cmp.Diff(wantPaths, gotPaths); diff != "" {
		t.Errorf("paths (-record.Walk +walk):\n%s", diff)
	}
	if diff := cmp.Diff(wantFindings, l.findings); diff != "" {
		t.Errorf("findings (-record.Walk +walk):\n%s", diff)
	}
	if len(wantFindings) < 5 {
		t.Errorf("got %d findings from record.Walk; the tree should give more", len(wantFindings))
	}
}

package gitrepo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

// TestIndexTrees computes the trees of git's own index and compares them with what git writes
// (write-tree) for every folder: names that sort around a folder's, an executable, a symlink,
// a staged change not committed. A conflict leaves its folder and those above it without a
// name, and the other folders with theirs.
func TestIndexTrees(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	write := func(rel, data string, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("a-b", "1", 0o644)
	write("a.b", "2", 0o644)
	write("a/c/d.yaml", "3", 0o644)
	write("a/c.yaml", "4", 0o755)
	write("a0/x", "5", 0o644)
	write("b/y.yaml", "6", 0o644)
	if err := os.Symlink("a.b", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	env := []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
	runGit(t, dir, env, "add", "-A")
	runGit(t, dir, env, "commit", "-q", "-m", "one")
	write("a/c/d.yaml", "3 staged", 0o644)
	runGit(t, dir, env, "add", "a/c/d.yaml")

	trees := func() map[string]plumbing.Hash {
		t.Helper()
		idx, _, err := gitrepo.ReadIndex(filepath.Join(dir, ".git", "index"))
		if err != nil {
			t.Fatal(err)
		}
		return gitrepo.IndexTrees(idx.Entries)
	}
	got := trees()
	top := strings.TrimSpace(runGit(t, dir, nil, "write-tree"))
	for _, folder := range []string{"", "a", "a/c", "a0", "b"} {
		want := top
		if folder != "" {
			want = strings.TrimSpace(runGit(t, dir, nil, "rev-parse", top+":"+folder))
		}
		if h, ok := got[folder]; !ok || h.String() != want {
			t.Errorf("tree of %q = %v (%v), want %s", folder, h, ok, want)
		}
	}

	// A conflict in a/c: stages 1-3 of d.yaml.
	runGit(t, dir, env, "commit", "-q", "-m", "two")
	runGit(t, dir, env, "checkout", "-q", "-b", "side", "HEAD~1")
	write("a/c/d.yaml", "3 side", 0o644)
	runGit(t, dir, env, "commit", "-q", "-am", "side")
	c := exec.Command("git", "merge", "-q", "main")
	c.Dir = dir
	c.Env = append(append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir), env...)
	if out, err := c.CombinedOutput(); err == nil {
		t.Fatalf("the merge should conflict:\n%s", out)
	}
	got = trees()
	for _, folder := range []string{"", "a", "a/c"} {
		if h, ok := got[folder]; ok {
			t.Errorf("tree of %q = %v in a conflict, want none", folder, h)
		}
	}
	if h := got["b"]; h.String() != strings.TrimSpace(runGit(t, dir, nil, "rev-parse", "HEAD:b")) {
		t.Errorf("tree of b = %v in a conflict elsewhere, want HEAD's", h)
	}
}

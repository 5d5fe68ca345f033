package gitrepo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

// TestBlobLimit reads a committed file's blob under and over the size limit: over it, the
// blob is refused before any of it is read, so a base version cannot grow memory without end.
func TestBlobLimit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	content := []byte(strings.Repeat("x", 5000))
	if err := os.WriteFile(filepath.Join(dir, "big.yaml"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "big.yaml"}, {"-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "x"}} {
		c := exec.Command("git", args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := gitrepo.BlobHash(content)
	if got, err := repo.Blob(h, 5000); err != nil || len(got) != 5000 {
		t.Errorf("Blob at the limit: got %d bytes, %v; want 5000 bytes", len(got), err)
	}
	if got, err := repo.Blob(h, 4999); err == nil {
		t.Errorf("Blob over the limit: got %d bytes, want an error", len(got))
	}
}

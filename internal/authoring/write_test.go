package authoring

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestGitDir(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	linked := filepath.Join(root, "linked")
	for _, d := range []string{filepath.Join(repo, ".git"), filepath.Join(repo, "ops", "records"), linked} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(linked, ".git"), []byte("gitdir: ../repo/.git/worktrees/linked\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dir, want string }{
		{"the top", repo, filepath.Join(repo, ".git")},
		{"a records folder inside", filepath.Join(repo, "ops", "records"), filepath.Join(repo, ".git")},
		{"a linked work tree", linked, filepath.Join(repo, ".git", "worktrees", "linked")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GitDir(tt.dir); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLockExcludes takes a record's lock twice: the second waits, then gives up with ErrBusy;
// once the first is released, it gets the lock.
func TestLockExcludes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "INC-000001.yaml")
	unlock, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	defer func(w time.Duration) { lockWait = w }(lockWait)
	lockWait = 50 * time.Millisecond
	if _, err := Lock(p); !errors.Is(err, ErrBusy) {
		t.Errorf("second lock while the first is held: got %v, want ErrBusy", err)
	}
	unlock()
	unlock2, err := Lock(p)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	unlock2()
	if entries, _ := os.ReadDir(filepath.Join(dir, ".git", "gitsm", "locks")); len(entries) != 1 {
		t.Errorf("got %d lock files in .git/gitsm/locks, want 1", len(entries))
	}
}

// TestSaveRefusesAChangedFile edits a record that someone else changes between Open and Save:
// nothing is written, and the error says so.
func TestSaveRefusesAChangedFile(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "incidents", "INC-000001.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	const valid = "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000001\ntitle: t\nstate: new\nimpact: 2\nurgency: 2\n" +
		"opened_at: 2026-03-02T10:14:00Z\ntimeline:\n  - at: 2026-03-02T10:14:00Z\n    state: new\n    by: someone\n"
	if err := os.WriteFile(p, []byte(valid), 0o644); err != nil {
		t.Fatal(err)
	}
	ed, err := Open(root, "INC-000001")
	if err != nil {
		t.Fatal(err)
	}
	defer ed.Close()
	if err := ed.Apply(Assignment{Path: []string{"x-a"}, Raw: "1"}); err != nil {
		t.Fatal(err)
	}
	edited := valid + "x-by-hand: yes\n"
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Save(); !errors.Is(err, ErrChanged) {
		t.Errorf("Save after a change by hand: got %v, want ErrChanged", err)
	}
	if got, _ := os.ReadFile(p); string(got) != edited {
		t.Errorf("the file was written over:\n%s", got)
	}
}

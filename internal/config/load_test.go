//go:build unix

package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/record"
)

// TestLoadHostile puts what a pull request can put in .gitsm/config.yaml's place: each must
// give a clear error within a second, never block or read without end.
func TestLoadHostile(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root, p string)
		want  string // part of the error
	}{
		{"symlink to /dev/zero", func(t *testing.T, root, p string) {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Skip(err)
			}
		}, "is a symlink"},
		{"FIFO", func(t *testing.T, root, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skip(err)
			}
		}, "is not a regular file"},
		{"folder symlinked out of the repository", func(t *testing.T, root, p string) {
			out := t.TempDir()
			if err := os.WriteFile(filepath.Join(out, "config.yaml"), []byte("id_digits: 4\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Dir(p)); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(out, filepath.Dir(p)); err != nil {
				t.Skip(err)
			}
		}, "is in .gitsm, a symlink"},
		{"too large", func(t *testing.T, root, p string) {
			if err := os.WriteFile(p, []byte("# "+strings.Repeat("x", config.MaxSize)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, filepath.FromSlash(config.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, root, p)
			done := make(chan error, 1)
			go func() {
				_, err := config.Load(root)
				done <- err
			}()
			select {
			case err := <-done:
				var fe *record.FileError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got error %v, want a *record.FileError saying %q", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("config.Load still reading after 5 s")
			}
		})
	}
}

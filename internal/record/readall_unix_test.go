//go:build unix

package record

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadAllSpecial gives readAll what may be put in a file's place after Lstat: a FIFO with
// no writer must not block the open, and a FIFO or a device must be refused before any read.
func TestReadAllSpecial(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		done := make(chan error, 1)
		go func() {
			_, err := readAll(p, 0, 1<<20)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, errNotRegular) {
				t.Errorf("%s: got error %v, want errNotRegular", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: readAll blocked", p)
		}
	}
}

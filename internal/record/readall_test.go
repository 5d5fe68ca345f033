package record

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReadAll checks readAll where the file is not what Lstat said: grown, shrunk, too big, or
// swapped for a symlink.
func TestReadAll(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(p, []byte(strings.Repeat("x", 5000)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		size, limit int64
		want        int // bytes read
	}{
		{"as expected", 5000, 10000, 5000},
		{"grown since", 10, 10000, 5000},
		{"grown past the limit", 10, 100, 101},
		{"shrunk since", 8000, 10000, 5000},
		{"exactly the limit", 5000, 5000, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(p, tt.size, tt.limit)
			if err != nil || len(got) != tt.want {
				t.Errorf("got %d bytes, %v, want %d bytes", len(got), err, tt.want)
			}
		})
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(p, link); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	// Only the Unix readAll refuses symlinks itself; elsewhere ReadFile's Lstat does.
	if got, err := readAll(link, 5000, 10000); err == nil && runtime.GOOS != "windows" && runtime.GOOS != "plan9" && runtime.GOARCH != "wasm" {
		t.Errorf("got %d bytes through a symlink, want an error", len(got))
	}
}

package record_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitsm/gitsm/internal/record"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.yaml", "a: 1\n")
	write("empty.yaml", "")
	write("limit.yaml", strings.Repeat("x", 100))
	write("over.yaml", strings.Repeat("x", 101))
	if err := os.Mkdir(filepath.Join(dir, "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, "ok.yaml", filepath.Join(dir, "link.yaml"))
	tests := []struct {
		name    string
		want    string // content, when it is read
		finding string // a part of the finding's message, when it is not
	}{
		{"ok.yaml", "a: 1\n", ""},
		{"empty.yaml", "", ""},
		{"limit.yaml", strings.Repeat("x", 100), ""},
		{"over.yaml", "", "over the limit of 100 bytes"},
		{"dir.yaml", "", "is not a regular file"},
		{"link.yaml", "", "is a symlink"},
		{"missing.yaml", "", "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, f := record.ReadFile(dir, tt.name, 100)
			if tt.finding == "" {
				if f != nil || string(src) != tt.want {
					t.Errorf("got %q and finding %+v, want %q", src, f, tt.want)
				}
				return
			}
			if f == nil || f.Rule != "file" || f.Path != tt.name || !strings.Contains(f.Message, tt.finding) {
				t.Errorf("got %q and finding %+v, want a file finding saying %q", src, f, tt.finding)
			}
		})
	}
}

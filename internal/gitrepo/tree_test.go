package gitrepo_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

type treeFile struct {
	path string
	mode filemode.FileMode
	data string
}

func (f treeFile) hash() plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, []byte(f.data))
}

// TestTreeBuilder writes trees with TreeBuilder and with git's own index (update-index, then
// write-tree): the hashes must be equal, so entry order, modes and the encoding are git's. The
// tree read back through go-git must list the files added, the last Add of a path winning.
func TestTreeBuilder(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	runGit(t, repo, nil, "init", "-q")
	tests := []struct {
		name  string
		files []treeFile
	}{
		{name: "empty"},
		{name: "one file", files: []treeFile{{"a", filemode.Regular, "a\n"}}},
		{
			// A folder sorts as if its name ended in '/': after "a-b" and "a.b", before "a0".
			name: "folder next to names with - and .",
			files: []treeFile{
				{"a0", filemode.Regular, "4"}, {"a/c", filemode.Regular, "3"}, {"a.b", filemode.Regular, "2"},
				{"a-b", filemode.Regular, "1"}, {"b", filemode.Regular, "5"},
			},
		},
		{
			name: "nested folders",
			files: []treeFile{
				{"x/y/z/f", filemode.Regular, "1"}, {"x/y.txt", filemode.Regular, "2"}, {"x/y-z/f", filemode.Regular, "3"},
				{"x.txt", filemode.Regular, "4"}, {"x/y/g", filemode.Regular, "5"}, {"x-/y", filemode.Regular, "6"},
			},
		},
		{
			name: "notes fanout next to a whole name",
			files: []treeFile{
				{"ab/cdef", filemode.Regular, "1"}, {"abcd", filemode.Regular, "2"}, {"ab.x", filemode.Regular, "3"},
			},
		},
		{
			name: "modes",
			files: []treeFile{
				{"bin/run", filemode.Executable, "#!/bin/sh\n"}, {"link", filemode.Symlink, "bin/run"},
				{"vendor/mod", filemode.Submodule, "not a blob"}, {"bin-x", filemode.Regular, "x"},
			},
		},
		{
			name: "a later add replaces",
			files: []treeFile{
				{"d/f", filemode.Regular, "old"}, {"d/g", filemode.Regular, "g"}, {"d/f", filemode.Executable, "new"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b gitrepo.TreeBuilder
			want := map[string]string{}
			env := []string{"GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
			for _, f := range tc.files {
				if err := b.Add(f.path, f.mode, f.hash()); err != nil {
					t.Fatalf("Add(%q): %v", f.path, err)
				}
				want[f.path] = fmt.Sprintf("%o %s", uint32(f.mode), f.hash())
				runGit(t, repo, env, "update-index", "--add", "--cacheinfo", fmt.Sprintf("%o,%s,%s", uint32(f.mode), f.hash(), f.path))
			}
			gitHash := strings.TrimSpace(runGit(t, repo, env, "write-tree", "--missing-ok"))
			s := memory.NewStorage()
			h, err := b.Write(s)
			if err != nil {
				t.Fatal(err)
			}
			if h.String() != gitHash {
				t.Errorf("Write = %s, git write-tree = %s", h, gitHash)
			}
			tree, err := object.GetTree(s, h)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			w := object.NewTreeWalker(tree, true, nil)
			defer w.Close()
			for {
				name, e, err := w.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if e.Mode != filemode.Dir {
					got[name] = fmt.Sprintf("%o %s", uint32(e.Mode), e.Hash)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("files of the written tree (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTreeBuilderRefuses: paths git could not hold, a file where a folder is (and the other
// way round) and a folder entry are refused, not written as a broken tree.
func TestTreeBuilderRefuses(t *testing.T) {
	h := plumbing.ComputeHash(plumbing.BlobObject, []byte("x"))
	tests := []struct {
		name  string
		first string // added before, must succeed
		path  string
		mode  filemode.FileMode
	}{
		{name: "empty path", path: ""},
		{name: "leading slash", path: "/a"},
		{name: "trailing slash", path: "a/"},
		{name: "double slash", path: "a//b"},
		{name: "dot", path: "./a"},
		{name: "dot dot", path: "a/../b"},
		{name: "nul", path: "a\x00b"},
		{name: "file under a file", first: "a", path: "a/b"},
		{name: "file where a folder is", first: "a/b", path: "a"},
		{name: "deeper file under a file", first: "x/a", path: "x/a/b/c"},
		{name: "folder entry", path: "d", mode: filemode.Dir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b gitrepo.TreeBuilder
			if tc.first != "" {
				if err := b.Add(tc.first, filemode.Regular, h); err != nil {
					t.Fatalf("Add(%q): %v", tc.first, err)
				}
			}
			mode := tc.mode
			if mode == 0 {
				mode = filemode.Regular
			}
			if err := b.Add(tc.path, mode, h); err == nil {
				t.Errorf("Add(%q, %v) = nil, want an error", tc.path, mode)
			}
		})
	}
}

func runGit(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	c := exec.Command("git", args...)
	c.Dir = dir
	c.Env = append(append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir), env...)
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

package gitrepo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// TreeBuilder gathers files by slash path and writes them as git trees, the folders a path
// names made as needed: a folder with no file under it is never written. The zero value is an
// empty tree.
type TreeBuilder struct {
	root treeDir
}

type treeDir struct {
	files map[string]object.TreeEntry
	dirs  map[string]*treeDir
}

// Add puts the object h at the slash path p with mode (any mode but a folder's: add the files
// inside a folder instead). A later Add of the same path replaces the earlier one. It fails on
// a path with an empty, "." or ".." part, and on a path that puts a file where a folder is or
// a folder where a file is.
func (b *TreeBuilder) Add(p string, mode filemode.FileMode, h plumbing.Hash) error {
	if mode == filemode.Dir {
		return fmt.Errorf("tree path %q: a folder cannot be added; add the files inside it", p)
	}
	parts := strings.Split(p, "/")
	for _, name := range parts {
		if name == "" || name == "." || name == ".." || strings.ContainsRune(name, 0) {
			return fmt.Errorf("tree path %q: %q is not a file or folder name", p, name)
		}
	}
	d := &b.root
	for i, name := range parts[:len(parts)-1] {
		if _, ok := d.files[name]; ok {
			return fmt.Errorf("tree path %q: %s is a file, not a folder", p, strings.Join(parts[:i+1], "/"))
		}
		next := d.dirs[name]
		if next == nil {
			if d.dirs == nil {
				d.dirs = map[string]*treeDir{}
			}
			next = &treeDir{}
			d.dirs[name] = next
		}
		d = next
	}
	name := parts[len(parts)-1]
	if _, ok := d.dirs[name]; ok {
		return fmt.Errorf("tree path %q: it is a folder, not a file", p)
	}
	if d.files == nil {
		d.files = map[string]object.TreeEntry{}
	}
	d.files[name] = object.TreeEntry{Name: name, Mode: mode, Hash: h}
	return nil
}

// Write stores the root tree and every tree under it in s and returns the root's hash.
func (b *TreeBuilder) Write(s storer.EncodedObjectStorer) (plumbing.Hash, error) {
	return b.root.write(s)
}

func (d *treeDir) write(s storer.EncodedObjectStorer) (plumbing.Hash, error) {
	entries := make([]object.TreeEntry, 0, len(d.files)+len(d.dirs))
	for _, e := range d.files {
		entries = append(entries, e)
	}
	for name, sub := range d.dirs {
		h, err := sub.write(s)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
	}
	// git orders a tree's entries by name, a folder's name as if it ended in a slash. No two
	// keys are equal: Add keeps a name from being both a file and a folder.
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	obj := s.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode tree: %w", err)
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store tree: %w", err)
	}
	return h, nil
}

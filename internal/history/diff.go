package history

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// treeReader decodes trees, keeping the ones read most recently: walking a branch backwards,
// each commit's tree is the previous commit's parent tree, so most subtrees are asked for twice
// in a row.
type treeReader struct {
	s     storer.EncodedObjectStorer
	cur   map[plumbing.Hash]*object.Tree
	prev  map[plumbing.Hash]*object.Tree
	limit int
}

func newTreeReader(s storer.EncodedObjectStorer) *treeReader {
	return &treeReader{s: s, cur: map[plumbing.Hash]*object.Tree{}, limit: 4096}
}

func (r *treeReader) tree(h plumbing.Hash) (*object.Tree, error) {
	if t, ok := r.cur[h]; ok {
		return t, nil
	}
	if t, ok := r.prev[h]; ok {
		r.cur[h] = t
		return t, nil
	}
	t, err := object.GetTree(r.s, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	if len(r.cur) >= r.limit {
		r.prev, r.cur = r.cur, make(map[plumbing.Hash]*object.Tree, r.limit)
	}
	r.cur[h] = t
	return t, nil
}

// sub returns the tree at a slash path below root, or the zero hash when there is none.
func (r *treeReader) sub(root plumbing.Hash, p string) (plumbing.Hash, error) {
	h := root
	for p != "" && !h.IsZero() {
		name, rest, _ := strings.Cut(p, "/")
		t, err := r.tree(h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		h = plumbing.ZeroHash
		for _, e := range t.Entries {
			if e.Name == name && e.Mode == filemode.Dir {
				h = e.Hash
				break
			}
		}
		p = rest
	}
	return h, nil
}

// gitKey is the name git sorts a tree entry by: a directory as if its name ended in a slash.
func gitKey(e *object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// diff appends to out every file below base that differs between the trees a and b (either
// may be zero: no tree). Subtrees whose hashes match are skipped without being read.
func (r *treeReader) diff(a, b plumbing.Hash, base string, out []Change) ([]Change, error) {
	if a == b {
		return out, nil
	}
	var ea, eb []object.TreeEntry
	if !a.IsZero() {
		t, err := r.tree(a)
		if err != nil {
			return out, err
		}
		ea = t.Entries
	}
	if !b.IsZero() {
		t, err := r.tree(b)
		if err != nil {
			return out, err
		}
		eb = t.Entries
	}
	var err error
	i, j := 0, 0
	for i < len(ea) || j < len(eb) {
		var x, y *object.TreeEntry
		switch {
		case i == len(ea):
			y = &eb[j]
			j++
		case j == len(eb):
			x = &ea[i]
			i++
		default:
			kx, ky := gitKey(&ea[i]), gitKey(&eb[j])
			switch {
			case kx < ky:
				x = &ea[i]
				i++
			case kx > ky:
				y = &eb[j]
				j++
			default:
				x, y = &ea[i], &eb[j]
				i++
				j++
			}
		}
		if out, err = r.pair(x, y, base, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// pair compares one name of two trees; x or y is nil when the name is only on one side.
func (r *treeReader) pair(x, y *object.TreeEntry, base string, out []Change) ([]Change, error) {
	var name string
	if x != nil {
		name = x.Name
	} else {
		name = y.Name
	}
	p := base + name
	isDir := func(e *object.TreeEntry) bool { return e != nil && e.Mode == filemode.Dir }
	isFile := func(e *object.TreeEntry) bool { return e != nil && e.Mode.IsFile() }
	if x != nil && y != nil && x.Hash == y.Hash && x.Mode == y.Mode {
		return out, nil
	}
	var err error
	if isDir(x) || isDir(y) {
		var da, db plumbing.Hash
		if isDir(x) {
			da = x.Hash
		}
		if isDir(y) {
			db = y.Hash
		}
		if out, err = r.diff(da, db, p+"/", out); err != nil {
			return out, err
		}
	}
	var fa, fb plumbing.Hash
	if isFile(x) {
		fa = x.Hash
	}
	if isFile(y) {
		fb = y.Hash
	}
	if fa != fb && strings.HasSuffix(name, ".yaml") {
		out = append(out, Change{Path: p, Old: fa, New: fb})
	}
	return out, nil
}

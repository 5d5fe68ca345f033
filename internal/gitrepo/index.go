package gitrepo

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	gitidx "github.com/go-git/go-git/v5/plumbing/format/index"
)

// indexFiles memoizes ReadIndex per path and file identity.
var indexFiles struct {
	sync.Mutex
	m map[string]*indexRead
}

type indexRead struct {
	once sync.Once
	idx  *gitidx.Index
	info os.FileInfo
	err  error
}

// ReadIndex decodes git's index file at path (`<git dir>/index`) with go-git, with the file's
// info as it was opened. A process reads one index file once: the index builder and the base
// comparison of validate --base both need it, at the same time, and 100,000 entries take a
// while to decode. A file replaced since (another size or modification time) is read
// again. The result is shared: callers must not change it.
func ReadIndex(path string) (*gitidx.Index, os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	key := path + "\x00" + strconv.FormatInt(st.Size(), 10) + "\x00" + strconv.FormatInt(st.ModTime().UnixNano(), 10)
	indexFiles.Lock()
	if indexFiles.m == nil {
		indexFiles.m = map[string]*indexRead{}
	}
	r, ok := indexFiles.m[key]
	if !ok {
		r = &indexRead{}
		indexFiles.m[key] = r
	}
	indexFiles.Unlock()
	r.once.Do(func() { r.idx, r.info, r.err = decodeIndex(path) })
	return r.idx, r.info, r.err
}

func decodeIndex(path string) (*gitidx.Index, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	var idx gitidx.Index
	if err := gitidx.NewDecoder(bufio.NewReaderSize(f, 1<<16)).Decode(&idx); err != nil {
		return nil, nil, err
	}
	return &idx, info, nil
}

// IndexTrees computes the object name of the tree that `git write-tree` would write for every
// folder of git's index (by slash path from the top of the work tree, "" for the top), from
// the index entries alone: it trusts neither the index's cached trees nor anything else that
// could be stale. A folder that holds an entry no tree can hold as it is (a side of a merge
// conflict, an intent-to-add entry, an unknown mode) gets no name, nor do the folders above it.
// Entries must be in index order (sorted by path), as git keeps them.
func IndexTrees(entries []*gitidx.Entry) map[string]plumbing.Hash {
	out := map[string]plumbing.Hash{}
	type item struct {
		mode string
		name string
		hash plumbing.Hash
	}
	// stack holds the items of the folders being built, each folder's above its parent's.
	var stack []item
	var buf []byte
	// tree builds the folder whose entries are entries[lo:hi], all under prefix ("" or
	// "a/b/"), and returns its name and whether it has one.
	var tree func(lo, hi int, prefix string) (plumbing.Hash, bool)
	tree = func(lo, hi int, prefix string) (plumbing.Hash, bool) {
		base := len(stack)
		defer func() { stack = stack[:base] }()
		ok := true
		for i := lo; i < hi; {
			e := entries[i]
			rest := e.Name[len(prefix):]
			if slash := strings.IndexByte(rest, '/'); slash >= 0 {
				sub := prefix + rest[:slash+1]
				j := i + 1
				for j < hi && strings.HasPrefix(entries[j].Name, sub) {
					j++
				}
				h, subOK := tree(i, j, sub)
				ok = ok && subOK
				stack = append(stack, item{"40000", rest[:slash], h})
				i = j
				continue
			}
			mode, known := treeMode(e.Mode)
			if e.Stage != 0 || e.IntentToAdd || !known || rest == "" {
				ok = false
			}
			stack = append(stack, item{mode, rest, e.Hash})
			i++
		}
		if !ok {
			return plumbing.ZeroHash, false
		}
		buf = buf[:0]
		for _, it := range stack[base:] {
			buf = append(buf, it.mode...)
			buf = append(buf, ' ')
			buf = append(buf, it.name...)
			buf = append(buf, 0)
			buf = append(buf, it.hash[:]...)
		}
		h := plumbing.ComputeHash(plumbing.TreeObject, buf)
		out[strings.TrimSuffix(prefix, "/")] = h
		return h, true
	}
	if !sortedByName(entries) {
		return out
	}
	tree(0, len(entries), "")
	return out
}

func sortedByName(entries []*gitidx.Entry) bool {
	for i := 1; i < len(entries); i++ {
		if entries[i-1].Name > entries[i].Name {
			return false
		}
	}
	return true
}

// treeMode is how a tree writes an index entry's mode.
func treeMode(m filemode.FileMode) (string, bool) {
	switch m {
	case filemode.Regular:
		return "100644", true
	case filemode.Executable:
		return "100755", true
	case filemode.Symlink:
		return "120000", true
	case filemode.Submodule:
		return "160000", true
	}
	return "", false
}

// IndexPath is where git's index of the work tree at top lies: in the .git folder, or in the
// git directory a .git file names (`gitdir: …`, as in linked work trees). "" when there is none.
func IndexPath(top string) string {
	if top == "" {
		return ""
	}
	p := filepath.Join(top, ".git")
	info, err := os.Stat(p)
	if err != nil {
		return ""
	}
	if info.IsDir() {
		return filepath.Join(p, "index")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
	if !ok {
		return ""
	}
	target = filepath.FromSlash(strings.TrimSpace(target))
	if !filepath.IsAbs(target) {
		target = filepath.Join(top, target)
	}
	return filepath.Join(target, "index")
}

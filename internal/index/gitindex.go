package index

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	gitidx "github.com/go-git/go-git/v5/plumbing/format/index"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

// gitIndex is what git's own index (`.git/index`) says about the record files: the blob hash
// of each tracked file, with the stat data git recorded when it last saw the file. It lets a
// fresh clone with a restored cache reuse results for every file that git's checkout wrote
// and nobody touched since, without reading one of them — git status's own shortcut.
type gitIndex struct {
	// entries are the index entries under the records root, by path relative to the root,
	// sorted by path.
	entries []*gitidx.Entry
	names   []string
	// written is when the index file was last written (Unix ns): an entry whose file was
	// modified at or after it is racily clean — changed in the same tick as git looked at it
	// — and git's stat data proves nothing about it.
	written int64
	next    int // where the name after the last one asked for is
}

// readGitIndex reads the index of the git work tree that holds root. Any trouble — no git
// repository, an index format or extension go-git does not read (a split or sparse index), a
// bad checksum — gives nil: the files are then read and hashed, as without git.
func readGitIndex(root string) *gitIndex {
	gitDir, prefix, ok := locateGit(root)
	if !ok {
		return nil
	}
	idx, info, err := gitrepo.ReadIndex(filepath.Join(gitDir, "index"))
	if err != nil {
		return nil
	}
	g := &gitIndex{written: info.ModTime().UnixNano(), entries: make([]*gitidx.Entry, 0, len(idx.Entries)),
		names: make([]string, 0, len(idx.Entries))}
	if prefix != "" {
		prefix += "/"
	}
	for _, e := range idx.Entries {
		rel, ok := strings.CutPrefix(e.Name, prefix)
		if !ok {
			continue
		}
		g.entries = append(g.entries, e)
		g.names = append(g.names, rel)
	}
	if !slices.IsSorted(g.names) {
		return nil // git keeps its index sorted; anything else is not an index to trust
	}
	return g
}

// hash returns the blob hash git's index holds for the file at rel (relative to the records
// root) when the file's lstat fingerprint st still equals the stat data git recorded and
// the entry is an ordinary, clean, non-racy one. The fingerprint must carry the change time
// and inode (which no one can set to a chosen value): a file edited in place so that its size
// and modification time look the same still gets a new change time. Without them (off
// Linux) git's index vouches for nothing. Not safe for concurrent use.
func (g *gitIndex) hash(rel string, st stamp) (plumbing.Hash, bool) {
	if g == nil || st.CTime == 0 || st.Ino == 0 {
		return plumbing.ZeroHash, false
	}
	// Build asks in path order: the next name is most often the one after the last.
	i := g.next
	if i >= len(g.names) || g.names[i] != rel {
		var found bool
		if i, found = slices.BinarySearch(g.names, rel); !found {
			return plumbing.ZeroHash, false
		}
	}
	g.next = i + 1
	e := g.entries[i]
	switch {
	// Stage 0 is an ordinary entry; 1-3 are the sides of a conflict. (go-git's constant
	// Merged says 1, but its decoder gives the stage bits as they are: 0.)
	case e.Stage != 0, e.SkipWorktree, e.IntentToAdd,
		e.Mode != filemode.Regular && e.Mode != filemode.Executable:
		return plumbing.ZeroHash, false
	case e.ModifiedAt.IsZero() || e.CreatedAt.IsZero():
		return plumbing.ZeroHash, false
	case e.ModifiedAt.UnixNano() >= g.written || e.CreatedAt.UnixNano() >= g.written:
		return plumbing.ZeroHash, false
	case int64(e.Size) != st.Size&0xffffffff, e.ModifiedAt.UnixNano() != st.MTime,
		e.CreatedAt.UnixNano() != st.CTime, e.Inode != uint32(st.Ino):
		return plumbing.ZeroHash, false
	}
	return e.Hash, true
}

// locateGit finds the git directory of the work tree that holds root, and root's place in
// that work tree as a slash path ("" at its top).
func locateGit(root string) (gitDir, prefix string, ok bool) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", "", false
	}
	for dir := abs; ; {
		if gitDir, ok := gitDirAt(dir); ok {
			rel, err := filepath.Rel(dir, abs)
			if err != nil {
				return "", "", false
			}
			if rel == "." {
				rel = ""
			}
			return gitDir, filepath.ToSlash(rel), true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", false
		}
		dir = parent
	}
}

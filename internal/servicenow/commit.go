package servicenow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

// Written says what Commit did.
type Written struct {
	// Added and Updated count record files new to the branch and changed on it.
	Added, Updated int
	// Commit is the new commit; zero when nothing changed.
	Commit plumbing.Hash
}

// Commit writes the files that differ from the current commit into the work tree at root
// (the records root, prefix its slash path inside the work tree) and commits them, and only
// them, in one commit on the current branch; the index is updated for those files. Files the
// commit has and files does not name are kept. When nothing differs, nothing is written.
func Commit(ctx context.Context, repo *git.Repository, workTree, prefix string, files []File, sig object.Signature, msg string) (Written, error) {
	var w Written
	head, err := repo.Head()
	var parent *object.Commit
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return w, err
	default:
		if parent, err = repo.CommitObject(head.Hash()); err != nil {
			return w, err
		}
	}
	entries := map[string]object.TreeEntry{}
	if parent != nil {
		tree, err := parent.Tree()
		if err != nil {
			return w, err
		}
		walker := object.NewTreeWalker(tree, true, nil)
		for {
			name, e, err := walker.Next()
			if err != nil {
				walker.Close()
				if errors.Is(err, io.EOF) {
					break
				}
				return w, err
			}
			if e.Mode != filemode.Dir {
				entries[name] = e
			}
		}
	}
	// New objects are gathered in memory and written as one pack: twenty thousand loose
	// objects would cost a temp file and a rename each.
	mem := memory.NewStorage()
	var changed []string
	for _, f := range files {
		p := path.Join(prefix, f.Path)
		h := plumbing.ComputeHash(plumbing.BlobObject, f.Data)
		old, ok := entries[p]
		if ok && old.Hash == h {
			continue
		}
		if err := ctx.Err(); err != nil {
			return w, err
		}
		if ok {
			w.Updated++
		} else {
			w.Added++
		}
		if _, err := storeBlob(mem, f.Data); err != nil {
			return w, err
		}
		full := filepath.Join(workTree, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return w, err
		}
		if err := os.WriteFile(full, f.Data, 0o644); err != nil {
			return w, err
		}
		entries[p] = object.TreeEntry{Name: path.Base(p), Mode: filemode.Regular, Hash: h}
		changed = append(changed, p)
	}
	if len(changed) == 0 {
		return w, nil
	}
	var tree gitrepo.TreeBuilder
	for p, e := range entries {
		if err := tree.Add(p, e.Mode, e.Hash); err != nil {
			return w, err
		}
	}
	treeHash, err := tree.Write(mem)
	if err != nil {
		return w, err
	}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: treeHash}
	if parent != nil {
		c.ParentHashes = []plumbing.Hash{parent.Hash}
	}
	obj := mem.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return w, err
	}
	if w.Commit, err = mem.SetEncodedObject(obj); err != nil {
		return w, err
	}
	if err := storeAll(repo, mem); err != nil {
		return w, fmt.Errorf("store the objects: %w", err)
	}
	branch := plumbing.Main
	if ref, err := repo.Storer.Reference(plumbing.HEAD); err == nil && ref.Type() == plumbing.SymbolicReference {
		branch = ref.Target()
	} else if err == nil {
		return w, fmt.Errorf("HEAD is detached; check out a branch to import into")
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(branch, w.Commit)); err != nil {
		return w, err
	}
	return w, updateIndex(repo, workTree, changed, entries)
}

// storeAll moves the objects of mem the repository lacks into it, as one pack when its
// storage takes packs.
func storeAll(repo *git.Repository, mem *memory.Storage) error {
	var hashes []plumbing.Hash
	for h := range mem.ObjectStorage.Objects {
		if repo.Storer.HasEncodedObject(h) != nil {
			hashes = append(hashes, h)
		}
	}
	sort.Slice(hashes, func(i, j int) bool { return bytes.Compare(hashes[i][:], hashes[j][:]) < 0 })
	pw, ok := repo.Storer.(storer.PackfileWriter)
	if !ok {
		for _, h := range hashes {
			if _, err := repo.Storer.SetEncodedObject(mem.ObjectStorage.Objects[h]); err != nil {
				return err
			}
		}
		return nil
	}
	wr, err := pw.PackfileWriter()
	if err != nil {
		return err
	}
	if _, err := packfile.NewEncoder(wr, mem, false).Encode(hashes, 0); err != nil {
		wr.Close()
		return err
	}
	return wr.Close()
}

// updateIndex stages the written files as committed, so that git status shows them clean.
func updateIndex(repo *git.Repository, workTree string, changed []string, entries map[string]object.TreeEntry) error {
	idx, err := repo.Storer.Index()
	if err != nil {
		idx = &index.Index{Version: 2}
	}
	pos := map[string]int{}
	for i, e := range idx.Entries {
		pos[e.Name] = i
	}
	for _, p := range changed {
		st, err := os.Lstat(filepath.Join(workTree, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		e := &index.Entry{Name: p, Hash: entries[p].Hash, Mode: filemode.Regular, ModifiedAt: st.ModTime(), Size: uint32(st.Size())}
		if i, ok := pos[p]; ok {
			idx.Entries[i] = e
		} else {
			idx.Entries = append(idx.Entries, e)
		}
	}
	sort.Slice(idx.Entries, func(i, j int) bool { return idx.Entries[i].Name < idx.Entries[j].Name })
	return repo.Storer.SetIndex(idx)
}

func storeBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	wr, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := wr.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := wr.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

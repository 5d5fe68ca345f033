package authoring

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/ids"
)

// Taken is where IDs of one kind are already in use.
type Taken struct {
	// Max is the highest number in use (0 when none is).
	Max int64
	// Refs is how many branch and remote-tracking tips were read.
	Refs int
}

// HighestNumber returns the highest number of the IDs with prefix that name a file under
// folder, in the work tree and in the tree of every local branch, every remote-tracking ref
// and HEAD, so that a new record does not take a number that a parallel branch already uses.
// Only file names are read, never contents; subtrees that several tips share are read once.
func HighestNumber(root, folder, prefix string) (Taken, error) {
	var t Taken
	consider := func(name string) {
		if n, ok := ids.Number(name, prefix); ok && n > t.Max {
			t.Max = n
		}
	}
	if _, err := namesUnder(root, folder, func(name string) bool { consider(name); return false }); err != nil {
		return t, err
	}
	repo, err := gitrepo.Open(root)
	if errors.Is(err, gitrepo.ErrNotGit) {
		return t, nil
	}
	if err != nil {
		return t, err
	}
	refs, err := repo.Git.References()
	if err != nil {
		return t, fmt.Errorf("list git refs: %w", err)
	}
	defer refs.Close()
	seenCommit := map[plumbing.Hash]bool{}
	seenTree := map[plumbing.Hash]bool{}
	sub := folder
	if repo.Prefix != "" {
		sub = repo.Prefix + "/" + folder
	}
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name()
		if ref.Type() != plumbing.HashReference || !(name.IsBranch() || name.IsRemote() || name == plumbing.HEAD) {
			return nil
		}
		if seenCommit[ref.Hash()] {
			return nil
		}
		seenCommit[ref.Hash()] = true
		c, err := repo.Git.CommitObject(ref.Hash())
		if err != nil {
			return fmt.Errorf("read %s: %w", name.Short(), err)
		}
		t.Refs++
		tree, err := c.Tree()
		if err != nil {
			return fmt.Errorf("read the tree of %s: %w", name.Short(), err)
		}
		tree, err = tree.Tree(sub)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s on %s: %w", sub, name.Short(), err)
		}
		return walkNames(repo, tree, seenTree, consider)
	})
	// HEAD is a symbolic ref on a branch, already read; a detached HEAD is a hash ref and
	// came through ForEach above.
	return t, err
}

// walkNames calls f with the name of every file of tree and its subtrees, skipping subtrees
// already seen.
func walkNames(repo *gitrepo.Repo, tree *object.Tree, seen map[plumbing.Hash]bool, f func(string)) error {
	if seen[tree.Hash] {
		return nil
	}
	seen[tree.Hash] = true
	for _, e := range tree.Entries {
		switch e.Mode {
		case filemode.Dir:
			sub, err := repo.Git.TreeObject(e.Hash)
			if err != nil {
				return fmt.Errorf("read tree %s: %w", e.Hash, err)
			}
			if err := walkNames(repo, sub, seen, f); err != nil {
				return err
			}
		case filemode.Submodule:
		default:
			f(e.Name)
		}
	}
	return nil
}

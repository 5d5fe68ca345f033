// Package gitrepo is the access, through go-git, to the git repository that holds a records
// repository. It reads revisions, the record files of a tree with their blob hashes, and blob
// contents. It also writes: TreeBuilder (tree.go) stores tree objects, made of blobs the caller
// has stored, in the object database (for evidence notes, the import and the demo); it never
// moves a ref.
package gitrepo

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrNotGit says the records repository is not inside a git repository.
var ErrNotGit = errors.New("not a git repository")

// Repo is a git repository and where the records root lies inside its work tree.
type Repo struct {
	Git *git.Repository
	// Prefix is the records root relative to the work tree root, as a slash path ("" when the
	// records repository is the whole git repository).
	Prefix string
	// Top is the top of the work tree ("" for a bare repository).
	Top string
}

// Open opens the git repository that contains the records root dir.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	g, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotGit)
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	r := &Repo{Git: g}
	if wt, err := g.Worktree(); err == nil {
		top := wt.Filesystem.Root()
		r.Top = top
		if realTop, err := filepath.EvalSymlinks(top); err == nil {
			top = realTop
		}
		if realAbs, err := filepath.EvalSymlinks(abs); err == nil {
			abs = realAbs
		}
		rel, err := filepath.Rel(top, abs)
		if err == nil && rel != "." {
			r.Prefix = filepath.ToSlash(rel)
		}
	}
	return r, nil
}

// Commit resolves a revision (a branch, tag, SHA, HEAD~2 …) to its commit.
func (r *Repo) Commit(rev string) (*object.Commit, error) {
	h, err := r.Git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("resolve revision %q: %w", rev, err)
	}
	c, err := r.Git.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	return c, nil
}

// Entry is one file of a tree below the records root.
type Entry struct {
	Path string // relative to the records root, slash-separated
	Hash plumbing.Hash
	Mode filemode.FileMode
}

// Files lists the files of commit c below the records root whose first path element is one
// of folders (all files when folders is empty).
func (r *Repo) Files(c *object.Commit, folders ...string) ([]Entry, error) {
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", c.Hash, err)
	}
	if r.Prefix != "" {
		tree, err = tree.Tree(r.Prefix)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", r.Prefix, c.Hash, err)
		}
	}
	var out []Entry
	walk := func(t *object.Tree, base string) error {
		w := object.NewTreeWalker(t, true, nil)
		defer w.Close()
		for {
			name, e, err := w.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
				continue
			}
			out = append(out, Entry{Path: path.Join(base, name), Hash: e.Hash, Mode: e.Mode})
		}
	}
	if len(folders) == 0 {
		return out, walk(tree, "")
	}
	for _, f := range folders {
		sub, err := tree.Tree(f)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", f, c.Hash, err)
		}
		if err := walk(sub, f); err != nil {
			return nil, fmt.Errorf("walk %s at %s: %w", f, c.Hash, err)
		}
	}
	return out, nil
}

// Blob returns the content of a blob, refusing blobs over max bytes.
func (r *Repo) Blob(h plumbing.Hash, max int64) ([]byte, error) {
	b, err := r.Git.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	if b.Size > max {
		return nil, fmt.Errorf("blob %s is %d bytes, over the limit of %d", h, b.Size, max)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, max+1))
}

// BlobHash is git's object name of content as a blob.
func BlobHash(content []byte) plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, content)
}

// HashIs reports whether h is the object name written in hex as s, without allocating: it
// runs once per record file in a check of 100,000 records.
func HashIs(h plumbing.Hash, s string) bool {
	var buf [2 * len(plumbing.Hash{})]byte
	hex.Encode(buf[:], h[:])
	return string(buf[:]) == s
}

// IsRecordPath reports whether a slash path relative to the records root is a YAML file.
func IsRecordPath(p string) bool { return strings.HasSuffix(p, ".yaml") }

// User returns user.name and user.email as git merges them: the repository's config over the
// global one over the system one. Either may be empty.
func (r *Repo) User() (name, email string) {
	cfg, err := r.Git.ConfigScoped(gitconfig.SystemScope)
	if err != nil {
		return "", ""
	}
	return strings.TrimSpace(cfg.User.Name), strings.TrimSpace(cfg.User.Email)
}

// User returns user.name and user.email outside any repository: the global config over the
// system one.
func User() (name, email string) {
	for _, scope := range []gitconfig.Scope{gitconfig.GlobalScope, gitconfig.SystemScope} {
		if cfg, err := gitconfig.LoadConfig(scope); err == nil && (cfg.User.Name != "" || cfg.User.Email != "") {
			return strings.TrimSpace(cfg.User.Name), strings.TrimSpace(cfg.User.Email)
		}
	}
	return "", ""
}

// Package history is the history index of a records repository: every commit reachable from a
// branch, read once with go-git, with the record files its tree changes against its first
// parent. It is kept under .git/gitsm/, keyed by commit hash, and extended incrementally: a
// run after one new commit reads only that commit. From it, a record's history is answered
// without a tree diff per commit per record, the way `git log --follow -- PATH` would list it,
// and a branch's first-parent history for the audit.
package history

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/record"
)

// Commit is one commit of the index.
type Commit struct {
	Hash    plumbing.Hash
	Parents []plumbing.Hash
	Author  Person
	// AuthorTime and CommitTime are Unix seconds; AuthorZone is the author's UTC offset in seconds.
	AuthorTime int64
	AuthorZone int32
	CommitTime int64
	// Subject is the first line of the message.
	Subject string
	// Signed says the commit carries a signature (checked only when the audit asks).
	Signed bool
	// Changes are the record files (.yaml under a kind's folder, relative to the records root)
	// whose blob differs from the first parent's (from the empty tree for a root commit).
	Changes []Change
}

// Person is a commit's author.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// When is the author date in the author's zone.
func (c *Commit) When() time.Time {
	return time.Unix(c.AuthorTime, 0).In(time.FixedZone("", int(c.AuthorZone)))
}

// Change is one file that differs from the first parent; Old or New is zero when the file is
// absent on that side.
type Change struct {
	Path     string
	Old, New plumbing.Hash
}

// Index is the history index of one repository.
type Index struct {
	git     *git.Repository
	store   *filesystem.Storage
	prefix  string
	path    string // the cache file; "" keeps the index in memory only
	commits map[plumbing.Hash]*Commit
	// tips are the branch tips the index was last brought up to, by ref name: a tip that is
	// no longer an ancestor of its ref means the history was rewritten.
	tips  map[string]plumbing.Hash
	trees *treeReader
	dirty bool
	// added are the commits read since the cache was loaded; rebuilt says the cache must be
	// written whole (a rewrite discarded what was loaded); base is the checksum of the cache
	// file loaded, which a journal must name; journal is the size of the journal loaded.
	added   []*Commit
	rebuilt bool
	base    []byte
	journal int
}

// Options tune Open.
type Options struct {
	// Progress, when not nil, receives a progress line while commits are read.
	Progress io.Writer
	// Rebuild ignores the cache.
	Rebuild bool
}

// Stats say what Sync did.
type Stats struct {
	// Read is how many commits were read from git (0 when the cache was up to date).
	Read int
	// Rebuilt says the cache was discarded: a history rewritten under it, or a damaged file.
	Rebuilt bool
	// Why says why it was rebuilt.
	Why string
}

// Open opens the git repository that holds the records root and the cached index. Close it.
func Open(root string, opts Options) (*Index, error) {
	r, err := gitrepo.Open(root)
	if err != nil {
		return nil, err
	}
	ix := &Index{prefix: r.Prefix, commits: map[plumbing.Hash]*Commit{}, tips: map[string]plumbing.Hash{}}
	// Reopen the object store keeping pack files open: the walk reads many thousands of
	// objects, and reopening the pack for each costs more than reading it.
	if fs, ok := r.Git.Storer.(*filesystem.Storage); ok {
		ix.store = filesystem.NewStorageWithOptions(fs.Filesystem(), cache.NewObjectLRU(objectCache), filesystem.Options{KeepDescriptors: true})
		if ix.git, err = git.Open(ix.store, nil); err != nil {
			return nil, fmt.Errorf("open git repository at %s: %w", root, err)
		}
	} else {
		ix.git = r.Git
	}
	ix.trees = newTreeReader(ix.git.Storer)
	ix.path = cachePath(root, r.Prefix)
	if !opts.Rebuild {
		// go-git reads a pack's whole index (and builds its offset table) on the first object
		// read, which every command does next: on a 20,000-commit repository that costs about
		// as much as loading the cache, so the two run side by side. Nothing else touches the
		// repository until the prefetch is done.
		done := make(chan struct{})
		go func() {
			defer close(done)
			if ref, err := ix.git.Reference(plumbing.HEAD, true); err == nil {
				_, _ = ix.git.Storer.EncodedObject(plumbing.CommitObject, ref.Hash())
			}
		}()
		ix.load()
		<-done
	}
	return ix, nil
}

// Close releases the open pack files.
func (ix *Index) Close() error {
	if ix.store != nil {
		return ix.store.Close()
	}
	return nil
}

// Git is the repository the index reads.
func (ix *Index) Git() *git.Repository { return ix.git }

// Commit returns an indexed commit, or nil.
func (ix *Index) Commit(h plumbing.Hash) *Commit { return ix.commits[h] }

// Resolve turns a revision into a commit hash and the ref the index tracks it under
// ("refs/heads/main" for "main", or for HEAD on main). A revision that is not a branch or a
// remote-tracking branch (a SHA, a tag, HEAD~2, a detached HEAD) gives "": there is no tip to
// follow from run to run, so nothing to check for rewrites.
func (ix *Index) Resolve(rev string) (plumbing.Hash, string, error) {
	name := ""
	if rev == "" || rev == "HEAD" {
		if ref, err := ix.git.Reference(plumbing.HEAD, false); err == nil && ref.Type() == plumbing.SymbolicReference {
			name = ref.Target().String()
		}
	} else {
		for _, full := range []string{rev, "refs/heads/" + rev, "refs/remotes/" + rev} {
			if _, err := ix.git.Reference(plumbing.ReferenceName(full), true); err == nil && strings.HasPrefix(full, "refs/") {
				name = full
				break
			}
		}
	}
	if strings.HasPrefix(name, "refs/tags/") || (name != "" && !strings.HasPrefix(name, "refs/")) {
		name = ""
	}
	h, err := ix.git.ResolveRevision(plumbing.Revision(orHEAD(rev)))
	if err != nil {
		return plumbing.ZeroHash, "", fmt.Errorf("resolve revision %q: %w", orHEAD(rev), err)
	}
	c, err := ix.git.CommitObject(*h)
	if err != nil {
		return plumbing.ZeroHash, "", fmt.Errorf("%s is not a commit: %w", orHEAD(rev), err)
	}
	return c.Hash, name, nil
}

func orHEAD(rev string) string {
	if rev == "" {
		return "HEAD"
	}
	return rev
}

// Sync brings the index up to tip, tracked under ref: it reads every commit reachable from tip
// that the index lacks, and saves the cache when it read any. When the tip last synced under
// ref is not an ancestor of tip, the history was rewritten (a force push, a rebase): the cache
// is discarded and rebuilt from tip, never trusted. ref "" tracks nothing (a detached HEAD).
func (ix *Index) Sync(ctx context.Context, ref string, tip plumbing.Hash, progress io.Writer) (Stats, error) {
	var st Stats
	if ref == "" {
		n, err := ix.read(ctx, tip, progress)
		st.Read = n
		if err == nil && ix.dirty {
			if err := ix.save(); err != nil && progress != nil {
				fmt.Fprintf(progress, "gitsm: could not write the history cache (%v); it is rebuilt next time\n", err)
			}
			ix.dirty = false
		}
		return st, err
	}
	if old, ok := ix.tips[ref]; ok && old != tip {
		if _, err := ix.git.CommitObject(old); err != nil {
			st.Rebuilt, st.Why = true, fmt.Sprintf("the cached tip %s of %s is gone from the repository", short(old), ref)
		}
	}
	if !st.Rebuilt {
		n, err := ix.read(ctx, tip, progress)
		st.Read = n
		if err != nil {
			return st, err
		}
		if old, ok := ix.tips[ref]; ok && old != tip && !ix.reaches(tip, old) {
			st.Rebuilt, st.Why = true, fmt.Sprintf("%s was rewritten: the cached tip %s is not an ancestor of %s", ref, short(old), short(tip))
		}
	}
	if st.Rebuilt {
		ix.commits = map[plumbing.Hash]*Commit{}
		ix.tips = map[string]plumbing.Hash{}
		ix.added, ix.rebuilt = nil, true
		n, err := ix.read(ctx, tip, progress)
		st.Read = n
		if err != nil {
			return st, err
		}
	}
	if ix.tips[ref] != tip {
		ix.tips[ref] = tip
		ix.dirty = true
	}
	if ix.dirty {
		if err := ix.save(); err != nil && progress != nil {
			fmt.Fprintf(progress, "gitsm: could not write the history cache (%v); it is rebuilt next time\n", err)
		}
		ix.dirty = false
	}
	return st, nil
}

// reaches reports whether target is tip or one of its ancestors, over the indexed graph.
// First parents are explored first: after new commits on a branch, the tip it was synced at
// is usually on the first-parent line, and is found without walking a merged branch's past.
func (ix *Index) reaches(tip, target plumbing.Hash) bool {
	seen := map[plumbing.Hash]bool{tip: true}
	stack := []plumbing.Hash{tip}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if h == target {
			return true
		}
		c := ix.commits[h]
		if c == nil {
			continue
		}
		for i := len(c.Parents) - 1; i >= 0; i-- {
			if p := c.Parents[i]; !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return false
}

// IsAncestor reports whether a is b or an ancestor of b (both must be indexed, as every
// commit reachable from a synced tip is).
func (ix *Index) IsAncestor(a, b plumbing.Hash) bool { return ix.reaches(b, a) }

// read indexes every commit reachable from tip that is not indexed yet. A commit is indexed
// only once its parents' trees are known, which they are from the commit objects themselves.
func (ix *Index) read(ctx context.Context, tip plumbing.Hash, progress io.Writer) (int, error) {
	if _, ok := ix.commits[tip]; ok {
		return 0, nil
	}
	var todo []*object.Commit
	seen := map[plumbing.Hash]bool{tip: true}
	stack := []plumbing.Hash{tip}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c, err := object.GetCommit(ix.git.Storer, h)
		if err != nil {
			return 0, fmt.Errorf("read commit %s: %w (is the repository shallow or damaged?)", h, err)
		}
		todo = append(todo, c)
		for _, p := range c.ParentHashes {
			if _, ok := ix.commits[p]; !ok && !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	if err := ix.indexAll(ctx, todo, progress); err != nil {
		return 0, err
	}
	return len(todo), nil
}

// indexAll indexes the commits in the order of the walk, newest first: git packs keep the
// newest version of a tree whole and older ones as deltas against it, so this order finds
// each delta's base in the object cache. (Splitting the walk between workers, each with its
// own go-git store, was tried: every worker then rebuilds the same delta bases, and the whole
// costs more CPU than one walk.)
func (ix *Index) indexAll(ctx context.Context, todo []*object.Commit, progress io.Writer) error {
	var done atomic.Int64
	stop := make(chan struct{})
	var tick sync.WaitGroup
	if progress != nil {
		tick.Add(1)
		go func() {
			defer tick.Done()
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					fmt.Fprintf(progress, "\rgitsm: reading history %d/%d commits\n", done.Load(), len(todo))
					return
				case <-t.C:
					fmt.Fprintf(progress, "\rgitsm: reading history %d/%d commits", done.Load(), len(todo))
				}
			}
		}()
	}
	defer func() {
		close(stop)
		tick.Wait()
	}()
	rd := &indexer{s: ix.git.Storer, trees: ix.trees, prefix: ix.prefix, memo: map[[2]plumbing.Hash][]Change{}}
	for i, c := range todo {
		if i%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ic, err := rd.index(c)
		if err != nil {
			return err
		}
		ix.commits[c.Hash] = ic
		ix.added = append(ix.added, ic)
		ix.dirty = true
		done.Add(1)
	}
	return nil
}

// objectCache is the size of the object store's cache of resolved objects. The trees of
// records folders are stored as long delta chains: a cache too small to hold the chains' bases
// makes every read rebuild them (on 20,000 commits and 50,000 records, 48 MiB cost 50 % more
// CPU than 384 MiB; docs/benchmarks.md). It is filled only as far as objects are read.
var objectCache = cache.FileSize(384 * cache.MiByte)

// indexer reads commits.
type indexer struct {
	s      storer.EncodedObjectStorer
	trees  *treeReader
	prefix string
	// memo keeps each (parent tree, tree) diff: a pull request merged with a merge commit
	// while up to date with its base has the same pair as its branch's last commit.
	memo map[[2]plumbing.Hash][]Change
}

// index reads one commit: its tree diff against its first parent, below the records root and
// only in the kinds' folders.
func (ix *indexer) index(c *object.Commit) (*Commit, error) {
	ic := &Commit{
		Hash: c.Hash, Parents: c.ParentHashes,
		Author:     Person{Name: c.Author.Name, Email: c.Author.Email},
		AuthorTime: c.Author.When.Unix(), CommitTime: c.Committer.When.Unix(),
		Subject: subject(c.Message), Signed: c.PGPSignature != "",
	}
	_, off := c.Author.When.Zone()
	ic.AuthorZone = int32(off)
	var parentTree plumbing.Hash
	if len(c.ParentHashes) > 0 {
		p, err := object.GetCommit(ix.s, c.ParentHashes[0])
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", c.ParentHashes[0], err)
		}
		parentTree = p.TreeHash
	}
	key := [2]plumbing.Hash{parentTree, c.TreeHash}
	if ch, ok := ix.memo[key]; ok {
		ic.Changes = ch
		return ic, nil
	}
	a, err := ix.trees.sub(parentTree, ix.prefix)
	if err != nil {
		return nil, err
	}
	b, err := ix.trees.sub(c.TreeHash, ix.prefix)
	if err != nil {
		return nil, err
	}
	for _, k := range record.Kinds {
		fa, err := ix.trees.sub(a, k.Folder)
		if err != nil {
			return nil, err
		}
		fb, err := ix.trees.sub(b, k.Folder)
		if err != nil {
			return nil, err
		}
		if ic.Changes, err = ix.trees.diff(fa, fb, k.Folder+"/", ic.Changes); err != nil {
			return nil, err
		}
	}
	ix.memo[key] = ic.Changes
	return ic, nil
}

func subject(msg string) string {
	s, _, _ := strings.Cut(strings.TrimLeft(msg, "\n"), "\n")
	return strings.TrimSpace(s)
}

func short(h plumbing.Hash) string { return h.String()[:10] }

// BlobAt returns the blob of the record file at path (relative to the records root) in
// commit h, or the zero hash when the commit has no such file.
func (ix *Index) BlobAt(h plumbing.Hash, path string) (plumbing.Hash, error) {
	c, err := object.GetCommit(ix.git.Storer, h)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", h, err)
	}
	full := path
	if ix.prefix != "" {
		full = ix.prefix + "/" + path
	}
	dir, name := filepath.ToSlash(filepath.Dir(full)), filepath.Base(full)
	if dir == "." {
		dir = ""
	}
	t, err := ix.trees.sub(c.TreeHash, dir)
	if err != nil || t.IsZero() {
		return plumbing.ZeroHash, err
	}
	e, ok, err := ix.trees.lookup(t, name)
	if err != nil || !ok || !e.isFile() {
		return plumbing.ZeroHash, err
	}
	return e.hash, nil
}

// FileAt returns the blob of a file at a path relative to the git work tree's top (not the
// records root), such as .gitsm/policy.yaml of a base commit; zero when absent.
func (ix *Index) FileAt(h plumbing.Hash, path string) (plumbing.Hash, error) {
	c, err := object.GetCommit(ix.git.Storer, h)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", h, err)
	}
	f, err := c.File(path)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s at %s: %w", path, short(h), err)
	}
	return f.Hash, nil
}

// CacheDir is the folder of gitsm's caches in the git directory ("" outside git).
func (ix *Index) CacheDir() string {
	if ix.path == "" {
		return ""
	}
	return filepath.Dir(ix.path)
}

// Prefix is the records root relative to the git work tree's top ("" at the top).
func (ix *Index) Prefix() string { return ix.prefix }

// MaxBlob is the largest record version Blob reads.
const MaxBlob = 8 << 20

// Blob returns a blob's content (nil for the zero hash).
func (ix *Index) Blob(h plumbing.Hash) ([]byte, error) {
	if h.IsZero() {
		return nil, nil
	}
	b, err := object.GetBlob(ix.git.Storer, h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	if b.Size > MaxBlob {
		return nil, fmt.Errorf("blob %s is %d bytes, over the limit of %d", h, b.Size, MaxBlob)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

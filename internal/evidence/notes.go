package evidence

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

// notesMessage is the message of the notes commits Write makes, after git's own.
const notesMessage = "Notes added by 'gitsm approval record'\n"

// Entry is one note of refs/notes/gitsm.
type Entry struct {
	// Commit is the annotated object.
	Commit plumbing.Hash
	// Note is the evidence; nil when Err is set.
	Note *Note
	// Err says why the note could not be read as evidence (a *FormatError for a note that is
	// not gitsm evidence: someone else's note, or a tampered one).
	Err error
}

// Read returns the evidence note on commit. It is ErrNotFound when the commit has none, a
// *FormatError when the note is not evidence this gitsm can read.
func Read(r *git.Repository, commit plumbing.Hash) (*Note, error) {
	_, tree, err := notesTree(r)
	if err != nil {
		return nil, err
	}
	if tree == nil {
		return nil, ErrNotFound
	}
	_, blob, ok, err := find(tree, commit.String())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	data, err := readBlob(r, blob)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// List returns every note of refs/notes/gitsm, ordered by annotated object; none when the ref
// does not exist. A note that cannot be read as evidence is listed with its Err.
func List(r *git.Repository) ([]Entry, error) {
	_, tree, err := notesTree(r)
	if err != nil || tree == nil {
		return nil, err
	}
	files, err := flatten(tree)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, f := range files {
		name := strings.ReplaceAll(f.path, "/", "")
		if len(name) != 40 && len(name) != 64 || !isHex(name) {
			continue
		}
		e := Entry{Commit: plumbing.NewHash(name)}
		data, err := readBlob(r, f.entry.Hash)
		if err == nil {
			e.Note, err = Parse(data)
		}
		e.Err = err
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Commit.String() < out[j].Commit.String() })
	return out, nil
}

// Outcome says what Write did.
type Outcome int

const (
	// Added means the commit had no note; one was added.
	Added Outcome = iota
	// Unchanged means the commit already had this very note; nothing was written.
	Unchanged
	// Replaced means the commit had a different note; it was replaced.
	Replaced
)

// Write stores n as the note of commit on refs/notes/gitsm, as `git notes --ref=gitsm add -f`
// would: a new notes commit (by sig) on top of the previous one, keeping every other note and
// the tree's fan-out layout. When the commit already has exactly this note nothing is written.
// The ref is updated only if nobody moved it meanwhile.
func Write(r *git.Repository, commit plumbing.Hash, n *Note, sig object.Signature) (Outcome, error) {
	data, err := n.Marshal()
	if err != nil {
		return 0, err
	}
	oldRef, tree, err := notesTree(r)
	if err != nil {
		return 0, err
	}
	blob := plumbing.ComputeHash(plumbing.BlobObject, data)
	var files []file
	outcome := Added
	target := commit.String()
	if tree != nil {
		at, old, ok, err := find(tree, target)
		if err != nil {
			return 0, err
		}
		if ok {
			if old == blob {
				return Unchanged, nil
			}
			outcome = Replaced
			target = at
		} else {
			target, err = placement(tree, target)
			if err != nil {
				return 0, err
			}
		}
		if files, err = flatten(tree); err != nil {
			return 0, err
		}
	}
	if _, err := storeBlob(r.Storer, data); err != nil {
		return 0, err
	}
	var root gitrepo.TreeBuilder
	for _, f := range files {
		if f.path != target {
			if err := root.Add(f.path, f.entry.Mode, f.entry.Hash); err != nil {
				return 0, fmt.Errorf("rewrite %s: %w", Ref, err)
			}
		}
	}
	if err := root.Add(target, filemode.Regular, blob); err != nil {
		return 0, fmt.Errorf("rewrite %s: %w", Ref, err)
	}
	treeHash, err := root.Write(r.Storer)
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", Ref, err)
	}
	c := &object.Commit{Author: sig, Committer: sig, Message: notesMessage, TreeHash: treeHash}
	if oldRef != nil {
		c.ParentHashes = []plumbing.Hash{oldRef.Hash()}
	}
	obj := r.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return 0, fmt.Errorf("encode notes commit: %w", err)
	}
	commitHash, err := r.Storer.SetEncodedObject(obj)
	if err != nil {
		return 0, fmt.Errorf("store notes commit: %w", err)
	}
	if err := r.Storer.CheckAndSetReference(plumbing.NewHashReference(Ref, commitHash), oldRef); err != nil {
		return 0, fmt.Errorf("update %s: %w", Ref, err)
	}
	return outcome, nil
}

// notesTree returns the notes ref and its commit's tree; both nil when the ref does not exist.
func notesTree(r *git.Repository) (*plumbing.Reference, *object.Tree, error) {
	ref, err := r.Reference(Ref, true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", Ref, err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", Ref, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("read the tree of %s: %w", Ref, err)
	}
	return ref, t, nil
}

// find looks for the note of the object named hex in a notes tree, through any fan-out: at
// each level either a file named by the rest of the name, or a directory named by its next two
// characters. It returns the note's path and blob.
func find(t *object.Tree, hex string) (string, plumbing.Hash, bool, error) {
	prefix := ""
	for rest := hex; ; {
		var sub *object.TreeEntry
		for i := range t.Entries {
			e := &t.Entries[i]
			if e.Name == rest && e.Mode.IsFile() {
				return prefix + rest, e.Hash, true, nil
			}
			if len(rest) > 2 && e.Name == rest[:2] && e.Mode == filemode.Dir {
				sub = e
			}
		}
		if sub == nil {
			return "", plumbing.ZeroHash, false, nil
		}
		next, err := t.Tree(sub.Name)
		if err != nil {
			return "", plumbing.ZeroHash, false, fmt.Errorf("read %s%s in %s: %w", prefix, sub.Name, Ref, err)
		}
		t, prefix, rest = next, prefix+sub.Name+"/", rest[2:]
	}
}

// placement is where a new note for hex goes: down the fan-out directories the tree already
// uses (git fans notes out into 2-character directories once there are many), else at the top.
func placement(t *object.Tree, hex string) (string, error) {
	prefix, rest := "", hex
	for len(rest) > 2 {
		fanned, exists := false, false
		for _, e := range t.Entries {
			if e.Mode == filemode.Dir && len(e.Name) == 2 && isHex(e.Name) {
				fanned = true
				exists = exists || e.Name == rest[:2]
			}
		}
		if !fanned {
			break
		}
		if !exists {
			return prefix + rest[:2] + "/" + rest[2:], nil
		}
		next, err := t.Tree(rest[:2])
		if err != nil {
			return "", fmt.Errorf("read %s%s in %s: %w", prefix, rest[:2], Ref, err)
		}
		t, prefix, rest = next, prefix+rest[:2]+"/", rest[2:]
	}
	return prefix + rest, nil
}

type file struct {
	path  string
	entry object.TreeEntry
}

// flatten lists every non-directory entry of a tree with its full path.
func flatten(t *object.Tree) ([]file, error) {
	var out []file
	w := object.NewTreeWalker(t, true, nil)
	defer w.Close()
	for {
		name, e, err := w.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", Ref, err)
		}
		if e.Mode == filemode.Dir {
			continue
		}
		out = append(out, file{path: name, entry: e})
	}
}

func storeBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store note: %w", err)
	}
	return h, nil
}

func readBlob(r *git.Repository, h plumbing.Hash) ([]byte, error) {
	b, err := r.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("read note %s: %w", h, err)
	}
	if b.Size > MaxSize {
		return nil, &FormatError{Msg: fmt.Sprintf("note %s is %d bytes, over the limit of %d", h, b.Size, MaxSize)}
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read note %s: %w", h, err)
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

func isHex(s string) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

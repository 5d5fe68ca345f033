package demo

import (
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

// objects writes blobs, trees and commits straight into the object store: the history is
// made, not replayed through a work tree, so that the same input gives the same hashes.
type objects struct {
	s     storer.EncodedObjectStorer
	blobs map[plumbing.Hash]bool
}

func (o *objects) blob(data []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(plumbing.BlobObject, data)
	if o.blobs[h] {
		return h, nil
	}
	obj := o.s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := o.s.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	o.blobs[h] = true
	return h, nil
}

// tree stores the tree of files (slash paths to contents) and returns its hash.
func (o *objects) tree(files map[string][]byte) (plumbing.Hash, error) {
	var b gitrepo.TreeBuilder
	for p, data := range files {
		h, err := o.blob(data)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if err := b.Add(p, filemode.Regular, h); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return b.Write(o.s)
}

func (o *objects) commit(tree plumbing.Hash, parents []plumbing.Hash, author, committer object.Signature, msg string) (plumbing.Hash, error) {
	c := &object.Commit{Author: author, Committer: committer, Message: msg, TreeHash: tree, ParentHashes: parents}
	obj := o.s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode commit: %w", err)
	}
	return o.s.SetEncodedObject(obj)
}

// person is a fixed author of the demo history.
type person struct{ name, email string }

var people = map[string]person{
	"alice":   {"Alice Martin", "alice@northwind.example"},
	"bob":     {"Bob Okafor", "bob@northwind.example"},
	"carol":   {"Carol Nguyen", "carol@northwind.example"},
	"dave":    {"Dave Schmidt", "dave@northwind.example"},
	"erin":    {"Erin Walsh", "erin@northwind.example"},
	"frank":   {"Frank Weber", "frank@northwind.example"},
	"grace":   {"Grace Hopper", "grace@northwind.example"},
	"heidi":   {"Heidi Larsen", "heidi@northwind.example"},
	"ivan":    {"Ivan Petrov", "ivan@northwind.example"},
	"judy":    {"Judy Chen", "judy@northwind.example"},
	"mallory": {"Mallory Brooks", "mallory@northwind.example"},
	"oscar":   {"Oscar Lindqvist", "oscar@northwind.example"},
	"peggy":   {"Peggy Carter", "peggy@northwind.example"},
	"trent":   {"Trent Walker", "trent@northwind.example"},
	"victor":  {"Victor Alvarez", "victor@northwind.example"},
	"walter":  {"Walter Kim", "walter@northwind.example"},
	// Incidents from monitoring are opened by the Alertmanager integration's bot account.
	"alertmanager": {"northwind-alerts[bot]", "alerts-bot@northwind.example"},
}

var (
	github  = object.Signature{Name: "GitHub", Email: "noreply@github.com"}
	actions = object.Signature{Name: "github-actions[bot]", Email: "41898282+github-actions[bot]@users.noreply.github.com"}
)

func sig(login string, at time.Time) object.Signature {
	p, ok := people[login]
	if !ok {
		p = person{login, login + "@northwind.example"}
	}
	return object.Signature{Name: p.name, Email: p.email, When: at.UTC()}
}

func at(s object.Signature, t time.Time) object.Signature {
	s.When = t.UTC()
	return s
}

package history

import (
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitsm/gitsm/internal/evidence"
)

// Notes are the readable evidence notes of refs/notes/gitsm, by annotated commit.
type Notes map[plumbing.Hash]*evidence.Note

// ReadNotes reads every evidence note; notes that are not readable evidence are returned apart
// (the audit reports them).
func (ix *Index) ReadNotes() (Notes, []evidence.Entry, error) {
	entries, err := evidence.List(ix.git)
	if err != nil {
		return nil, nil, err
	}
	out := Notes{}
	var bad []evidence.Entry
	for _, e := range entries {
		if e.Err != nil || e.Note == nil {
			bad = append(bad, e)
			continue
		}
		out[e.Commit] = e.Note
	}
	return out, bad, nil
}

// PR is the pull request a commit came through: its own subject (a merge commit's `Merge pull
// request #N`, a squash's `(#N)`), else its evidence note, else the pull request of the
// first-parent commit that brought it into the branch (introduced, from Introduced). 0: none.
func PR(c *Commit, notes Notes, introduced map[plumbing.Hash]plumbing.Hash, lookup func(plumbing.Hash) *Commit) int {
	if n := own(c, notes); n != 0 {
		return n
	}
	if m, ok := introduced[c.Hash]; ok && m != c.Hash {
		if mc := lookup(m); mc != nil {
			return own(mc, notes)
		}
	}
	return 0
}

func own(c *Commit, notes Notes) int {
	if n := SubjectPR(c.Subject); n != 0 {
		return n
	}
	if n := notes[c.Hash]; n != nil {
		return n.PR
	}
	return 0
}

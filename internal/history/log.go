package history

import (
	"container/heap"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Change kinds of an Entry.
const (
	Added    = "added"
	Modified = "modified"
	Deleted  = "deleted"
	Renamed  = "renamed"
)

// Entry is one commit of a record's history.
type Entry struct {
	Commit *Commit
	// Path is the record's path in this commit (for a deletion, the path it was deleted from);
	// OldPath its path in the first parent, which differs for a rename.
	Path, OldPath string
	// Old and New are the record's blobs in the first parent and in the commit (zero: absent).
	Old, New plumbing.Hash
	Change   string
}

// Log lists the history of the record file at path, newest first, as
// `git log --follow --format=%H -- PATH` lists it from tip. That command turns off git's
// history simplification: it walks every commit reachable from tip in committer-date order
// (the first queued first among equal dates), never lists a merge, and lists a commit whose
// diff against its parent touches the path followed; where that path is added, a file deleted
// in the same commit becomes the path followed from then on, for every commit after it in the
// walk. gitsm pairs an added file with a deleted one when their blobs are equal or their names
// (the record's ID) are; git pairs them by content similarity, and also takes an unmodified
// file of similar content for a copy source (find-copies-harder), which gitsm does not: a new
// record is not another record's history (docs/history.md).
func (ix *Index) Log(tip plumbing.Hash, p string) ([]Entry, error) {
	cur := p
	var out []Entry
	q := &dateQueue{}
	// Sized for the whole index up front: the walk usually visits most of it, and growing the
	// map step by step cost more than the walk.
	seen := make(map[plumbing.Hash]bool, len(ix.commits))
	seen[tip] = true
	push := func(h plumbing.Hash) error {
		c := ix.commits[h]
		if c == nil {
			return fmt.Errorf("commit %s is not in the history index; run the command again to rebuild it", short(h))
		}
		heap.Push(q, queued{c: c, seq: q.seq})
		q.seq++
		return nil
	}
	if err := push(tip); err != nil {
		return nil, err
	}
	for q.Len() > 0 {
		c := heap.Pop(q).(queued).c
		if len(c.Parents) < 2 {
			if ch := find(c.Changes, cur); ch != nil {
				e := Entry{Commit: c, Path: cur, OldPath: cur, Old: ch.Old, New: ch.New}
				switch {
				case ch.Old.IsZero():
					e.Change = Added
					if src := renameSource(c.Changes, ch); src != nil && len(c.Parents) > 0 {
						e.Change, e.OldPath, e.Old = Renamed, src.Path, src.Old
						cur = src.Path
					}
				case ch.New.IsZero():
					e.Change = Deleted
				default:
					e.Change = Modified
				}
				out = append(out, e)
			}
		}
		for _, h := range c.Parents {
			if !seen[h] {
				seen[h] = true
				if err := push(h); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

func find(cs []Change, p string) *Change {
	for i := range cs {
		if cs[i].Path == p {
			return &cs[i]
		}
	}
	return nil
}

// renameSource is the file deleted in the same commit that an added file came from: one with
// the same blob, else one with the same name (a record's file name is its ID).
func renameSource(cs []Change, added *Change) *Change {
	var byName *Change
	for i := range cs {
		d := &cs[i]
		if !d.New.IsZero() || d.Old.IsZero() {
			continue
		}
		if d.Old == added.New {
			return d
		}
		if byName == nil && path.Base(d.Path) == path.Base(added.Path) {
			byName = d
		}
	}
	return byName
}

// Renames returns, for a commit's changes, the deleted path each added path came from.
func Renames(cs []Change) map[string]string {
	out := map[string]string{}
	used := map[string]bool{}
	for i := range cs {
		a := &cs[i]
		if !a.Old.IsZero() || a.New.IsZero() {
			continue
		}
		if src := renameSource(cs, a); src != nil && !used[src.Path] {
			used[src.Path] = true
			out[a.Path] = src.Path
		}
	}
	return out
}

type queued struct {
	c   *Commit
	seq int
}

// dateQueue orders commits as git's revision walk does: newest committer date first, and
// among equal dates the one queued first.
type dateQueue struct {
	items []queued
	seq   int
}

func (q *dateQueue) Len() int { return len(q.items) }
func (q *dateQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if a.c.CommitTime != b.c.CommitTime {
		return a.c.CommitTime > b.c.CommitTime
	}
	return a.seq < b.seq
}
func (q *dateQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *dateQueue) Push(x any)    { q.items = append(q.items, x.(queued)) }
func (q *dateQueue) Pop() any {
	x := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return x
}

// Reachable returns every indexed commit reachable from tip.
func (ix *Index) Reachable(tip plumbing.Hash) map[plumbing.Hash]bool {
	seen := make(map[plumbing.Hash]bool, len(ix.commits))
	seen[tip] = true
	stack := []plumbing.Hash{tip}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c := ix.commits[h]; c != nil {
			for _, p := range c.Parents {
				if !seen[p] {
					seen[p] = true
					stack = append(stack, p)
				}
			}
		}
	}
	return seen
}

// FindPath returns the path of the record with this ID: where it is at tip, else where it was
// last (a deleted record). ok is false when no commit reachable from tip ever held it.
//
// Whether a path exists at tip is read from the index, not from git's trees: each commit's
// changes are its diff against its first parent, so along tip's first-parent line down to the
// root they compose to tip's tree, and the newest of them that touches a path says whether
// it is there (reading the tip's folder trees instead cost more than the rest of the lookup).
func (ix *Index) FindPath(tip plumbing.Hash, id string) (string, bool, error) {
	name := id + ".yaml"
	suffix := "/" + name
	match := func(p string) bool { return p == name || strings.HasSuffix(p, suffix) }
	last := map[string]int64{}
	for _, c := range ix.commits {
		for i := range c.Changes {
			if p := c.Changes[i].Path; len(p) >= len(name) && p[len(p)-len(name):] == name && match(p) {
				if t, ok := last[p]; !ok || c.CommitTime > t {
					last[p] = c.CommitTime
				}
			}
		}
	}
	if len(last) == 0 {
		return "", false, nil
	}
	if ix.commits[tip] == nil {
		return "", false, fmt.Errorf("commit %s is not in the history index; run the command again to rebuild it", short(tip))
	}
	// The state at tip of every candidate path: the newest first-parent change to it.
	present := map[string]bool{}
	for c := ix.commits[tip]; c != nil && len(present) < len(last); {
		for i := range c.Changes {
			ch := &c.Changes[i]
			if _, ok := last[ch.Path]; ok {
				if _, decided := present[ch.Path]; !decided {
					present[ch.Path] = !ch.New.IsZero()
				}
			}
		}
		if len(c.Parents) == 0 {
			break
		}
		next := ix.commits[c.Parents[0]]
		if next == nil {
			return "", false, fmt.Errorf("commit %s is not in the history index; run the command again to rebuild it", short(c.Parents[0]))
		}
		c = next
	}
	paths := make([]string, 0, len(last))
	for p := range last {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if present[p] {
			return p, true, nil
		}
	}
	// Deleted at tip: the path it was last changed at, among the commits tip reaches (the
	// index may also hold other branches).
	reach := ix.Reachable(tip)
	best, when := "", int64(0)
	for h := range reach {
		c := ix.commits[h]
		if c == nil {
			continue
		}
		for _, ch := range c.Changes {
			if t, ok := last[ch.Path]; ok && t != 0 && (best == "" || c.CommitTime > when) {
				best, when = ch.Path, c.CommitTime
			}
		}
	}
	return best, best != "", nil
}

// FirstParent lists tip and its first-parent ancestors, newest first.
func (ix *Index) FirstParent(tip plumbing.Hash) []*Commit {
	var out []*Commit
	for h := tip; ; {
		c := ix.commits[h]
		if c == nil {
			return out
		}
		out = append(out, c)
		if len(c.Parents) == 0 {
			return out
		}
		h = c.Parents[0]
	}
}

// Introduced maps every commit reachable from tip to the first-parent commit that brought it
// into the branch: itself when it is on the first-parent line, else the merge whose other
// parents first reach it.
func (ix *Index) Introduced(tip plumbing.Hash) map[plumbing.Hash]plumbing.Hash {
	line := ix.FirstParent(tip)
	out := make(map[plumbing.Hash]plumbing.Hash, len(ix.commits))
	for _, c := range line {
		out[c.Hash] = c.Hash
	}
	for i := len(line) - 1; i >= 0; i-- {
		m := line[i]
		if len(m.Parents) < 2 {
			continue
		}
		stack := append([]plumbing.Hash{}, m.Parents[1:]...)
		for len(stack) > 0 {
			h := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if _, ok := out[h]; ok {
				continue
			}
			out[h] = m.Hash
			if c := ix.commits[h]; c != nil {
				stack = append(stack, c.Parents...)
			}
		}
	}
	return out
}

var (
	mergePR  = regexp.MustCompile(`^Merge pull request #([0-9]{1,9})\b`)
	squashPR = regexp.MustCompile(`\(#([0-9]{1,9})\)$`)
)

// SubjectPR is the pull request a commit subject names: GitHub's `Merge pull request #N from
// …` of a merge commit, or the ` (#N)` suffix of a squash merge; 0 when none.
func SubjectPR(subject string) int {
	m := mergePR.FindStringSubmatch(subject)
	if m == nil {
		m = squashPR.FindStringSubmatch(subject)
	}
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

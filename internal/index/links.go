package index

import (
	"cmp"
	"slices"
	"strings"

	"github.com/gitsm/gitsm/internal/record"
)

// Link is one reference between two records, seen from one end. References are written once,
// on the child (SPEC 2: an incident names its problem); the other direction is derived.
type Link struct {
	// Relation names the link from this end: the referencing field for an outgoing link
	// ("problem"), a derived name for an incoming one ("incidents" on the problem).
	Relation string `json:"relation"`
	// Field is the referencing field (on the record that writes the reference).
	Field string `json:"field"`
	// ID and Kind are the record at the other end; Kind is empty for a dangling reference.
	ID   string      `json:"id"`
	Kind record.Kind `json:"kind,omitempty"`
}

// relations names the incoming links: from the kind and field of the referencing record to
// the name the referenced record lists them under.
var relations = map[record.Kind]map[string]string{
	record.Incident: {
		"service": "incidents", "cis": "incidents", "sla": "incidents",
		"caused_by": "incidents_caused", "problem": "incidents", "parent": "children",
	},
	record.Problem: {
		"service": "problems", "cis": "problems", "fix_change": "problems_fixed",
	},
	record.Change: {
		"service": "changes", "cis": "changes", "fixes": "fixed_by",
	},
	record.CI: {
		"depends_on": "dependents", "runs_on": "hosts", "sla": "cis",
	},
	record.SLA: {
		"applies_to.services": "slas", "applies_to.cis": "slas", "calendar": "slas",
	},
}

// Relation returns the name under which a record referenced by field of a record of kind
// from lists that record.
func Relation(from record.Kind, field string) string {
	if r, ok := relations[from][field]; ok {
		return r
	}
	return strings.ToLower(string(from)) + "s_by_" + field
}

func (ix *Index) links() {
	ix.linksOnce.Do(func() {
		ix.byID = make(map[string][]*record.Record, len(ix.Files))
		for i := range ix.Files {
			if r := ix.Files[i].Record; r != nil && r.ID != "" {
				ix.byID[r.ID] = append(ix.byID[r.ID], r)
			}
		}
		ix.in = map[string][]Link{}
		for i := range ix.Files {
			r := ix.Files[i].Record
			if r == nil || r.ID == "" {
				continue
			}
			for _, ref := range r.Refs {
				if _, ok := ix.byID[ref.Target]; !ok {
					continue
				}
				ix.in[ref.Target] = append(ix.in[ref.Target], Link{Relation: Relation(r.Kind, ref.Field), Field: ref.Field, ID: r.ID, Kind: r.Kind})
			}
		}
		for id, ls := range ix.in {
			slices.SortFunc(ls, compareLinks)
			ix.in[id] = slices.CompactFunc(ls, func(a, b Link) bool { return a == b })
		}
	})
}

func compareLinks(a, b Link) int {
	return cmp.Or(cmp.Compare(a.Relation, b.Relation), cmp.Compare(a.Field, b.Field), CompareIDs(a.ID, b.ID))
}

// Lookup returns the records with this ID: one, or several when the ID is duplicated (a
// validation error), or none.
func (ix *Index) Lookup(id string) []*record.Record {
	ix.links()
	return ix.byID[id]
}

// Record returns the record with this ID, the first by path if the ID is duplicated.
func (ix *Index) Record(id string) *record.Record {
	if rs := ix.Lookup(id); len(rs) > 0 {
		return rs[0]
	}
	return nil
}

// In returns the links to the record with this ID from the records that reference it, sorted
// by relation, field and ID.
func (ix *Index) In(id string) []Link {
	ix.links()
	return ix.in[id]
}

// Out returns the references a record makes, with the kind of each target when it exists.
// Template and window references name entries of the config, not records; they are kept
// with an empty kind.
func (ix *Index) Out(r *record.Record) []Link {
	out := make([]Link, 0, len(r.Refs))
	for _, ref := range r.Refs {
		l := Link{Relation: ref.Field, Field: ref.Field, ID: ref.Target}
		if t := ix.Record(ref.Target); t != nil {
			l.Kind = t.Kind
		}
		out = append(out, l)
	}
	return out
}

// Related returns the distinct records linked to the record with this ID under a relation
// (incoming or outgoing), sorted by ID.
func (ix *Index) Related(id, relation string) []*record.Record {
	var out []*record.Record
	seen := map[string]bool{}
	add := func(target string) {
		if seen[target] {
			return
		}
		if t := ix.Record(target); t != nil {
			seen[target] = true
			out = append(out, t)
		}
	}
	for _, l := range ix.In(id) {
		if l.Relation == relation {
			add(l.ID)
		}
	}
	if r := ix.Record(id); r != nil {
		for _, ref := range r.Refs {
			if ref.Field == relation {
				add(ref.Target)
			}
		}
	}
	slices.SortFunc(out, func(a, b *record.Record) int { return CompareIDs(a.ID, b.ID) })
	return out
}

// Open reports whether a record is still being worked on: an incident not resolved, closed or
// canceled; a problem not closed; a change not closed or canceled. Other kinds are never
// open.
func Open(r *record.Record) bool {
	state := r.String("state")
	switch r.Kind {
	case record.Incident:
		return state != "resolved" && state != "closed" && state != "canceled"
	case record.Problem:
		return state != "closed"
	case record.Change:
		return state != "closed" && state != "canceled"
	}
	return false
}

// CompareIDs orders IDs naturally: by prefix, then by number (INC-99 before INC-100), then
// as strings.
func CompareIDs(a, b string) int {
	pa, na, oka := splitNumbered(a)
	pb, nb, okb := splitNumbered(b)
	if oka && okb {
		return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(len(na), len(nb)), cmp.Compare(na, nb), cmp.Compare(a, b))
	}
	return cmp.Compare(a, b)
}

// splitNumbered splits PREFIX-DIGITS without a regular expression: sorting 100,000 IDs
// compares them millions of times.
func splitNumbered(id string) (prefix, digits string, ok bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 || i == len(id)-1 {
		return "", "", false
	}
	for _, c := range []byte(id[i+1:]) {
		if c < '0' || c > '9' {
			return "", "", false
		}
	}
	for _, c := range []byte(id[:i]) {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return "", "", false
		}
	}
	return id[:i], strings.TrimLeft(id[i+1:], "0"), true
}

package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// Repo runs the rules that need every record: duplicate IDs, references, CI cycles, freeze and
// maintenance windows, and conflicting changes. selected, when not nil, limits the findings to
// the records whose path it holds (references are still resolved against all records).
// The parts are independent and run concurrently; the findings come back in a fixed order.
func Repo(recs []*record.Record, cfg *config.Config, selected map[string]bool) []finding.Finding {
	keep := func(r *record.Record) bool { return selected == nil || selected[r.Path] }
	x := indexIDs(recs)

	const refChunks = 4
	parts := make([][]finding.Finding, refChunks+2)
	var wg sync.WaitGroup
	run := func(i int, f func() []finding.Finding) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i] = f()
		}()
	}
	size := (len(recs) + refChunks - 1) / refChunks
	for c := range refChunks {
		lo, hi := min(c*size, len(recs)), min((c+1)*size, len(recs))
		run(c, func() []finding.Finding { return references(recs[lo:hi], x, cfg, keep) })
	}
	run(refChunks, func() []finding.Finding { return cycles(recs, x, keep) })
	run(refChunks+1, func() []finding.Finding {
		if selected == nil {
			active := activeChanges(recs)
			return append(windows(active, x, cfg, keep), conflicts(recs, active, keep)...)
		}
		// Only the kept changes are reported on (validate --base: the few a pull request
		// touches), so only they and the changes they may conflict with need their planned
		// windows: not all of a large repository's.
		mine := activeChanges(keptChanges(recs, keep))
		if len(mine) == 0 {
			return nil
		}
		return append(windows(mine, x, cfg, keep), conflicts(recs, activeChanges(near(recs, mine, keep)), keep)...)
	})
	wg.Wait()
	var out []finding.Finding
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ids maps every ID to its record, and the IDs that more than one record carries to all of them.
type ids struct {
	first map[string]*record.Record
	dups  map[string][]*record.Record
}

func indexIDs(recs []*record.Record) ids {
	x := ids{first: make(map[string]*record.Record, len(recs)), dups: map[string][]*record.Record{}}
	for _, r := range recs {
		if r.ID == "" {
			continue
		}
		if prev, ok := x.first[r.ID]; ok {
			if len(x.dups[r.ID]) == 0 {
				x.dups[r.ID] = []*record.Record{prev}
			}
			x.dups[r.ID] = append(x.dups[r.ID], r)
			continue
		}
		x.first[r.ID] = r
	}
	return x
}

// ci returns the CI with this ID, or nil.
func (x ids) ci(id string) *record.Record {
	if r := x.first[id]; r != nil && r.Kind == record.CI {
		return r
	}
	return nil
}

// references reports, for each kept record of recs, a duplicate ID and every reference that
// does not resolve to a record of the right kind.
func references(recs []*record.Record, x ids, cfg *config.Config, keep func(*record.Record) bool) []finding.Finding {
	var out []finding.Finding
	for _, r := range recs {
		if dups := x.dups[r.ID]; len(dups) > 1 && (keep(r) || slices.ContainsFunc(dups, keep)) {
			var others []string
			for _, d := range dups {
				if d != r {
					others = append(others, d.Path)
				}
			}
			out = append(out, finding.Finding{Path: r.Path, Line: r.Line, Column: r.Column, Severity: finding.Error,
				Rule: "id.duplicate", ID: r.ID, Message: fmt.Sprintf("id %s is also used by %s; give one of them a new id", r.ID, strings.Join(others, ", "))})
		}
		if !keep(r) {
			continue
		}
		for _, ref := range r.Refs {
			if f, bad := resolve(r, ref, x, cfg); bad {
				out = append(out, f)
			}
		}
	}
	return out
}

func resolve(r *record.Record, ref record.Ref, x ids, cfg *config.Config) (finding.Finding, bool) {
	f := finding.Finding{Path: r.Path, Line: ref.Line, Column: ref.Column, Severity: finding.Error, ID: r.ID}
	switch {
	case slices.Contains(ref.Kinds, record.Template):
		if cfg.HasTemplate(ref.Target) {
			return f, false
		}
		f.Rule = "ref.missing"
		f.Message = fmt.Sprintf("%s %s is not a standard change template declared in .gitsm/config.yaml (templates:)", ref.Field, ref.Target)
		return f, true
	case slices.Contains(ref.Kinds, record.Window):
		w, ok := cfg.Window(ref.Target)
		if ok && w.Type == "maintenance" {
			return f, false
		}
		f.Rule = "ref.missing"
		f.Message = fmt.Sprintf("%s %s is not a maintenance window declared in .gitsm/config.yaml (windows:)", ref.Field, ref.Target)
		if ok {
			f.Rule = "ref.kind"
			f.Message = fmt.Sprintf("%s %s is a %s window, not a maintenance window", ref.Field, ref.Target, w.Type)
		}
		return f, true
	}
	t := x.first[ref.Target]
	if t == nil {
		f.Rule = "ref.missing"
		f.Message = fmt.Sprintf("%s refers to %s, which does not exist", ref.Field, ref.Target)
		return f, true
	}
	if !slices.Contains(ref.Kinds, t.Kind) {
		f.Rule = "ref.kind"
		f.Message = fmt.Sprintf("%s refers to %s, which is a %s; it must be a %s", ref.Field, ref.Target, t.Kind, kindNames(ref.Kinds))
		return f, true
	}
	if ref.Class != "" && t.Kind == record.CI && t.String("class") != ref.Class {
		f.Rule = "ref.kind"
		f.Message = fmt.Sprintf("%s refers to %s, a CI of class %s; it must be a CI of class %s", ref.Field, ref.Target, t.String("class"), ref.Class)
		return f, true
	}
	return f, false
}

func kindNames(ks []record.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, " or ")
}

// cycles finds the strongly connected components of the CI graph over depends_on and runs_on
// (Tarjan's algorithm, iterative so that deep graphs cannot overflow the stack) and reports,
// for every CI in a cycle, the reference that keeps it there.
func cycles(recs []*record.Record, x ids, keep func(*record.Record) bool) []finding.Finding {
	var cis []*record.Record
	index := map[*record.Record]int{}
	for _, r := range recs {
		if r.Kind == record.CI {
			index[r] = len(cis)
			cis = append(cis, r)
		}
	}
	edges := make([][]int, len(cis))
	for i, r := range cis {
		for _, ref := range r.Refs {
			if ref.Field != "depends_on" && ref.Field != "runs_on" {
				continue
			}
			if t := x.first[ref.Target]; t != nil {
				if j, ok := index[t]; ok {
					edges[i] = append(edges[i], j)
				}
			}
		}
	}
	comp := scc(len(cis), edges)
	size := map[int]int{}
	for _, c := range comp {
		size[c]++
	}
	var out []finding.Finding
	for i, r := range cis {
		if !keep(r) {
			continue
		}
		for _, ref := range r.Refs {
			if ref.Field != "depends_on" && ref.Field != "runs_on" {
				continue
			}
			t := x.first[ref.Target]
			if t == nil {
				continue
			}
			j, ok := index[t]
			if !ok || comp[j] != comp[i] || (size[comp[i]] == 1 && i != j) {
				continue
			}
			var members []string
			for k, c := range comp {
				if c == comp[i] {
					members = append(members, cis[k].ID)
				}
			}
			slices.Sort(members)
			out = append(out, finding.Finding{Path: r.Path, Line: ref.Line, Column: ref.Column, Severity: finding.Error, Rule: "ref.cycle", ID: r.ID,
				Message: fmt.Sprintf("%s %s closes a dependency cycle among %s; a CI cannot depend on itself, directly or through others", ref.Field, ref.Target, strings.Join(members, ", "))})
		}
	}
	return out
}

func scc(n int, edges [][]int) []int {
	idx := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	comp := make([]int, n)
	for i := range idx {
		idx[i] = -1
	}
	var stack []int
	counter, ncomp := 0, 0
	type frame struct{ v, e int }
	for s := 0; s < n; s++ {
		if idx[s] >= 0 {
			continue
		}
		call := []frame{{s, 0}}
		idx[s], low[s] = counter, counter
		counter++
		stack = append(stack, s)
		on[s] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.e < len(edges[f.v]) {
				w := edges[f.v][f.e]
				f.e++
				if idx[w] < 0 {
					idx[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					on[w] = true
					call = append(call, frame{w, 0})
				} else if on[w] && idx[w] < low[f.v] {
					low[f.v] = idx[w]
				}
				continue
			}
			v := f.v
			if low[v] == idx[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					on[w] = false
					comp[w] = ncomp
					if w == v {
						break
					}
				}
				ncomp++
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				if low[v] < low[p] {
					low[p] = low[v]
				}
			}
		}
	}
	return comp
}

package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// planned is a change with a planned window that is still ahead or under way.
type planned struct {
	r          *record.Record
	start, end time.Time
	cis        []string
}

// activeChanges are the changes not yet past implementation (review, closed and canceled
// changes are history) that have a well-formed planned window.
func activeChanges(recs []*record.Record) []planned {
	var out []planned
	for _, r := range recs {
		if r.Kind != record.Change {
			continue
		}
		switch r.String("state") {
		case "review", "closed", "canceled":
			continue
		}
		s, err1 := time.Parse(time.RFC3339Nano, r.String("planned_start"))
		e, err2 := time.Parse(time.RFC3339Nano, r.String("planned_end"))
		if err1 != nil || err2 != nil || !s.Before(e) {
			continue
		}
		out = append(out, planned{r: r, start: s, end: e, cis: r.Strings("cis")})
	}
	return out
}

func (p planned) finding(sev finding.Severity, rule, format string, args ...any) finding.Finding {
	line, col, _ := p.r.PosOf("planned_start")
	return finding.Finding{Path: p.r.Path, Line: line, Column: col, Severity: sev, Rule: rule, ID: p.r.ID,
		Message: fmt.Sprintf(format, args...)}
}

// windows checks planned changes against the freeze and maintenance windows of the config:
// a change planned in a freeze window is an error unless its type is allowed; a change planned
// outside the maintenance window of one of its CIs is a warning (emergency changes cannot wait
// and are exempt). A CI is governed by a maintenance window that it names in
// maintenance_window or whose scope selects it.
func windows(active []planned, x ids, cfg *config.Config, keep func(*record.Record) bool) []finding.Finding {
	var out []finding.Finding
	ci := x.ci
	for _, ch := range active {
		if !keep(ch.r) {
			continue
		}
		typ := ch.r.String("type")
		for _, w := range cfg.Windows {
			if w.Type != "freeze" || slices.Contains(w.AllowTypes, typ) || !inScope(w.Scope, ch, ci) {
				continue
			}
			if at, ok := overlaps(w, ch.start, ch.end); ok {
				out = append(out, ch.finding(finding.Error, "window",
					"planned %s – %s falls in freeze window %s (%s); move it out of the freeze%s",
					ch.r.String("planned_start"), ch.r.String("planned_end"), w.Name, at, allowHint(w)))
			}
		}
		if typ == "emergency" {
			continue
		}
		for _, id := range ch.cis {
			c := ci(id)
			if c == nil {
				continue
			}
			for _, w := range cfg.Windows {
				if w.Type != "maintenance" {
					continue
				}
				governs := c.String("maintenance_window") == w.Name || (hasScope(w.Scope) && inScope(w.Scope, planned{cis: []string{id}}, ci))
				if governs && !within(w, ch.start, ch.end) {
					out = append(out, ch.finding(finding.Warning, "window",
						"planned %s – %s is outside maintenance window %s of CI %s (%s)",
						ch.r.String("planned_start"), ch.r.String("planned_end"), w.Name, id, describeWindow(w)))
				}
			}
		}
	}
	return out
}

func allowHint(w config.Window) string {
	if len(w.AllowTypes) == 0 {
		return ""
	}
	return "; only " + strings.Join(w.AllowTypes, ", ") + " changes may run in it"
}

func hasScope(s config.Scope) bool {
	return s.All || len(s.Environments) > 0 || len(s.Services) > 0 || len(s.CIs) > 0
}

// inScope reports whether a window's scope selects a change: through any of its CIs (by ID,
// environment, or being a service) or its service.
func inScope(s config.Scope, ch planned, ci func(string) *record.Record) bool {
	if s.All {
		return true
	}
	if ch.r != nil && slices.Contains(s.Services, ch.r.String("service")) {
		return true
	}
	for _, id := range ch.cis {
		if slices.Contains(s.CIs, id) || slices.Contains(s.Services, id) {
			return true
		}
		if c := ci(id); c != nil && slices.Contains(s.Environments, c.String("environment")) {
			return true
		}
	}
	return false
}

// occurrences returns the windows' occurrences that may touch [from, to): the fixed window, or
// the weekly ones of each day from the day before from to to (capped at a year and a week).
func occurrences(w config.Window, from, to time.Time) [][2]time.Time {
	if w.Recurrence == nil {
		s, err1 := time.Parse(time.RFC3339Nano, w.Start)
		e, err2 := time.Parse(time.RFC3339Nano, w.End)
		if err1 != nil || err2 != nil {
			return nil
		}
		return [][2]time.Time{{s, e}}
	}
	rec := w.Recurrence
	loc := time.UTC
	if rec.Timezone != "" {
		if l, err := time.LoadLocation(rec.Timezone); err == nil {
			loc = l
		}
	}
	sh, sm, ok1 := clock(rec.Start)
	eh, em, ok2 := clock(rec.End)
	if !ok1 || !ok2 {
		return nil
	}
	var out [][2]time.Time
	day := from.In(loc).AddDate(0, 0, -1)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	for i := 0; i < 372 && day.Before(to); i++ {
		if slices.Contains(rec.Days, strings.ToLower(day.Weekday().String()[:3])) {
			s := time.Date(day.Year(), day.Month(), day.Day(), sh, sm, 0, 0, loc)
			e := time.Date(day.Year(), day.Month(), day.Day(), eh, em, 0, 0, loc)
			if !e.After(s) {
				e = e.AddDate(0, 0, 1)
			}
			out = append(out, [2]time.Time{s, e})
		}
		day = day.AddDate(0, 0, 1)
	}
	return out
}

func clock(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", s)
	if s == "24:00" {
		return 24, 0, true
	}
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

func overlaps(w config.Window, from, to time.Time) (string, bool) {
	for _, o := range occurrences(w, from, to) {
		if from.Before(o[1]) && o[0].Before(to) {
			return o[0].Format(time.RFC3339) + " – " + o[1].Format(time.RFC3339), true
		}
	}
	return "", false
}

func within(w config.Window, from, to time.Time) bool {
	for _, o := range occurrences(w, from, to) {
		if !from.Before(o[0]) && !to.After(o[1]) {
			return true
		}
	}
	return false
}

func describeWindow(w config.Window) string {
	if r := w.Recurrence; r != nil {
		return fmt.Sprintf("%s %s–%s %s", strings.Join(r.Days, ","), r.Start, r.End, r.Timezone)
	}
	return w.Start + " – " + w.End
}

// keptChanges are the changes of recs that keep accepts, in order.
func keptChanges(recs []*record.Record, keep func(*record.Record) bool) []*record.Record {
	var out []*record.Record
	for _, r := range recs {
		if r.Kind == record.Change && keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// near are the changes of recs, in order, that conflicts could pair with one of mine: the
// kept changes, and every change on a CI that one of mine reaches over depends_on and runs_on
// (conflicts finds those from my side) or that reaches one of mine's CIs (found from its
// side). conflicts over these gives every pair with a kept side exactly as over all active
// changes: a pair is only ever found from one of its two changes, both of which are here, in
// the same relative order.
func near(recs []*record.Record, mine []planned, keep func(*record.Record) bool) []*record.Record {
	deps, rdeps := map[string][]string{}, map[string][]string{}
	for _, r := range recs {
		if r.Kind != record.CI {
			continue
		}
		for _, d := range append(r.Strings("depends_on"), r.Strings("runs_on")...) {
			deps[r.ID] = append(deps[r.ID], d)
			rdeps[d] = append(rdeps[d], r.ID)
		}
	}
	cis := map[string]bool{}
	for _, graph := range []map[string][]string{deps, rdeps} {
		seen := map[string]bool{}
		var stack []string
		for _, ch := range mine {
			for _, id := range ch.cis {
				if !seen[id] {
					seen[id] = true
					stack = append(stack, id)
				}
			}
		}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			cis[x] = true
			for _, d := range graph[x] {
				if !seen[d] {
					seen[d] = true
					stack = append(stack, d)
				}
			}
		}
	}
	var out []*record.Record
	for _, r := range recs {
		if r.Kind != record.Change {
			continue
		}
		if keep(r) || slices.ContainsFunc(r.Strings("cis"), func(id string) bool { return cis[id] }) {
			out = append(out, r)
		}
	}
	return out
}

// conflicts reports active changes whose planned windows overlap on the same CI, or on CIs one
// of which depends on the other (directly or transitively, over depends_on and runs_on). Each
// change of a pair gets a warning naming the other.
func conflicts(recs []*record.Record, changes []planned, keep func(*record.Record) bool) []finding.Finding {
	// The changes on each CI, by planned start, with the longest of them: the changes on a CI
	// that overlap a span are then found by binary search, not by trying them all.
	type onCI struct {
		byStart []int // indexes into changes
		longest time.Duration
	}
	byCI := map[string]*onCI{}
	for i, ch := range changes {
		for _, id := range ch.cis {
			o := byCI[id]
			if o == nil {
				o = &onCI{}
				byCI[id] = o
			}
			o.byStart = append(o.byStart, i)
			o.longest = max(o.longest, ch.end.Sub(ch.start))
		}
	}
	for _, o := range byCI {
		slices.SortStableFunc(o.byStart, func(a, b int) int { return changes[a].start.Compare(changes[b].start) })
	}
	// overlapping yields the changes on a CI whose planned span overlaps [start, end): those
	// that start before end, and not so long before start that even the longest would be over.
	overlapping := func(o *onCI, start, end time.Time) []int {
		if o == nil {
			return nil
		}
		from := start.Add(-o.longest)
		lo, _ := slices.BinarySearchFunc(o.byStart, from, func(j int, t time.Time) int {
			if changes[j].start.After(t) {
				return 1
			}
			return -1
		})
		hi, _ := slices.BinarySearchFunc(o.byStart, end, func(j int, t time.Time) int {
			if changes[j].start.Before(t) {
				return -1
			}
			return 1
		})
		if lo >= hi {
			return nil
		}
		return o.byStart[lo:hi]
	}
	deps := map[string][]string{}
	for _, r := range recs {
		if r.Kind == record.CI {
			deps[r.ID] = append(r.Strings("depends_on"), r.Strings("runs_on")...)
		}
	}
	closure := map[string][]string{}
	reach := func(id string) []string {
		if c, ok := closure[id]; ok {
			return c
		}
		seen := map[string]bool{id: true}
		stack := []string{id}
		var out []string
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			out = append(out, x)
			for _, d := range deps[x] {
				if !seen[d] {
					seen[d] = true
					stack = append(stack, d)
				}
			}
		}
		closure[id] = out
		return out
	}
	type pair struct{ a, b int }
	found := map[pair]string{}
	for i, ch := range changes {
		for _, id := range ch.cis {
			for _, dep := range reach(id) {
				for _, j := range overlapping(byCI[dep], ch.start, ch.end) {
					if j == i || !(ch.start.Before(changes[j].end) && changes[j].start.Before(ch.end)) {
						continue
					}
					p := pair{min(i, j), max(i, j)}
					if _, ok := found[p]; ok {
						continue
					}
					if dep == id {
						found[p] = "on CI " + id
					} else if i < j {
						found[p] = fmt.Sprintf("on CI %s, which depends on %s", id, dep)
					} else {
						found[p] = fmt.Sprintf("on CI %s, which %s depends on", dep, id)
					}
				}
			}
		}
	}
	pairs := make([]pair, 0, len(found))
	for p := range found {
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if x.a != y.a {
			return x.a - y.a
		}
		return x.b - y.b
	})
	var out []finding.Finding
	for _, p := range pairs {
		for _, side := range [][2]int{{p.a, p.b}, {p.b, p.a}} {
			me, other := changes[side[0]], changes[side[1]]
			if !keep(me.r) {
				continue
			}
			out = append(out, me.finding(finding.Warning, "conflict",
				"planned %s – %s overlaps %s (%s – %s) %s; reschedule one of them or confirm they can run together",
				me.r.String("planned_start"), me.r.String("planned_end"), other.r.ID,
				other.r.String("planned_start"), other.r.String("planned_end"), found[p]))
		}
	}
	return out
}

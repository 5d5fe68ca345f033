package sla

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/record"
)

// Set is every SLA and calendar of a repository, ready to measure records with.
type Set struct {
	Defs      []*Definition // sorted by ID
	Calendars map[string]*Calendar
	// Errors are the SLAs and calendars that could not be used, one message each; the
	// SLAs among them measure nothing.
	Errors []string
}

// NewSet reads the SLA and calendar summaries among rs (from the index: their Fields and
// Facts), so that no record file is read again.
func NewSet(rs []*record.Record) *Set {
	s := &Set{Calendars: map[string]*Calendar{}}
	for _, r := range rs {
		if r.Kind != record.Calendar {
			continue
		}
		cal, err := ParseCalendar(calendarData(r))
		if err != nil {
			s.Errors = append(s.Errors, err.Error())
			continue
		}
		s.Calendars[r.ID] = cal
	}
	for _, r := range rs {
		if r.Kind != record.SLA {
			continue
		}
		def, err := Parse(slaData(r))
		if err != nil {
			s.Errors = append(s.Errors, err.Error())
			continue
		}
		if _, ok := s.Calendars[def.Calendar]; !ok && def.Calendar != "24x7" {
			s.Errors = append(s.Errors, fmt.Sprintf("sla %s: calendar %s does not exist or cannot be read (run gitsm validate)", def.ID, def.Calendar))
			continue
		}
		s.Defs = append(s.Defs, def)
	}
	slices.SortFunc(s.Defs, func(a, b *Definition) int { return strings.Compare(a.ID, b.ID) })
	return s
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// slaData rebuilds the fields of an SLA record that Parse reads from its summary.
func slaData(r *record.Record) map[string]any {
	f, x := r.Fields, r.Facts
	data := map[string]any{"id": r.ID, "target": f.String("target"), "calendar": f.String("calendar")}
	applies := map[string]any{"kind": x.String("applies_to.kind")}
	for _, k := range []string{"priorities", "services", "cis"} {
		if v, ok := x.Get("applies_to." + k); ok {
			if l, ok := v.([]string); ok {
				applies[k] = anys(l)
			}
		}
	}
	data["applies_to"] = applies
	ps, ds := x.Strings("goals[].priority"), x.Strings("goals[].duration")
	var goals []any
	for i := range min(len(ps), len(ds)) {
		goals = append(goals, map[string]any{"priority": ps[i], "duration": ds[i]})
	}
	data["goals"] = goals
	if _, ok := f.Get("pause_states"); ok {
		data["pause_states"] = anys(f.Strings("pause_states"))
	}
	if w, ok := x.Get("warn_at"); ok {
		l, _ := w.([]string)
		var ws []any
		for _, s := range l {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				ws = append(ws, v)
			}
		}
		data["warn_at"] = ws
	}
	return data
}

// calendarData rebuilds the fields of a calendar record that ParseCalendar reads.
func calendarData(r *record.Record) map[string]any {
	x := r.Facts
	data := map[string]any{"id": r.ID, "timezone": r.Fields.String("timezone")}
	days, starts, ends := x.Strings("hours[].days"), x.Strings("hours[].start"), x.Strings("hours[].end")
	var hours []any
	for i := range min(len(days), len(starts), len(ends)) {
		var ds []any
		if days[i] != "" {
			ds = anys(strings.Split(days[i], ","))
		}
		hours = append(hours, map[string]any{"days": ds, "start": starts[i], "end": ends[i]})
	}
	data["hours"] = hours
	var hols []any
	for _, d := range x.Strings("holidays[].date") {
		hols = append(hols, map[string]any{"date": d})
	}
	data["holidays"] = hols
	return data
}

// Subject is what selecting and measuring SLAs needs to know of a record.
type Subject struct {
	Kind     string
	Priority string
	Service  string
	CIs      []string
	SLA      string // the SLA the record names, if any
	Opened   time.Time
	Timeline []Step
}

// Select returns the SLAs that measure a record: the one it names in `sla` (when that SLA
// has a goal for its priority), else every SLA whose applies_to matches it.
func (s *Set) Select(sub Subject) []*Definition { return s.AppendSelect(nil, sub) }

// AppendSelect appends what Select returns to out: a caller selecting for many records
// reuses one slice.
func (s *Set) AppendSelect(out []*Definition, sub Subject) []*Definition {
	for _, d := range s.Defs {
		if s.selects(d, sub) {
			out = append(out, d)
		}
	}
	return out
}

// selects reports whether Select gives d for the record.
func (s *Set) selects(d *Definition, sub Subject) bool {
	if sub.SLA != "" {
		if d.ID != sub.SLA {
			return false
		}
		_, ok := d.Goals[sub.Priority]
		return ok
	}
	return d.Applies(sub.Kind, sub.Priority, sub.Service, sub.CIs)
}

// Measured is one SLA's clock on one record.
type Measured struct {
	Def      *Definition
	Calendar *Calendar // nil: 24x7
	Status   Status
}

// Measure runs the clock of every SLA that Select gives for the record, as of asOf.
func (s *Set) Measure(sub Subject, asOf time.Time) []Measured {
	return s.AppendMeasure(nil, sub, asOf)
}

// AppendMeasure appends what Measure returns to out: a caller measuring many records reuses
// one slice.
func (s *Set) AppendMeasure(out []Measured, sub Subject, asOf time.Time) []Measured {
	for _, d := range s.Defs {
		if !s.selects(d, sub) {
			continue
		}
		cal := s.Calendars[d.Calendar] // nil for 24x7
		st := Measure(Clock{Target: d.Target, Goal: d.Goals[sub.Priority], Calendar: cal, PauseStates: d.PauseStates, WarnAt: d.WarnAt}, sub.Opened, sub.Timeline, asOf)
		out = append(out, Measured{Def: d, Calendar: cal, Status: st})
	}
	return out
}

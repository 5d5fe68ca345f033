package sla

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Definition is an SLA record: what it measures, on which records, against which goals.
type Definition struct {
	ID          string
	Target      string // Response or Resolution
	Kind        string // the kind of record it applies to ("" any)
	Priorities  []string
	Services    []string
	CIs         []string
	Calendar    string // a Calendar ID, or "24x7"
	Goals       map[string]time.Duration
	PauseStates []string
	WarnAt      []float64
}

// Parse reads an SLA record's fields (as decoded from YAML: maps, lists, strings, numbers).
// The record is expected to be valid; Parse reports what it cannot use.
func Parse(data map[string]any) (*Definition, error) {
	d := &Definition{Goals: map[string]time.Duration{}, PauseStates: []string{"on_hold"}, WarnAt: []float64{50, 75}}
	d.ID, _ = data["id"].(string)
	d.Target, _ = data["target"].(string)
	d.Calendar, _ = data["calendar"].(string)
	if a, ok := data["applies_to"].(map[string]any); ok {
		d.Kind, _ = a["kind"].(string)
		d.Priorities = strs(a["priorities"])
		d.Services = strs(a["services"])
		d.CIs = strs(a["cis"])
	}
	goals, _ := data["goals"].([]any)
	for _, g := range goals {
		m, _ := g.(map[string]any)
		p, _ := m["priority"].(string)
		s, _ := m["duration"].(string)
		dur, err := ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("sla %s: goal %s: %w", d.ID, p, err)
		}
		d.Goals[p] = dur
	}
	if _, ok := data["pause_states"]; ok {
		d.PauseStates = strs(data["pause_states"])
	}
	if w, ok := data["warn_at"].([]any); ok {
		d.WarnAt = nil
		for _, x := range w {
			switch x := x.(type) {
			case int64:
				d.WarnAt = append(d.WarnAt, float64(x))
			case float64:
				d.WarnAt = append(d.WarnAt, x)
			}
		}
	}
	if d.Target != Response && d.Target != Resolution {
		return nil, fmt.Errorf("sla %s: target %q is neither response nor resolution", d.ID, d.Target)
	}
	return d, nil
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Applies reports whether the SLA measures a record of this kind, priority, service and CIs:
// every filter it sets must match (CIs: any one of them).
func (d *Definition) Applies(kind, priority, service string, cis []string) bool {
	if d.Kind != "" && d.Kind != kind {
		return false
	}
	if len(d.Priorities) > 0 && !slices.Contains(d.Priorities, priority) {
		return false
	}
	if len(d.Services) > 0 && !slices.Contains(d.Services, service) {
		return false
	}
	if len(d.CIs) > 0 && !slices.ContainsFunc(cis, func(ci string) bool { return slices.Contains(d.CIs, ci) }) {
		return false
	}
	_, ok := d.Goals[priority]
	return ok
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseCalendar reads a Calendar record's fields.
func ParseCalendar(data map[string]any) (*Calendar, error) {
	id, _ := data["id"].(string)
	tz, _ := data["timezone"].(string)
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		return nil, fmt.Errorf("calendar %s: unknown time zone %q", id, tz)
	}
	var spans []Span
	hours, _ := data["hours"].([]any)
	for _, h := range hours {
		m, _ := h.(map[string]any)
		var s Span
		for _, day := range strs(m["days"]) {
			wd, ok := weekdays[strings.ToLower(day)]
			if !ok {
				return nil, fmt.Errorf("calendar %s: unknown day %q", id, day)
			}
			s.Days[wd] = true
		}
		start, _ := m["start"].(string)
		end, _ := m["end"].(string)
		if s.Start, err = clock(start); err != nil {
			return nil, fmt.Errorf("calendar %s: %w", id, err)
		}
		if s.End, err = clock(end); err != nil {
			return nil, fmt.Errorf("calendar %s: %w", id, err)
		}
		spans = append(spans, s)
	}
	var holidays []string
	hs, _ := data["holidays"].([]any)
	for _, h := range hs {
		m, _ := h.(map[string]any)
		if d, ok := m["date"].(string); ok {
			holidays = append(holidays, d)
		}
	}
	return NewCalendar(loc, spans, holidays), nil
}

// clock reads "09:00" (or "24:00") as minutes from midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if s == "24:00" {
		return 24 * 60, nil
	}
	if err != nil {
		return 0, fmt.Errorf("time of day %q: use HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

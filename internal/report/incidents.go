package report

import (
	"slices"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/sla"
)

// PriorityStats are the incident figures of one priority.
type PriorityStats struct {
	Count    int `json:"count"`
	Open     int `json:"open"`
	Resolved int `json:"resolved"`
	// TimeToAcknowledge is acknowledged_at − opened_at, wall clock.
	TimeToAcknowledge Stats `json:"time_to_acknowledge"`
	// TimeToResolve is resolved_at − opened_at, wall clock.
	TimeToResolve Stats `json:"time_to_resolve"`
	// TimeToResolveBusiness counts only the hours of the calendar of the incident's
	// resolution SLA.
	TimeToResolveBusiness Stats `json:"time_to_resolve_business"`
	// TimeToResolveNetOfHold is TimeToResolve minus the time spent on_hold before resolved_at.
	TimeToResolveNetOfHold Stats `json:"time_to_resolve_net_of_hold"`

	tta, ttr, ttrBusiness, ttrNet []float64
}

// Count is a name with a number, for counts by state, service, CI …
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Month is one month of the incident trend: incidents opened in it, resolved in it, the mean
// time to acknowledge of those opened and the mean time to resolve of those resolved in it.
type Month struct {
	Month     string   `json:"month"`
	Opened    int      `json:"opened"`
	Resolved  int      `json:"resolved"`
	MTTAHours *float64 `json:"mtta_hours"`
	MTTRHours *float64 `json:"mttr_hours"`

	tta, ttr []float64
}

// Major is a major incident.
type Major struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Priority     string     `json:"priority"`
	State        string     `json:"state"`
	Service      string     `json:"service"`
	OpenedAt     time.Time  `json:"opened_at"`
	ResolvedAt   *time.Time `json:"resolved_at"`
	ResolveHours *float64   `json:"time_to_resolve_hours"`
	CausedBy     string     `json:"caused_by,omitempty"`
	Problem      string     `json:"problem,omitempty"`
}

// Backlog buckets of open incidents by age in whole days.
var backlogBuckets = []string{"<1d", "1-5d", "6-30d", "31-90d", ">90d"}

func bucket(age time.Duration) string {
	days := int(age / (24 * time.Hour))
	switch {
	case days < 1:
		return "<1d"
	case days <= 5:
		return "1-5d"
	case days <= 30:
		return "6-30d"
	case days <= 90:
		return "31-90d"
	}
	return ">90d"
}

// Incidents is the incidents section.
type Incidents struct {
	Count      int                       `json:"count"`
	Open       int                       `json:"open"`
	ByPriority map[string]*PriorityStats `json:"by_priority"`
	All        PriorityStats             `json:"all"`
	Backlog    []Count                   `json:"backlog_aging"`
	ByState    []Count                   `json:"by_state"`
	ByService  []Count                   `json:"by_service"`
	ByCI       []Count                   `json:"by_ci"`
	Trend      []Month                   `json:"monthly_trend"`
	Major      []Major                   `json:"major_incidents"`
}

// openStates are the states of an incident not yet resolved.
var openStates = []string{"new", "in_progress", "on_hold"}

func isOpen(state string) bool { return slices.Contains(openStates, state) }

// onHold is the time the timeline spends on_hold in [from, to).
func onHold(tl []sla.Step, from, to time.Time) time.Duration {
	var total time.Duration
	for i, s := range tl {
		if s.State != "on_hold" {
			continue
		}
		end := to
		if i+1 < len(tl) && tl[i+1].At.Before(to) {
			end = tl[i+1].At
		}
		start := s.At
		if start.Before(from) {
			start = from
		}
		if end.After(start) {
			total += end.Sub(start)
		}
	}
	return total
}

func buildIncidents(d *dataset, set *sla.Set, asOf time.Time) *Incidents {
	out := &Incidents{ByPriority: map[string]*PriorityStats{}, Major: []Major{}}
	backlog := map[string]int{}
	states, services, cis := map[string]int{}, map[string]int{}, map[string]int{}
	months := map[string]*Month{}
	monthOf := func(t time.Time) *Month {
		k := monthKey(t)
		m := months[string(k[:])]
		if m == nil {
			m = &Month{Month: string(k[:])}
			months[m.Month] = m
		}
		return m
	}
	var defs []*sla.Definition
	for _, it := range d.incidents {
		p := it.priority
		if p == "" {
			p = "none"
		}
		ps := out.ByPriority[p]
		if ps == nil {
			ps = &PriorityStats{}
			out.ByPriority[p] = ps
		}
		for _, s := range []*PriorityStats{ps, &out.All} {
			s.Count++
		}
		out.Count++
		states[it.state]++
		if it.service != "" {
			services[it.service]++
		}
		for i, ci := range it.cis {
			if !slices.Contains(it.cis[:i], ci) { // a CI named twice counts once
				cis[ci]++
			}
		}
		mo := monthOf(it.opened)
		mo.Opened++
		if isOpen(it.state) {
			out.Open++
			for _, s := range []*PriorityStats{ps, &out.All} {
				s.Open++
			}
			backlog[bucket(max(asOf.Sub(it.opened), 0))]++
		}
		if it.state == "resolved" || it.state == "closed" {
			for _, s := range []*PriorityStats{ps, &out.All} {
				s.Resolved++
			}
		}
		if !it.ack.IsZero() {
			h := hours(it.ack.Sub(it.opened))
			for _, s := range []*PriorityStats{ps, &out.All} {
				s.tta = append(s.tta, h)
			}
			mo.tta = append(mo.tta, h)
		}
		var ttr *float64
		if !it.resolved.IsZero() {
			wall := it.resolved.Sub(it.opened)
			h := hours(wall)
			ttr = ptr(round(h))
			net := hours(wall - onHold(it.timeline, it.opened, it.resolved))
			for _, s := range []*PriorityStats{ps, &out.All} {
				s.ttr = append(s.ttr, h)
				s.ttrNet = append(s.ttrNet, net)
			}
			defs = set.AppendSelect(defs[:0], it.subject())
			for _, m := range defs {
				if m.Target != sla.Resolution {
					continue
				}
				b := hours(set.Calendars[m.Calendar].Between(it.opened, it.resolved))
				for _, s := range []*PriorityStats{ps, &out.All} {
					s.ttrBusiness = append(s.ttrBusiness, b)
				}
				break
			}
			rm := monthOf(it.resolved)
			rm.Resolved++
			rm.ttr = append(rm.ttr, h)
		}
		if major, _ := it.r.Fields.Get("major"); major == true {
			m := Major{ID: it.id, Title: it.title, Priority: it.priority, State: it.state, Service: it.service,
				OpenedAt: it.opened.UTC(), ResolveHours: ttr, CausedBy: it.v[fCausedBy], Problem: it.v[fProblem]}
			if !it.resolved.IsZero() {
				t := it.resolved.UTC()
				m.ResolvedAt = &t
			}
			out.Major = append(out.Major, m)
		}
	}
	for _, s := range append(mapValues(out.ByPriority), &out.All) {
		s.TimeToAcknowledge = summarize(s.tta)
		s.TimeToResolve = summarize(s.ttr)
		s.TimeToResolveBusiness = summarize(s.ttrBusiness)
		s.TimeToResolveNetOfHold = summarize(s.ttrNet)
	}
	for _, b := range backlogBuckets {
		out.Backlog = append(out.Backlog, Count{b, backlog[b]})
	}
	out.ByState = counts(states)
	out.ByService = counts(services)
	out.ByCI = counts(cis)
	for _, m := range months {
		m.MTTAHours = summarize(m.tta).Mean
		m.MTTRHours = summarize(m.ttr).Mean
		out.Trend = append(out.Trend, *m)
	}
	slices.SortFunc(out.Trend, func(a, b Month) int { return strings.Compare(a.Month, b.Month) })
	slices.SortFunc(out.Major, func(a, b Major) int { return a.OpenedAt.Compare(b.OpenedAt) })
	if out.Trend == nil {
		out.Trend = []Month{}
	}
	return out
}

func mapValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// counts lists a tally by count, highest first, then by name.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Package report adds up records into the reports of SPEC section 6: SLA compliance,
// incident, change and problem metrics. It is pure: it works from the index's record
// summaries and takes "now" as an argument; one renderer per format writes the result.
package report

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/sla"
)

// Sections are the report sections in the order they are written.
var Sections = []string{"sla", "incidents", "changes", "problems"}

// Options choose what a report covers.
type Options struct {
	// AsOf is "now": running clocks and backlog ages are measured up to it.
	AsOf time.Time
	// Since and Until bound the records reported on (zero: unbounded): incidents and
	// problems by opened_at, changes by planned_start (or, without one, their first timeline
	// step), in [Since, Until).
	Since, Until time.Time
	// Sections lists the sections to build; empty means all.
	Sections []string
	// Priority gives the priority of a record without one from its impact and urgency (the
	// configured matrix); nil leaves it empty.
	Priority func(impact, urgency int) string
}

// Finding is a record whose data cannot be right, left out of the statistics.
type Finding struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Path    string `json:"path"`
	Problem string `json:"problem"`
}

// item is one record as the metrics see it.
type item struct {
	r        *record.Record
	kind     record.Kind
	id       string
	title    string
	state    string
	priority string
	service  string
	cis      []string
	opened   time.Time // opened_at, or for a change its first timeline step
	ack      time.Time
	resolved time.Time
	timeline []sla.Step
	v        [nPicked]string
}

// picked are the string fields an item reads from its summary, in one pass (sorted); the
// constants index item.v.
var picked = []string{"acknowledged_at", "actual_end", "actual_start", "caused_by", "opened_at", "outcome",
	"planned_end", "planned_start", "priority", "problem", "resolved_at", "service", "sla", "state", "type"}

const (
	fAcknowledged = iota
	fActualEnd
	fActualStart
	fCausedBy
	fOpened
	fOutcome
	fPlannedEnd
	fPlannedStart
	fPriority
	fProblem
	fResolved
	fService
	fSLA
	fState
	fType
	nPicked
)

// parseTime reads an RFC 3339 timestamp field; ok is false when it is missing, bad says it
// is there but unreadable.
func parseTime(s string) (t time.Time, ok, bad bool) {
	if s == "" {
		return time.Time{}, false, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false, true
	}
	return t, true, false
}

// Lists an item reads from its summary's fields and facts, in one pass each (sorted).
var (
	listFields = []string{"cis"}
	listFacts  = []string{"timeline[].at", "timeline[].state"}
)

// load turns a summary into the item it, or says why its data is impossible.
func load(it *item, r *record.Record, priority func(int, int) string) []string {
	f := r.Fields
	*it = item{r: r, kind: r.Kind, id: r.ID, title: r.Title}
	var lists [2]record.StringList
	f.PickLists(listFields, lists[:1])
	if n := lists[0].Len(); n > 0 {
		it.cis = make([]string, 0, n)
		for s, ok := lists[0].Next(); ok; s, ok = lists[0].Next() {
			it.cis = append(it.cis, s)
		}
	}
	f.Pick(picked, it.v[:])
	it.state, it.priority, it.service = it.v[fState], it.v[fPriority], it.v[fService]
	if it.priority == "" && priority != nil {
		impact, _ := f.Get("impact")
		urgency, _ := f.Get("urgency")
		i, _ := impact.(int64)
		u, _ := urgency.(int64)
		it.priority = priority(int(i), int(u))
	}
	var problems []string
	r.Facts.PickLists(listFacts, lists[:])
	ats, states := &lists[0], &lists[1]
	if n := min(ats.Len(), states.Len()); n > 0 {
		it.timeline = make([]sla.Step, 0, n)
	}
	for i := 0; ats.Len() > 0 && states.Len() > 0; i++ {
		at, _ := ats.Next()
		state, _ := states.Next()
		t, ok, _ := parseTime(at)
		if !ok {
			problems = append(problems, fmt.Sprintf("timeline entry %d has no readable time (%q)", i+1, at))
			continue
		}
		if n := len(it.timeline); n > 0 && t.Before(it.timeline[n-1].At) {
			problems = append(problems, fmt.Sprintf("timeline entry %d (%s) is earlier than the one before it", i+1, at))
		}
		it.timeline = append(it.timeline, sla.Step{At: t, State: state})
	}
	for _, x := range []struct {
		field int
		to    *time.Time
	}{{fOpened, &it.opened}, {fAcknowledged, &it.ack}, {fResolved, &it.resolved}} {
		t, ok, bad := parseTime(it.v[x.field])
		if bad {
			problems = append(problems, fmt.Sprintf("%s %q is not an RFC 3339 time", picked[x.field], it.v[x.field]))
		}
		if ok {
			*x.to = t
		}
	}
	switch r.Kind {
	case record.Incident, record.Problem:
		if it.opened.IsZero() {
			problems = append(problems, "no opened_at: no clock can start")
			break
		}
		if !it.ack.IsZero() && it.ack.Before(it.opened) {
			problems = append(problems, "acknowledged_at is before opened_at")
		}
		if !it.resolved.IsZero() && it.resolved.Before(it.opened) {
			problems = append(problems, "resolved_at is before opened_at")
		}
		if len(it.timeline) > 0 && it.timeline[0].At.Before(it.opened) {
			problems = append(problems, "the timeline starts before opened_at")
		}
	case record.Change:
		if len(it.timeline) > 0 {
			it.opened = it.timeline[0].At
		} else {
			problems = append(problems, "no timeline: the change has no creation time")
		}
		for _, pair := range [][2]int{{fPlannedStart, fPlannedEnd}, {fActualStart, fActualEnd}} {
			s, sok, _ := parseTime(it.v[pair[0]])
			e, eok, _ := parseTime(it.v[pair[1]])
			if sok && eok && e.Before(s) {
				problems = append(problems, picked[pair[1]]+" is before "+picked[pair[0]])
			}
		}
	}
	return problems
}

// inWindow reports whether t lies in [since, until) (a zero bound is open).
func inWindow(t, since, until time.Time) bool {
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || t.Before(until))
}

// Report is a built report: the sections asked for and the data-quality findings.
type Report struct {
	AsOf        time.Time  `json:"as_of"`
	Since       *time.Time `json:"since"`
	Until       *time.Time `json:"until"`
	Sections    []string   `json:"-"`
	SLA         *SLA       `json:"sla,omitempty"`
	Incidents   *Incidents `json:"incidents,omitempty"`
	Changes     *Changes   `json:"changes,omitempty"`
	Problems    *Problems  `json:"problems,omitempty"`
	DataQuality []Finding  `json:"data_quality"`
}

// Build computes the report over the record summaries rs.
func Build(rs []*record.Record, opts Options) *Report {
	rep := &Report{AsOf: opts.AsOf.UTC(), Sections: opts.Sections, DataQuality: []Finding{}}
	if len(rep.Sections) == 0 {
		rep.Sections = Sections
	}
	if !opts.Since.IsZero() {
		t := opts.Since.UTC()
		rep.Since = &t
	}
	if !opts.Until.IsZero() {
		t := opts.Until.UTC()
		rep.Until = &t
	}
	set := sla.NewSet(rs)
	for _, e := range set.Errors {
		rep.DataQuality = append(rep.DataQuality, Finding{Kind: string(record.SLA), Problem: e})
	}
	// Loading a summary (reading its fields, parsing its times) is most of the work: do it in
	// parallel, in chunks whose results are then taken in order.
	type loaded struct {
		it       *item
		problems []string
	}
	all := make([]loaded, len(rs))
	items := make([]item, len(rs)) // one allocation, not one a record
	workers := min(runtime.GOMAXPROCS(0), 8)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(rs); i += workers {
				switch rs[i].Kind {
				case record.Incident, record.Problem, record.Change:
					all[i].it = &items[i]
					all[i].problems = load(&items[i], rs[i], opts.Priority)
				}
			}
		}()
	}
	wg.Wait()
	d := &dataset{changeByID: map[string]*item{}}
	for i, l := range all {
		r := rs[i]
		if l.it == nil {
			continue
		}
		if len(l.problems) > 0 {
			rep.DataQuality = append(rep.DataQuality, Finding{ID: r.ID, Kind: string(r.Kind), Path: r.Path, Problem: strings.Join(l.problems, "; ")})
			continue
		}
		it := l.it
		if r.Kind == record.Change {
			d.changeByID[r.ID] = it
		}
		d.all = append(d.all, it)
		when := it.opened
		if r.Kind == record.Change {
			if ps, ok, _ := parseTime(it.v[fPlannedStart]); ok {
				when = ps
			}
		}
		if inWindow(when, opts.Since, opts.Until) {
			switch r.Kind {
			case record.Incident:
				d.incidents = append(d.incidents, it)
			case record.Problem:
				d.problems = append(d.problems, it)
			case record.Change:
				d.changes = append(d.changes, it)
			}
		}
	}
	// The sections only read the dataset (calendars guard their own tables): build them at
	// once.
	for _, s := range rep.Sections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch s {
			case "sla":
				rep.SLA = buildSLA(d, set, opts.AsOf)
			case "incidents":
				rep.Incidents = buildIncidents(d, set, opts.AsOf)
			case "changes":
				rep.Changes = buildChanges(d, opts)
			case "problems":
				rep.Problems = buildProblems(d)
			}
		}()
	}
	wg.Wait()
	slices.SortStableFunc(rep.DataQuality, func(a, b Finding) int {
		return strings.Compare(a.Kind+"\x00"+a.ID, b.Kind+"\x00"+b.ID)
	})
	return rep
}

// dataset holds the usable records: all of them, and those in the report's window by kind.
type dataset struct {
	all                          []*item
	changeByID                   map[string]*item
	incidents, problems, changes []*item
}

// subject is what the SLA engine needs of an item.
func (it *item) subject() sla.Subject {
	return sla.Subject{Kind: string(it.kind), Priority: it.priority, Service: it.service, CIs: it.cis,
		SLA: it.v[fSLA], Opened: it.opened, Timeline: it.timeline}
}

// monthKey is the calendar month of t in UTC, as YYYY-MM, in an array: a map indexed by
// string(k[:]) is looked up without making the string, which counts in a report that looks up
// a month for every clock. t comes from an RFC 3339 time, so its year has four digits.
func monthKey(t time.Time) [7]byte {
	y, m, _ := t.UTC().Date()
	return [7]byte{byte('0' + y/1000%10), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10)}
}

func hours(d time.Duration) float64 { return d.Hours() }

package report

import (
	"slices"
	"strings"
	"time"
)

// ChangeMonth is one month of implemented changes (by actual_start, else the step to
// implement) and how many of them failed.
type ChangeMonth struct {
	Month          string   `json:"month"`
	Implemented    int      `json:"implemented"`
	Failed         int      `json:"failed"`
	FailurePercent *float64 `json:"change_failure_rate_percent"`
}

// DORA are the four DORA figures as far as change and incident records give them.
type DORA struct {
	Deployments    int      `json:"deployments"`
	PeriodDays     float64  `json:"period_days"`
	PerWeek        *float64 `json:"deployment_frequency_per_week"`
	LeadTimeMedian *float64 `json:"lead_time_median_hours"`
	FailureRate    *float64 `json:"change_failure_rate_percent"`
	TimeToRestore  Stats    `json:"time_to_restore"`
}

// Changes is the changes section.
type Changes struct {
	Count          int           `json:"count"`
	ByType         []Count       `json:"by_type"`
	ByState        []Count       `json:"by_state"`
	ByOutcome      []Count       `json:"by_outcome"`
	Closed         int           `json:"closed"`
	Successful     int           `json:"successful"`
	SuccessRate    *float64      `json:"success_rate_percent"`
	Emergency      int           `json:"emergency"`
	EmergencyRatio *float64      `json:"emergency_ratio_percent"`
	Implemented    int           `json:"implemented"`
	FailedOutcome  int           `json:"failed"`
	BackedOut      int           `json:"backed_out"`
	CausedIncident int           `json:"caused_incidents"`
	Failures       []string      `json:"failures"`
	FailureRate    *float64      `json:"change_failure_rate_percent"`
	LeadTime       Stats         `json:"lead_time"`
	ByMonth        []ChangeMonth `json:"by_month"`
	DORA           DORA          `json:"dora"`
}

func buildChanges(d *dataset, opts Options) *Changes {
	out := &Changes{Failures: []string{}, ByMonth: []ChangeMonth{}}
	types, states, outcomes := map[string]int{}, map[string]int{}, map[string]int{}
	caused := map[string]bool{}
	for _, it := range d.all {
		if it.kind == "Incident" && it.v[fCausedBy] != "" {
			caused[it.v[fCausedBy]] = true
		}
	}
	months := map[string]*ChangeMonth{}
	var lead []float64
	var firstDeploy time.Time
	for _, it := range d.changes {
		out.Count++
		typ, outcome := it.v[fType], it.v[fOutcome]
		types[typ]++
		states[it.state]++
		if outcome != "" {
			outcomes[outcome]++
		}
		if it.state == "closed" {
			out.Closed++
			if outcome == "successful" {
				out.Successful++
			}
		}
		if typ == "emergency" {
			out.Emergency++
		}
		started, ok, _ := parseTime(it.v[fActualStart])
		if !ok {
			for _, s := range it.timeline {
				if s.State == "implement" {
					started, ok = s.At, true
					break
				}
			}
		}
		if !ok {
			continue
		}
		out.Implemented++
		k := monthKey(started)
		mo := months[string(k[:])]
		if mo == nil {
			mo = &ChangeMonth{Month: string(k[:])}
			months[mo.Month] = mo
		}
		mo.Implemented++
		failed := true
		switch {
		case outcome == "failed":
			out.FailedOutcome++
		case outcome == "backed_out":
			out.BackedOut++
		case caused[it.id]:
			out.CausedIncident++
		default:
			failed = false
		}
		if failed {
			out.Failures = append(out.Failures, it.id)
			mo.Failed++
		}
		if ended, ok, _ := parseTime(it.v[fActualEnd]); ok {
			lead = append(lead, hours(ended.Sub(it.opened)))
			out.DORA.Deployments++
			if firstDeploy.IsZero() || ended.Before(firstDeploy) {
				firstDeploy = ended
			}
		}
	}
	out.ByType, out.ByState, out.ByOutcome = counts(types), counts(states), counts(outcomes)
	out.SuccessRate = percent(out.Successful, out.Closed)
	out.EmergencyRatio = percent(out.Emergency, out.Count)
	out.FailureRate = percent(len(out.Failures), out.Implemented)
	out.LeadTime = summarize(lead)
	slices.Sort(out.Failures)
	for _, m := range months {
		m.FailurePercent = percent(m.Failed, m.Implemented)
		out.ByMonth = append(out.ByMonth, *m)
	}
	slices.SortFunc(out.ByMonth, func(a, b ChangeMonth) int { return strings.Compare(a.Month, b.Month) })

	from, to := opts.Since, opts.Until
	if from.IsZero() {
		from = firstDeploy
	}
	if to.IsZero() || to.After(opts.AsOf) {
		to = opts.AsOf
	}
	if !from.IsZero() && to.After(from) {
		days := to.Sub(from).Hours() / 24
		out.DORA.PeriodDays = round(days)
		out.DORA.PerWeek = ptr(round(float64(out.DORA.Deployments) / (days / 7)))
	}
	out.DORA.LeadTimeMedian = out.LeadTime.Median
	out.DORA.FailureRate = out.FailureRate
	var restore []float64
	for _, it := range d.incidents {
		if c := d.changeByID[it.v[fCausedBy]]; c != nil && !it.resolved.IsZero() {
			restore = append(restore, hours(it.resolved.Sub(it.opened)))
		}
	}
	out.DORA.TimeToRestore = summarize(restore)
	return out
}

// recurrenceWindow is how long after a problem's resolution a new incident on its CIs (or
// service) counts as a recurrence.
const recurrenceWindow = 90 * 24 * time.Hour

// recurrenceListed is how many recurring incidents a problem lists (the count is complete).
const recurrenceListed = 20

// ProblemRow is one problem with the incidents that name it.
type ProblemRow struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	State      string `json:"state"`
	KnownError bool   `json:"known_error"`
	Incidents  int    `json:"incidents"`
	// Recurrences counts the incidents opened within 90 days after resolved_at on one of the
	// problem's CIs (on its service when it names no CI); RecurringIncidents lists the first
	// 20 of them.
	Recurrences        int      `json:"recurrences"`
	RecurringIncidents []string `json:"recurring_incidents"`
}

// Problems is the problems section.
type Problems struct {
	Count       int          `json:"count"`
	Open        int          `json:"open"`
	KnownErrors int          `json:"known_errors"`
	ByState     []Count      `json:"by_state"`
	PerProblem  *float64     `json:"incidents_per_problem"`
	Recurring   int          `json:"recurring_problems"`
	Problems    []ProblemRow `json:"problems"`
}

func buildProblems(d *dataset) *Problems {
	out := &Problems{Problems: []ProblemRow{}}
	states := map[string]int{}
	linked := map[string]int{}
	// The incidents on each CI and each service, by opening time.
	byCI, byService := map[string][]*item{}, map[string][]*item{}
	for _, it := range d.all {
		if it.kind != "Incident" {
			continue
		}
		if p := it.v[fProblem]; p != "" {
			linked[p]++
		}
		for _, ci := range it.cis {
			byCI[ci] = append(byCI[ci], it)
		}
		if it.service != "" {
			byService[it.service] = append(byService[it.service], it)
		}
	}
	byOpened := func(a, b *item) int {
		if c := a.opened.Compare(b.opened); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	}
	// Records come in path order, which is nearly opening order: a stable sort on the time
	// alone is cheap and deterministic.
	for _, m := range []map[string][]*item{byCI, byService} {
		for _, l := range m {
			slices.SortStableFunc(l, func(a, b *item) int { return a.opened.Compare(b.opened) })
		}
	}
	total := 0
	var found []*item
	for _, it := range d.problems {
		out.Count++
		states[it.state]++
		ke, _ := it.r.Fields.Get("known_error")
		row := ProblemRow{ID: it.id, Title: it.title, State: it.state, KnownError: ke == true, Incidents: linked[it.id], RecurringIncidents: []string{}}
		if it.state != "resolved" && it.state != "closed" {
			out.Open++
		}
		if row.KnownError {
			out.KnownErrors++
		}
		total += row.Incidents
		if !it.resolved.IsZero() {
			found = found[:0]
			scan := func(l []*item) {
				i, _ := slices.BinarySearchFunc(l, it.resolved, func(x *item, t time.Time) int {
					if x.opened.After(t) {
						return 1
					}
					return -1
				})
				end := it.resolved.Add(recurrenceWindow)
				for ; i < len(l) && !l[i].opened.After(end); i++ {
					found = append(found, l[i])
				}
			}
			if len(it.cis) > 0 {
				for _, ci := range it.cis {
					scan(byCI[ci])
				}
			} else if it.service != "" {
				scan(byService[it.service])
			}
			// An incident on two of the problem's CIs is found twice: sort, then drop repeats.
			slices.SortFunc(found, byOpened)
			found = slices.CompactFunc(found, func(a, b *item) bool { return a == b })
			row.Recurrences = len(found)
			for _, f := range found[:min(len(found), recurrenceListed)] {
				row.RecurringIncidents = append(row.RecurringIncidents, f.id)
			}
			if len(found) > 0 {
				out.Recurring++
			}
		}
		out.Problems = append(out.Problems, row)
	}
	out.ByState = counts(states)
	if out.Count > 0 {
		out.PerProblem = ptr(round(float64(total) / float64(out.Count)))
	}
	slices.SortFunc(out.Problems, func(a, b ProblemRow) int { return strings.Compare(a.ID, b.ID) })
	return out
}

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
		if it.kind == "Incident" && it.field("caused_by") != "" {
			caused[it.field("caused_by")] = true
		}
	}
	months := map[string]*ChangeMonth{}
	var lead []float64
	var firstDeploy time.Time
	for _, it := range d.changes {
		out.Count++
		typ, outcome := it.field("type"), it.field("outcome")
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
		started, ok, _ := parseTime(it.field("actual_start"))
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
		mo := months[month(started)]
		if mo == nil {
			mo = &ChangeMonth{Month: month(started)}
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
		if ended, ok, _ := parseTime(it.field("actual_end")); ok {
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
		if c := d.byID[it.field("caused_by")]; c != nil && c.kind == "Change" && !it.resolved.IsZero() {
			restore = append(restore, hours(it.resolved.Sub(it.opened)))
		}
	}
	out.DORA.TimeToRestore = summarize(restore)
	return out
}

// ProblemRow is one problem with the incidents that name it.
type ProblemRow struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	State      string   `json:"state"`
	KnownError bool     `json:"known_error"`
	Incidents  int      `json:"incidents"`
	Recurrence []string `json:"recurrence"`
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
	var incidents []*item
	for _, it := range d.all {
		if it.kind == "Incident" {
			incidents = append(incidents, it)
			if p := it.field("problem"); p != "" {
				linked[p]++
			}
		}
	}
	total := 0
	for _, it := range d.problems {
		out.Count++
		states[it.state]++
		ke, _ := it.r.Fields.Get("known_error")
		row := ProblemRow{ID: it.id, Title: it.title, State: it.state, KnownError: ke == true, Incidents: linked[it.id], Recurrence: []string{}}
		if it.state != "resolved" && it.state != "closed" {
			out.Open++
		}
		if row.KnownError {
			out.KnownErrors++
		}
		total += row.Incidents
		if !it.resolved.IsZero() {
			for _, inc := range incidents {
				if inc.opened.After(it.resolved) && sameScope(it, inc) {
					row.Recurrence = append(row.Recurrence, inc.id)
				}
			}
			if len(row.Recurrence) > 0 {
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

// sameScope reports whether an incident is on the problem's service or one of its CIs.
func sameScope(p, inc *item) bool {
	if p.service != "" && inc.service == p.service {
		return true
	}
	return slices.ContainsFunc(inc.cis, func(ci string) bool { return slices.Contains(p.cis, ci) })
}

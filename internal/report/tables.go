package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Table is one table of a report, as text, markdown, csv and html write it.
type Table struct {
	Name    string // stable name, used by csv and --table
	Title   string
	Columns []string
	Rows    [][]string
	// Numeric marks the columns to align right.
	Numeric []bool
}

func num(x int) string { return strconv.Itoa(x) }

func fnum(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func pct(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + "%"
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func newTable(name, title string, cols ...string) *Table {
	t := &Table{Name: name, Title: title}
	for _, c := range cols {
		right := strings.HasPrefix(c, ">")
		t.Columns = append(t.Columns, strings.TrimPrefix(c, ">"))
		t.Numeric = append(t.Numeric, right)
	}
	return t
}

func (t *Table) add(cells ...string) { t.Rows = append(t.Rows, cells) }

// priorities lists the keys of a by-priority map in order (P1 … P5, then the rest).
func priorities[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func compCells(c Compliance) []string {
	return []string{pct(c.Percent), num(c.Count), num(c.Met), num(c.Breached), num(c.InProgress), num(c.AtRisk), num(c.Canceled)}
}

var compCols = []string{">compliance", ">count", ">met", ">breached", ">in progress", ">at risk", ">canceled"}

func statCells(s Stats) []string {
	return []string{num(s.N), fnum(s.Mean), fnum(s.Median), fnum(s.P90)}
}

// Tables lists the report's tables in order.
func (r *Report) Tables() []*Table {
	var out []*Table
	if s := r.SLA; s != nil {
		t := newTable("sla_by_sla", "SLA compliance by SLA and priority", append([]string{"sla", "target", "priority"}, compCols...)...)
		for _, row := range s.BySLA {
			t.add(append([]string{row.SLA, row.Target, row.Priority}, compCells(row.Compliance)...)...)
		}
		out = append(out, t)
		t = newTable("sla_by_priority", "SLA compliance by priority", append([]string{"priority"}, compCols...)...)
		for _, p := range priorities(s.ByPriority) {
			t.add(append([]string{p}, compCells(*s.ByPriority[p])...)...)
		}
		out = append(out, t)
		t = newTable("sla_by_month", "SLA compliance by month opened", append([]string{"month"}, compCols...)...)
		for _, m := range s.ByMonth {
			t.add(append([]string{m.Month}, compCells(m.Compliance)...)...)
		}
		out = append(out, t)
		t = newTable("sla_at_risk", "Clocks at risk, soonest breach first", "id", "sla", "priority", ">percent", ">warn", "stage", "breach at", "title")
		for _, a := range s.AtRisk {
			t.add(a.ID, a.SLA, a.Priority, strconv.FormatFloat(a.Percent, 'f', 1, 64)+"%", strconv.FormatFloat(a.Warning, 'f', -1, 64)+"%", a.Stage, when(a.BreachAt), a.Title)
		}
		out = append(out, t)
	}
	if in := r.Incidents; in != nil {
		t := newTable("incidents_by_priority", "Incidents by priority (hours, wall clock unless named)", "priority", ">count", ">open", ">resolved",
			">tta n", ">tta mean", ">tta median", ">tta p90", ">ttr n", ">ttr mean", ">ttr median", ">ttr p90",
			">ttr business mean", ">ttr business median", ">ttr net-of-hold mean", ">ttr net-of-hold median")
		row := func(name string, p *PriorityStats) {
			cells := []string{name, num(p.Count), num(p.Open), num(p.Resolved)}
			cells = append(cells, statCells(p.TimeToAcknowledge)...)
			cells = append(cells, statCells(p.TimeToResolve)...)
			cells = append(cells, fnum(p.TimeToResolveBusiness.Mean), fnum(p.TimeToResolveBusiness.Median),
				fnum(p.TimeToResolveNetOfHold.Mean), fnum(p.TimeToResolveNetOfHold.Median))
			t.add(cells...)
		}
		for _, p := range priorities(in.ByPriority) {
			row(p, in.ByPriority[p])
		}
		all := in.All
		row("all", &all)
		out = append(out, t)
		out = append(out, countTable("incidents_backlog", "Open incidents by age (backlog aging)", "age", in.Backlog))
		out = append(out, countTable("incidents_by_state", "Incidents by state", "state", in.ByState))
		out = append(out, countTable("incidents_by_service", "Incidents by service", "service", in.ByService))
		out = append(out, countTable("incidents_by_ci", "Incidents by CI", "ci", in.ByCI))
		t = newTable("incidents_trend", "Monthly trend", "month", ">opened", ">resolved", ">mtta hours", ">mttr hours")
		for _, m := range in.Trend {
			t.add(m.Month, num(m.Opened), num(m.Resolved), fnum(m.MTTAHours), fnum(m.MTTRHours))
		}
		out = append(out, t)
		t = newTable("incidents_major", "Major incidents", "id", "priority", "state", "service", "opened at", ">ttr hours", "caused by", "problem", "title")
		for _, m := range in.Major {
			t.add(m.ID, m.Priority, m.State, m.Service, m.OpenedAt.Format(time.RFC3339), fnum(m.ResolveHours), m.CausedBy, m.Problem, m.Title)
		}
		out = append(out, t)
	}
	if c := r.Changes; c != nil {
		t := newTable("changes_summary", "Change figures", "figure", ">value", "formula")
		t.add("changes", num(c.Count), "changes in the period")
		t.add("success rate", pct(c.SuccessRate), fmt.Sprintf("%d successful ÷ %d closed", c.Successful, c.Closed))
		t.add("emergency ratio", pct(c.EmergencyRatio), fmt.Sprintf("%d emergency ÷ %d changes", c.Emergency, c.Count))
		t.add("change failure rate", pct(c.FailureRate), fmt.Sprintf("(%d failed + %d backed out + %d caused an incident) ÷ %d implemented", c.FailedOutcome, c.BackedOut, c.CausedIncident, c.Implemented))
		t.add("lead time median (h)", fnum(c.LeadTime.Median), fmt.Sprintf("created → actual_end, %d changes; mean %s, p90 %s", c.LeadTime.N, fnum(c.LeadTime.Mean), fnum(c.LeadTime.P90)))
		t.add("deployment frequency (/week)", fnum(c.DORA.PerWeek), fmt.Sprintf("%d deployments over %s days", c.DORA.Deployments, strconv.FormatFloat(c.DORA.PeriodDays, 'f', -1, 64)))
		t.add("time to restore median (h)", fnum(c.DORA.TimeToRestore.Median), fmt.Sprintf("incidents caused by a change, %d resolved", c.DORA.TimeToRestore.N))
		out = append(out, t)
		out = append(out, countTable("changes_by_type", "Changes by type", "type", c.ByType))
		out = append(out, countTable("changes_by_state", "Changes by state", "state", c.ByState))
		out = append(out, countTable("changes_by_outcome", "Changes by outcome", "outcome", c.ByOutcome))
		t = newTable("changes_by_month", "Implemented changes and failures by month", "month", ">implemented", ">failed", ">failure rate")
		for _, m := range c.ByMonth {
			t.add(m.Month, num(m.Implemented), num(m.Failed), pct(m.FailurePercent))
		}
		out = append(out, t)
		t = newTable("changes_failures", "Failed changes (failed, backed out or caused an incident)", "id")
		for _, id := range c.Failures {
			t.add(id)
		}
		out = append(out, t)
	}
	if p := r.Problems; p != nil {
		t := newTable("problems_summary", "Problem figures", "figure", ">value")
		t.add("problems", num(p.Count))
		t.add("open", num(p.Open))
		t.add("known errors", num(p.KnownErrors))
		t.add("incidents per problem", fnum(p.PerProblem))
		t.add("recurring problems", num(p.Recurring))
		out = append(out, t)
		out = append(out, countTable("problems_by_state", "Problems by state", "state", p.ByState))
		t = newTable("problems", "Problems, their incidents and recurrence within 90 days of resolution", "id", "state", "known error", ">incidents", ">recurrences", "recurring incidents (first 20)", "title")
		for _, row := range p.Problems {
			ke := "no"
			if row.KnownError {
				ke = "yes"
			}
			t.add(row.ID, row.State, ke, num(row.Incidents), num(row.Recurrences), strings.Join(row.RecurringIncidents, " "), row.Title)
		}
		out = append(out, t)
	}
	t := newTable("data_quality", "Data-quality findings (left out of the statistics)", "kind", "id", "path", "problem")
	for _, f := range r.DataQuality {
		t.add(f.Kind, f.ID, f.Path, f.Problem)
	}
	out = append(out, t)
	return out
}

func countTable(name, title, label string, cs []Count) *Table {
	t := newTable(name, title, label, ">count")
	for _, c := range cs {
		t.add(c.Name, num(c.Count))
	}
	return t
}

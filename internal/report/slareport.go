package report

import (
	"slices"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/sla"
)

// Compliance counts clocks by result. A clock past its goal counts as breached whether or not
// it has stopped; in progress are the running or paused clocks not yet breached, and at risk
// those of them past a warn_at threshold. Canceled clocks count in Count only.
type Compliance struct {
	Count      int      `json:"count"`
	Met        int      `json:"met"`
	Breached   int      `json:"breached"`
	InProgress int      `json:"in_progress"`
	AtRisk     int      `json:"at_risk"`
	Canceled   int      `json:"canceled"`
	Percent    *float64 `json:"compliance_percent"` // met ÷ (met + breached) × 100
}

func (c *Compliance) add(st sla.Status) {
	c.Count++
	switch {
	case st.Stage == sla.Canceled:
		c.Canceled++
	case st.Breached:
		c.Breached++
	case st.Stage == sla.Stopped:
		c.Met++
	default:
		c.InProgress++
		if st.Warning > 0 {
			c.AtRisk++
		}
	}
}

// done sets Percent once every clock is added.
func (c *Compliance) done() { c.Percent = percent(c.Met, c.Met+c.Breached) }

// SLARow is the compliance of one SLA at one priority.
type SLARow struct {
	SLA      string `json:"sla"`
	Target   string `json:"target"`
	Priority string `json:"priority"`
	Compliance
}

// MonthCompliance is the compliance of the clocks of the records opened in a month.
type MonthCompliance struct {
	Month string `json:"month"`
	Compliance
}

// AtRisk is a running clock past a warn_at threshold that has not breached yet.
type AtRisk struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	SLA      string     `json:"sla"`
	Target   string     `json:"target"`
	Priority string     `json:"priority"`
	Percent  float64    `json:"percent"`
	Warning  float64    `json:"warning"`
	Stage    string     `json:"stage"`
	BreachAt *time.Time `json:"breach_at"`
}

// SLA is the sla section.
type SLA struct {
	BySLA      []SLARow               `json:"by_sla"`
	ByPriority map[string]*Compliance `json:"by_priority"`
	ByMonth    []MonthCompliance      `json:"by_month"`
	AtRisk     []AtRisk               `json:"at_risk"`
	// Unmeasured are the records in the window that no SLA applies to.
	Unmeasured int `json:"unmeasured"`
}

func buildSLA(d *dataset, set *sla.Set, asOf time.Time) *SLA {
	out := &SLA{ByPriority: map[string]*Compliance{}, AtRisk: []AtRisk{}, BySLA: []SLARow{}, ByMonth: []MonthCompliance{}}
	rows := map[[2]string]*SLARow{}
	months := map[string]*MonthCompliance{}
	var items []*item
	items = append(items, d.incidents...)
	items = append(items, d.problems...)
	items = append(items, d.changes...)
	var ms []sla.Measured
	for _, it := range items {
		ms = set.AppendMeasure(ms[:0], it.subject(), asOf)
		if len(ms) == 0 {
			out.Unmeasured++
			continue
		}
		for _, m := range ms {
			key := [2]string{m.Def.ID, it.priority}
			row := rows[key]
			if row == nil {
				row = &SLARow{SLA: m.Def.ID, Target: m.Def.Target, Priority: it.priority}
				rows[key] = row
			}
			row.add(m.Status)
			p := out.ByPriority[it.priority]
			if p == nil {
				p = &Compliance{}
				out.ByPriority[it.priority] = p
			}
			p.add(m.Status)
			k := monthKey(it.opened)
			mo := months[string(k[:])]
			if mo == nil {
				mo = &MonthCompliance{Month: string(k[:])}
				months[mo.Month] = mo
			}
			mo.add(m.Status)
			st := m.Status
			if st.Stage != sla.Stopped && st.Stage != sla.Canceled && !st.Breached && st.Warning > 0 {
				a := AtRisk{ID: it.id, Title: it.title, SLA: m.Def.ID, Target: m.Def.Target, Priority: it.priority,
					Percent: round(st.Percent), Warning: st.Warning, Stage: st.Stage}
				if !st.BreachAt.IsZero() {
					t := st.BreachAt.UTC()
					a.BreachAt = &t
				}
				out.AtRisk = append(out.AtRisk, a)
			}
		}
	}
	for _, p := range out.ByPriority {
		p.done()
	}
	for _, r := range rows {
		r.done()
		out.BySLA = append(out.BySLA, *r)
	}
	slices.SortFunc(out.BySLA, func(a, b SLARow) int {
		return strings.Compare(a.SLA+"\x00"+a.Priority, b.SLA+"\x00"+b.Priority)
	})
	for _, m := range months {
		m.done()
		out.ByMonth = append(out.ByMonth, *m)
	}
	slices.SortFunc(out.ByMonth, func(a, b MonthCompliance) int { return strings.Compare(a.Month, b.Month) })
	// Soonest breach first; paused clocks (no breach time) last, then by ID.
	slices.SortFunc(out.AtRisk, func(a, b AtRisk) int {
		switch {
		case a.BreachAt != nil && b.BreachAt != nil && !a.BreachAt.Equal(*b.BreachAt):
			return a.BreachAt.Compare(*b.BreachAt)
		case a.BreachAt != nil && b.BreachAt == nil:
			return -1
		case a.BreachAt == nil && b.BreachAt != nil:
			return 1
		}
		return strings.Compare(a.ID+a.SLA, b.ID+b.SLA)
	})
	return out
}

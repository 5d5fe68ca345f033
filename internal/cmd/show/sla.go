package show

import (
	"fmt"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/sla"
)

// SLAView is the status of one SLA on a record.
type SLAView struct {
	SLA            string     `json:"sla" yaml:"sla"`
	Title          string     `json:"title" yaml:"title"`
	Target         string     `json:"target" yaml:"target"`
	Priority       string     `json:"priority" yaml:"priority"`
	Calendar       string     `json:"calendar" yaml:"calendar"`
	Goal           string     `json:"goal" yaml:"goal"`
	GoalSeconds    int64      `json:"goal_seconds" yaml:"goal_seconds"`
	Elapsed        string     `json:"elapsed" yaml:"elapsed"`
	ElapsedSeconds int64      `json:"elapsed_seconds" yaml:"elapsed_seconds"`
	Percent        float64    `json:"percent" yaml:"percent"`
	Stage          string     `json:"stage" yaml:"stage"`   // running, paused, stopped, canceled
	Result         string     `json:"result" yaml:"result"` // met, breached, at_risk, on_track, paused, canceled
	Breached       bool       `json:"breached" yaml:"breached"`
	Warning        float64    `json:"warning" yaml:"warning"` // the highest warn_at threshold passed
	StoppedAt      *time.Time `json:"stopped_at" yaml:"stopped_at"`
	BreachAt       *time.Time `json:"breach_at" yaml:"breach_at"`
}

func (s SLAView) describe() string {
	out := strings.ReplaceAll(s.Result, "_", " ")
	if s.BreachAt != nil {
		out += ", breaches at " + s.BreachAt.UTC().Format(time.RFC3339)
	}
	if s.StoppedAt != nil && s.Stage == sla.Stopped {
		out += ", stopped at " + s.StoppedAt.UTC().Format(time.RFC3339)
	}
	return out
}

// Clocks measures every SLA that applies to a record (data is the record's fields) as of
// asOf: the SLA the record names in `sla`, or else every SLA whose applies_to matches its
// kind, priority, service and CIs and that has a goal for its priority. A record without a
// priority gets the one the matrix gives its impact and urgency.
func Clocks(ix *index.Index, e *check.Engine, r *record.Record, data map[string]any, asOf time.Time) ([]SLAView, error) {
	opened, err := time.Parse(time.RFC3339, str(data["opened_at"]))
	if err != nil {
		return nil, nil // an invalid record; validate reports it
	}
	priority := str(data["priority"])
	if priority == "" {
		impact, _ := data["impact"].(int64)
		urgency, _ := data["urgency"].(int64)
		priority = e.Config.Priority(int(impact), int(urgency))
	}
	var cis []string
	if l, ok := data["cis"].([]any); ok {
		for _, c := range l {
			cis = append(cis, str(c))
		}
	}
	var steps []sla.Step
	if tl, ok := data["timeline"].([]any); ok {
		for _, x := range tl {
			m, _ := x.(map[string]any)
			at, err := time.Parse(time.RFC3339, str(m["at"]))
			if err != nil {
				return nil, nil
			}
			steps = append(steps, sla.Step{At: at, State: str(m["state"])})
		}
	}

	// The SLAs and calendars come from the index summaries, as `gitsm report` reads them, so
	// that show and report select and measure alike.
	set := sla.NewSet(ix.Records())
	if len(set.Errors) > 0 {
		return nil, fmt.Errorf("%s (run gitsm validate)", set.Errors[0])
	}
	defs := set.Select(sla.Subject{Kind: string(r.Kind), Priority: priority, Service: str(data["service"]), CIs: cis, SLA: str(data["sla"])})

	var out []SLAView
	for _, def := range defs {
		cal := set.Calendars[def.Calendar] // nil for 24x7
		goal := def.Goals[priority]
		st := sla.Measure(sla.Clock{Target: def.Target, Goal: goal, Calendar: cal, PauseStates: def.PauseStates, WarnAt: def.WarnAt}, opened, steps, asOf)
		title := ""
		if s := ix.Record(def.ID); s != nil {
			title = s.Title
		}
		v := SLAView{SLA: def.ID, Title: title, Target: def.Target, Priority: priority, Calendar: def.Calendar,
			Goal: Duration(goal), GoalSeconds: int64(goal / time.Second),
			Elapsed: Duration(st.Elapsed), ElapsedSeconds: int64(st.Elapsed / time.Second),
			Percent: float64(int64(st.Percent*10+0.5)) / 10, Stage: st.Stage, Result: st.Result(), Breached: st.Breached, Warning: st.Warning}
		if !st.StoppedAt.IsZero() {
			t := st.StoppedAt.UTC()
			v.StoppedAt = &t
		}
		if !st.BreachAt.IsZero() {
			t := st.BreachAt.UTC()
			v.BreachAt = &t
		}
		out = append(out, v)
	}
	return out, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// Duration writes a duration the way SLA records do: 1d4h30m, 45m, 0m.
func Duration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d <= 0 {
		return "0m"
	}
	var b strings.Builder
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dd", days)
		d -= days * 24 * time.Hour
	}
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	return b.String()
}

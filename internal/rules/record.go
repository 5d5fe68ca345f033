// Package rules holds the integrity rules that JSON Schema cannot say: per record (priority
// matrix, time order, timeline, state-dependent fields), across records (duplicate IDs,
// references, cycles) and against a base revision (transitions, immutable fields, deletions).
// The rules are pure: they take parsed records and settings and return findings.
package rules

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/lifecycle"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/yamldoc"
)

// Record runs the per-record rules on one parsed record.
func Record(p *record.Parsed, cfg *config.Config) []finding.Finding {
	c := &checker{p: p, cfg: cfg}
	switch p.Kind {
	case record.Incident:
		c.priority()
		c.timeline("acknowledged_at", "resolved_at", "closed_at", "canceled_at")
		c.order("opened_at", "acknowledged_at", "resolved_at", "closed_at")
		c.order("opened_at", "canceled_at")
	case record.Problem:
		c.priority()
		c.timeline("resolved_at", "closed_at")
		c.order("opened_at", "resolved_at", "closed_at")
		c.closedProblem()
	case record.Change:
		c.changeState()
		c.timeline()
		c.strictlyBefore("planned_start", "planned_end")
		c.order("actual_start", "actual_end")
		c.orderPointers("/actual_start", "/review/completed_at")
	case record.Calendar:
		c.calendar()
	}
	return c.out
}

type checker struct {
	p   *record.Parsed
	cfg *config.Config
	out []finding.Finding
}

func (c *checker) add(n *yaml.Node, sev finding.Severity, rule, format string, args ...any) {
	c.out = append(c.out, c.p.Finding(n, sev, rule, format, args...))
}

func (c *checker) str(field string) string {
	s, _ := c.p.Data[field].(string)
	return s
}

func (c *checker) integer(field string) (int, bool) {
	i, ok := c.p.Data[field].(int64)
	return int(i), ok
}

// timestamp returns a parsed timestamp at a pointer; ok is false when it is absent or malformed
// (the schema reports malformed ones).
func (c *checker) timestamp(pointer string) (time.Time, *yaml.Node, bool) {
	n, found := yamldoc.Find(c.p.Root, pointer)
	if !found || n.Kind != yaml.ScalarNode {
		return time.Time{}, nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, n.Value)
	if err != nil {
		return time.Time{}, nil, false
	}
	return t, n, true
}

func (c *checker) priority() {
	prio := c.str("priority")
	impact, ok1 := c.integer("impact")
	urgency, ok2 := c.integer("urgency")
	if prio == "" || !ok1 || !ok2 {
		return
	}
	want := c.cfg.Priority(impact, urgency)
	if want == "" || want == prio {
		return
	}
	if reason, _ := c.p.Data["priority_reason"].(string); strings.TrimSpace(reason) != "" {
		return
	}
	c.add(c.p.Node("priority"), finding.Error, "priority.matrix",
		"priority %s disagrees with impact %d × urgency %d, which gives %s; set priority: %s or explain the override in priority_reason",
		prio, impact, urgency, want, want)
}

// order reports each present timestamp field that comes before an earlier-listed present one.
func (c *checker) order(fields ...string) {
	ptrs := make([]string, len(fields))
	for i, f := range fields {
		ptrs[i] = "/" + f
	}
	c.orderPointers(ptrs...)
}

func (c *checker) orderPointers(ptrs ...string) {
	var prev time.Time
	prevName := ""
	for _, ptr := range ptrs {
		t, n, ok := c.timestamp(ptr)
		if !ok {
			continue
		}
		name := strings.ReplaceAll(strings.TrimPrefix(ptr, "/"), "/", ".")
		if prevName != "" && t.Before(prev) {
			c.add(n, finding.Error, "time.order", "%s %s is before %s %s",
				name, n.Value, prevName, prev.Format(time.RFC3339))
		}
		prev, prevName = t, name
	}
}

func (c *checker) strictlyBefore(a, b string) {
	ta, _, ok1 := c.timestamp("/" + a)
	tb, nb, ok2 := c.timestamp("/" + b)
	if ok1 && ok2 && !ta.Before(tb) {
		c.add(nb, finding.Error, "time.order", "%s %s must be after %s %s", b, nb.Value, a, ta.Format(time.RFC3339))
	}
}

type entry struct {
	at        time.Time
	atNode    *yaml.Node
	state     string
	stateNode *yaml.Node
}

// entries returns the parsed timeline of a record, skipping malformed entries (the schema
// reports those).
func entries(p *record.Parsed) []entry {
	seq, ok := yamldoc.Find(p.Root, "/timeline")
	if !ok || seq.Kind != yaml.SequenceNode {
		return nil
	}
	var out []entry
	for _, item := range seq.Content {
		atNode, ok1 := yamldoc.Find(item, "/at")
		stNode, ok2 := yamldoc.Find(item, "/state")
		if !ok1 || !ok2 || atNode.Kind != yaml.ScalarNode || stNode.Kind != yaml.ScalarNode {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, atNode.Value)
		if err != nil {
			continue
		}
		out = append(out, entry{at: t, atNode: atNode, state: stNode.Value, stateNode: stNode})
	}
	return out
}

// timeline checks the timeline: chronological, not before opened_at, starting in the initial
// state, each step allowed, ending in the record's state, and agreeing with the timestamp
// fields named (the first non-initial entry for acknowledged_at, the last entry of the state
// for <state>_at).
func (c *checker) timeline(stamps ...string) {
	es := entries(c.p)
	if len(es) == 0 {
		return
	}
	machine, ok := lifecycle.For(string(c.p.Kind), c.str("type"))
	opened, _, hasOpened := c.timestamp("/opened_at")
	for i, e := range es {
		if i > 0 && e.at.Before(es[i-1].at) {
			c.add(e.atNode, finding.Error, "time.order", "timeline entry at %s is before the previous entry at %s; the timeline must be chronological",
				e.atNode.Value, es[i-1].atNode.Value)
		}
		if hasOpened && e.at.Before(opened) {
			c.add(e.atNode, finding.Error, "time.order", "timeline entry at %s is before opened_at %s", e.atNode.Value, opened.Format(time.RFC3339))
		}
		if !ok || !machine.Known(e.state) {
			continue
		}
		if i == 0 {
			if e.state != machine.Initial {
				c.add(e.stateNode, finding.Error, "timeline", "the timeline starts in %s; it must start with %s", e.state, machine.Initial)
			}
			continue
		}
		prev := es[i-1].state
		if prev != e.state && machine.Known(prev) && !machine.Allowed(prev, e.state) {
			c.add(e.stateNode, finding.Error, "timeline", "the timeline moves from %s to %s, which %s may not do (from %s: %s)",
				prev, e.state, record.Describe(c.p.Kind, c.str("type")), prev, next(machine, prev))
		}
	}
	if state := c.str("state"); state != "" && es[len(es)-1].state != state {
		c.add(c.p.Node("state"), finding.Error, "timeline", "state is %s but the last timeline entry is %s; append a timeline entry for the change of state",
			state, es[len(es)-1].state)
	}
	for _, field := range stamps {
		t, n, present := c.timestamp("/" + field)
		if !present {
			continue
		}
		want, found := stampEntry(es, field, machine.Initial)
		switch {
		case !found:
			c.add(n, finding.Error, "timeline", "%s is set but the timeline has no %s entry", field, stampState(field))
		case !t.Equal(want.at):
			c.add(n, finding.Error, "timeline", "%s %s disagrees with the timeline, which says %s", field, n.Value, want.atNode.Value)
		}
	}
}

func stampState(field string) string {
	if field == "acknowledged_at" {
		return "state other than new"
	}
	return strings.TrimSuffix(field, "_at")
}

func stampEntry(es []entry, field, initial string) (entry, bool) {
	if field == "acknowledged_at" {
		for _, e := range es {
			if e.state != initial {
				return e, true
			}
		}
		return entry{}, false
	}
	state := strings.TrimSuffix(field, "_at")
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].state == state {
			return es[i], true
		}
	}
	return entry{}, false
}

func next(m lifecycle.Machine, state string) string {
	n := m.Next[state]
	if len(n) == 0 {
		return "none, it is final"
	}
	return strings.Join(n, ", ")
}

// changeState reports a change in a state its type does not have (a standard change in
// authorize): the timeline check skips such states, which an earlier type may have recorded.
func (c *checker) changeState() {
	state := c.str("state")
	machine, ok := lifecycle.For(string(c.p.Kind), c.str("type"))
	if !ok || state == "" || machine.Known(state) || lifecycle.ChangeOrder(state) < 0 {
		return
	}
	states := make([]string, 0, len(machine.Next))
	for _, s := range []string{"new", "assess", "authorize", "scheduled", "implement", "review", "closed", "canceled"} {
		if machine.Known(s) {
			states = append(states, s)
		}
	}
	c.add(c.p.Node("state"), finding.Error, "transition", "state is %s, which %s does not have (its states: %s)",
		state, record.Describe(c.p.Kind, c.str("type")), strings.Join(states, ", "))
}

// closedProblem requires, of a problem closed after being resolved, what resolving required.
func (c *checker) closedProblem() {
	if c.str("state") != "closed" {
		return
	}
	resolved := slices.ContainsFunc(entries(c.p), func(e entry) bool { return e.state == "resolved" })
	if !resolved {
		return
	}
	for _, f := range []string{"resolved_at", "resolution", "root_cause"} {
		if _, ok := c.p.Data[f]; !ok {
			c.add(c.p.Node("state"), finding.Error, "state.required", "a problem closed after being resolved keeps %s; add it", f)
		}
	}
}

func (c *checker) calendar() {
	if tz := c.str("timezone"); tz != "" {
		if _, err := time.LoadLocation(tz); err != nil {
			c.add(c.p.Node("timezone"), finding.Error, "schema", "unknown time zone %q; use an IANA name such as Europe/Berlin", tz)
		}
	}
	seq, ok := yamldoc.Find(c.p.Root, "/hours")
	if !ok || seq.Kind != yaml.SequenceNode {
		return
	}
	for _, item := range seq.Content {
		s, ok1 := yamldoc.Find(item, "/start")
		e, ok2 := yamldoc.Find(item, "/end")
		if ok1 && ok2 && s.Kind == yaml.ScalarNode && e.Kind == yaml.ScalarNode && len(s.Value) == 5 && len(e.Value) == 5 && e.Value <= s.Value {
			c.add(e, finding.Error, "time.order", "hours end %s must be after start %s", e.Value, s.Value)
		}
	}
}

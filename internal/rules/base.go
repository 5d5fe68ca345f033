package rules

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/lifecycle"
	"github.com/gitsm/gitsm/internal/record"
)

// Compare runs the rules that compare a record with its version at the base revision:
// immutable (id, kind, opened_at and recorded timeline entries never change) and transition
// (every state change since base is a step the state machine allows).
func Compare(base, head *record.Parsed) []finding.Finding {
	c := &checker{p: head}
	for _, field := range []string{"id", "kind", "opened_at"} {
		b, inBase := base.Data[field]
		h, inHead := head.Data[field]
		if inBase && (!inHead || !reflect.DeepEqual(b, h)) {
			c.add(head.Node(field), finding.Error, "immutable", "%s was %v at the base revision and may not change (now %v)", field, b, orNone(h, inHead))
		}
	}
	bt, _ := base.Data["timeline"].([]any)
	ht, _ := head.Data["timeline"].([]any)
	for i := range bt {
		if i >= len(ht) {
			c.add(head.Node("timeline"), finding.Error, "immutable", "the timeline lost entries that the base revision recorded; the timeline is append-only")
			break
		}
		if !reflect.DeepEqual(bt[i], ht[i]) {
			c.add(c.p.Node(fmt.Sprintf("timeline/%d", i)), finding.Error, "immutable",
				"timeline entry %d was changed; recorded history is append-only, add a new entry instead", i+1)
		}
	}
	c.transition(base)
	return c.out
}

func orNone(v any, ok bool) any {
	if !ok {
		return "absent"
	}
	return v
}

func (c *checker) transition(base *record.Parsed) {
	stateField := "state"
	if c.p.Kind == record.CI {
		stateField = "lifecycle"
	}
	from, _ := base.Data[stateField].(string)
	to, _ := c.p.Data[stateField].(string)
	machine, ok := lifecycle.For(string(c.p.Kind), c.str("type"))
	if from == "" || to == "" || !ok {
		return
	}
	desc := record.Describe(c.p.Kind, c.str("type"))
	if !machine.Known(from) {
		// A state the record's machine lacks but the base's type has: the type changed under
		// it (a normal change in authorize retyped to standard). Skipping it would let a retype
		// launder a change past the steps its own type requires.
		baseType, _ := base.Data["type"].(string)
		if old, ok := lifecycle.For(string(base.Kind), baseType); ok && old.Known(from) {
			c.add(c.p.Node("type"), finding.Error, "transition", "the type changed from %s to %s in state %s, which %s does not have; retype a change only while it is new, or cancel it and raise a new one",
				baseType, c.str("type"), from, desc)
		}
		return
	}
	if from == to || !machine.Known(to) {
		return
	}
	if c.p.Kind == record.CI {
		if !machine.Allowed(from, to) {
			c.add(c.p.Node(stateField), finding.Error, "transition", "lifecycle moved from %s to %s; a CI goes %s", from, to, path(machine, from, to))
		}
		return
	}
	bt, _ := base.Data["timeline"].([]any)
	es := entries(c.p)
	prev := from
	stepped := false
	for i := len(bt); i < len(es); i++ {
		e := es[i]
		if e.state != prev && !machine.Allowed(prev, e.state) {
			c.add(e.stateNode, finding.Error, "transition", "moves from %s to %s, which %s may not do; %s",
				prev, e.state, desc, advice(machine, prev, e.state))
		}
		prev = e.state
		stepped = true
	}
	if !stepped && !machine.Allowed(from, to) {
		c.add(c.p.Node(stateField), finding.Error, "transition", "state moved from %s to %s, which %s may not do; %s",
			from, to, desc, advice(machine, from, to))
	}
}

func advice(m lifecycle.Machine, from, to string) string {
	p := path(m, from, to)
	if p == "" {
		return fmt.Sprintf("from %s it may go to %s", from, next(m, from))
	}
	return "record each step: " + p
}

// path returns the shortest allowed way from one state to another, "a → b → c", or "".
func path(m lifecycle.Machine, from, to string) string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s == to {
			var steps []string
			for x := to; x != ""; x = prev[x] {
				steps = append([]string{x}, steps...)
				if x == from {
					break
				}
			}
			return strings.Join(steps, " → ")
		}
		for _, n := range m.Next[s] {
			if _, seen := prev[n]; !seen {
				prev[n] = s
				queue = append(queue, n)
			}
		}
	}
	return ""
}

// Deleted is the finding for a record that existed at the base revision and is gone.
func Deleted(base *record.Record) finding.Finding {
	return finding.Finding{Path: base.Path, Severity: finding.Error, Rule: "deleted", ID: base.ID,
		Message: fmt.Sprintf("%s %s was deleted; records are never deleted — restore the file and cancel or retire the record instead", base.Kind, base.ID)}
}

// Package lifecycle holds the state machines of SPEC section 3: which states each kind of record
// has and which moves between them are allowed.
package lifecycle

import "slices"

// Machine is one state machine: the allowed next states of every state.
type Machine struct {
	Initial string
	Next    map[string][]string
}

// Allowed reports whether a record may move from one state straight to another.
func (m Machine) Allowed(from, to string) bool {
	return slices.Contains(m.Next[from], to)
}

// Known reports whether state belongs to the machine.
func (m Machine) Known(state string) bool {
	_, ok := m.Next[state]
	return ok
}

var (
	incident = Machine{Initial: "new", Next: map[string][]string{
		"new":         {"in_progress", "on_hold", "resolved", "canceled"},
		"in_progress": {"on_hold", "resolved", "canceled"},
		"on_hold":     {"in_progress", "resolved", "canceled"},
		"resolved":    {"closed", "in_progress"},
		"closed":      nil,
		"canceled":    nil,
	}}
	problem = Machine{Initial: "new", Next: map[string][]string{
		"new":                 {"assess"},
		"assess":              {"root_cause_analysis", "closed"},
		"root_cause_analysis": {"fix_in_progress", "resolved"},
		"fix_in_progress":     {"resolved"},
		"resolved":            {"closed", "root_cause_analysis"},
		"closed":              nil,
	}}
	normalChange = Machine{Initial: "new", Next: map[string][]string{
		"new":       {"assess", "canceled"},
		"assess":    {"authorize", "new", "canceled"},
		"authorize": {"scheduled", "new", "canceled"},
		"scheduled": {"implement", "canceled"},
		"implement": {"review", "canceled"},
		"review":    {"closed"},
		"closed":    nil,
		"canceled":  nil,
	}}
	standardChange = Machine{Initial: "new", Next: map[string][]string{
		"new":       {"scheduled", "canceled"},
		"scheduled": {"implement", "canceled"},
		"implement": {"review", "canceled"},
		"review":    {"closed"},
		"closed":    nil,
		"canceled":  nil,
	}}
	emergencyChange = Machine{Initial: "new", Next: map[string][]string{
		"new":       {"authorize", "canceled"},
		"authorize": {"scheduled", "new", "canceled"},
		"scheduled": {"implement", "canceled"},
		"implement": {"review", "canceled"},
		"review":    {"closed"},
		"closed":    nil,
		"canceled":  nil,
	}}
	ciLifecycle = Machine{Initial: "planned", Next: map[string][]string{
		"planned":        {"implementation"},
		"implementation": {"production"},
		"production":     {"deprecated"},
		"deprecated":     {"retired"},
		"retired":        nil,
	}}
)

// For returns the state machine of a record kind; changeType selects the change machine
// (standard, normal, emergency). ok is false for kinds without states.
func For(kind, changeType string) (Machine, bool) {
	switch kind {
	case "Incident":
		return incident, true
	case "Problem":
		return problem, true
	case "Change":
		switch changeType {
		case "standard":
			return standardChange, true
		case "emergency":
			return emergencyChange, true
		case "normal":
			return normalChange, true
		}
	case "CI":
		return ciLifecycle, true
	}
	return Machine{}, false
}

// ChangeOrder ranks change states along the normal path, so that "scheduled or beyond" can be
// asked of any change type (the approval policy asks it). Canceled and unknown states rank -1:
// they are off the path.
func ChangeOrder(state string) int {
	switch state {
	case "new":
		return 0
	case "assess":
		return 1
	case "authorize":
		return 2
	case "scheduled":
		return 3
	case "implement":
		return 4
	case "review":
		return 5
	case "closed":
		return 6
	}
	return -1
}

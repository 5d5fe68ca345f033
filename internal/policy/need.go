package policy

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/gitsm/gitsm/internal/lifecycle"
)

// rank orders the change states along the lifecycle; canceled and unknown states rank -1.
var rank = lifecycle.ChangeOrder

// scheduledRank is the rank from which a change needs its approval.
var scheduledRank = rank("scheduled")

// scopeFields are the parts of a change that its approval covers: editing any of them once the
// change is past authorize needs approval again. The id is one: changing it in place deletes the
// approved change and adds another one already scheduled, each of which needs approval.
var scopeFields = []string{
	"id", "type", "risk", "cis", "planned_start", "planned_end",
	"implementation_plan", "backout_plan", "test_plan",
}

// need decides semantic 6: whether this PR's edit of one change record needs approval, and why.
// It returns an error when a version of the record is unreadable (no usable state).
func need(base, head map[string]any) (bool, string, error) {
	switch {
	case base == nil && head == nil:
		return false, "", fmt.Errorf("neither a base nor a head version")
	case head == nil:
		st, err := state(base)
		if err != nil {
			return false, "", fmt.Errorf("base version: %w", err)
		}
		if rank(st) >= scheduledRank {
			return true, fmt.Sprintf("deletes a change in state %s", st), nil
		}
		return false, fmt.Sprintf("deletes a change in state %s, before approval", st), nil
	}
	hs, err := state(head)
	if err != nil {
		return false, "", err
	}
	if base == nil {
		if rank(hs) >= scheduledRank {
			return true, fmt.Sprintf("adds a change already in state %s", hs), nil
		}
		return false, fmt.Sprintf("adds a change in state %s, before scheduled", hs), nil
	}
	bs, err := state(base)
	if err != nil {
		return false, "", fmt.Errorf("base version: %w", err)
	}
	if hs == "canceled" {
		return false, fmt.Sprintf("cancels the change (%s → canceled)", bs), nil
	}
	baseApproved := rank(bs) >= scheduledRank
	if !baseApproved && rank(hs) >= scheduledRank {
		return true, fmt.Sprintf("moves the change from %s to %s", bs, hs), nil
	}
	if baseApproved {
		if edited := scopeEdits(base, head); len(edited) > 0 {
			return true, fmt.Sprintf("edits the approved scope (%s) of a change in state %s", strings.Join(edited, ", "), bs), nil
		}
		switch {
		case bs == hs:
			return false, fmt.Sprintf("edits a change in state %s outside its approved scope", hs), nil
		case rank(hs) < rank(bs):
			return false, fmt.Sprintf("moves the change back from %s to %s", bs, hs), nil
		}
		return false, fmt.Sprintf("progress from %s to %s needs no approval", bs, hs), nil
	}
	if retyped(base, head) {
		// What the old type's rules are about to approve must not be laundered through the
		// rules of another type (a standard change's template): both types' rules apply.
		return true, fmt.Sprintf("changes the type from %s to %s in state %s, after new", str(base, "type"), str(head, "type"), bs), nil
	}
	if bs == hs {
		return false, fmt.Sprintf("edits a change in state %s, before scheduled", hs), nil
	}
	return false, fmt.Sprintf("moves the change from %s to %s, before scheduled", bs, hs), nil
}

// retyped reports whether a change's type differs between base and head although the base had
// already left new.
func retyped(base, head map[string]any) bool {
	if base == nil || head == nil || reflect.DeepEqual(base["type"], head["type"]) {
		return false
	}
	bs, err := state(base)
	return err == nil && bs != "new"
}

// state returns a record's change state, or an error when it has none the lifecycle knows.
func state(rec map[string]any) (string, error) {
	s, ok := rec["state"].(string)
	if !ok {
		return "", fmt.Errorf("no state")
	}
	if rank(s) < 0 && s != "canceled" {
		return "", fmt.Errorf("unknown state %q", s)
	}
	return s, nil
}

// scopeEdits lists the scope fields whose values differ; cis compare as sets.
func scopeEdits(base, head map[string]any) []string {
	var out []string
	for _, f := range scopeFields {
		b, h := base[f], head[f]
		if f == "cis" {
			if !sameSet(stringList(b), stringList(h)) {
				out = append(out, f)
			}
			continue
		}
		if !reflect.DeepEqual(b, h) {
			out = append(out, f)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	as, bs := uniqueSorted(a), uniqueSorted(b)
	return reflect.DeepEqual(as, bs)
}

func uniqueSorted(s []string) []string {
	m := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if !m[v] {
			m[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// stringList reads a YAML list of strings; non-string items are kept in their printed form so
// that a malformed list still compares unequal to a good one.
func stringList(v any) []string {
	var out []string
	switch l := v.(type) {
	case []any:
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			} else {
				out = append(out, fmt.Sprint(x))
			}
		}
	case []string:
		out = append(out, l...)
	case string:
		out = append(out, l)
	}
	return out
}

func str(rec map[string]any, key string) string {
	if rec == nil {
		return ""
	}
	s, _ := rec[key].(string)
	return s
}

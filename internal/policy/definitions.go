package policy

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Template is a declared standard change template and what it pre-approves. An empty list
// constrains nothing.
type Template struct {
	ID string
	// CIs, when given, are the only CIs a change from the template may name.
	CIs []string
	// Risks, when given, are the risks a change from the template may have.
	Risks []string
	// Environments, when given, are the environments every CI of the change must be in.
	Environments []string
}

func (e *evaluator) template(id string) (Template, bool) {
	if id == "" {
		return Template{}, false
	}
	for _, t := range e.in.Templates {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}

// outsideTemplate lists what of the change versions a template does not pre-approve.
func (e *evaluator) outsideTemplate(t Template, versions []map[string]any) []string {
	var out []string
	add := func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !slices.Contains(out, msg) {
			out = append(out, msg)
		}
	}
	for _, v := range versions {
		if len(t.Risks) > 0 && !slices.Contains(t.Risks, str(v, "risk")) {
			add("risk %s is not one of %s", orMissing(str(v, "risk")), strings.Join(t.Risks, ", "))
		}
		for _, id := range stringList(v["cis"]) {
			if len(t.CIs) > 0 && !slices.Contains(t.CIs, id) {
				add("CI %s is not one of %s", id, strings.Join(t.CIs, ", "))
			}
			if len(t.Environments) == 0 {
				continue
			}
			ci, ok := e.in.CIs[id]
			switch {
			case !ok:
				add("CI %s is not a usable CI of the base commit, so its environment is unknown", id)
			case !slices.Contains(t.Environments, str(ci, "environment")):
				add("CI %s is in %s, not in %s", id, orMissing(str(ci, "environment")), strings.Join(t.Environments, ", "))
			}
		}
	}
	return out
}

func orMissing(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// ciRoutingFields are the CI fields the policy routes on: who owns a CI, and what selects the
// rules of the changes that name it. Editing one needs the approval of the CI's owners.
var ciRoutingFields = []string{"id", "owner", "support_group", "environment", "criticality", "depends_on", "runs_on", "lifecycle"}

// ciRecord judges an edit of a CI record. Adding, deleting or editing a routing field needs one
// approval from the owner group at the base (for an edit or a deletion) and one from the new
// owner group (for an addition, or when owner changes), and every rule that selects the CI.
func (e *evaluator) ciRecord(c Change, rd *RecordDecision) {
	id := rd.ID
	var owners reqResult
	owners.ok = true
	addOwner := func(owner, note string) {
		if owner == "" {
			owners.ok = false
			owners.failures = append(owners.failures, fmt.Sprintf("CI %s has no owner %s", id, note))
			return
		}
		s := e.groupApprovals(owner, 1, "("+note+")")
		owners.ok = owners.ok && s.ok
		owners.merge(s)
	}
	switch {
	case c.Base == nil:
		rd.NeedsApproval, rd.Why = true, "adds CI "+id
		addOwner(str(c.Head, "owner"), "new owner of "+id)
	case c.Head == nil:
		rd.NeedsApproval, rd.Why = true, "deletes CI "+id
		addOwner(str(c.Base, "owner"), "owner of "+id+" at the base")
	default:
		var edited []string
		for _, f := range ciRoutingFields {
			b, h := c.Base[f], c.Head[f]
			if f == "depends_on" || f == "runs_on" {
				if !sameSet(stringList(b), stringList(h)) {
					edited = append(edited, f)
				}
				continue
			}
			if !reflect.DeepEqual(b, h) {
				edited = append(edited, f)
			}
		}
		if len(edited) == 0 {
			rd.Why = "edits CI " + id + " outside the fields approval routes on"
			rd.settle()
			return
		}
		rd.NeedsApproval, rd.Why = true, fmt.Sprintf("edits %s of CI %s", strings.Join(edited, ", "), id)
		addOwner(str(c.Base, "owner"), "owner of "+id+" at the base")
		if !reflect.DeepEqual(c.Base["owner"], c.Head["owner"]) {
			addOwner(str(c.Head, "owner"), "new owner of "+id)
		}
	}
	rd.Rules = append(rd.Rules, e.result("the owners of a CI approve edits of what routes its changes", owners))
	var versions []map[string]any
	for _, v := range []map[string]any{c.Head, c.Base} {
		if v != nil {
			versions = append(versions, v)
		}
	}
	for _, r := range e.p.Rules {
		if r.SelectsKind(KindCI) && slices.ContainsFunc(versions, func(v map[string]any) bool { return e.graph.matchesCI(r.Match, v) }) {
			rd.Rules = append(rd.Rules, e.rule(r, scope{cis: []string{id}}))
		}
	}
	rd.settle()
}

// definition judges an edit of an SLA or a calendar: what the service owes is a scope of its
// own, so every addition, edit and deletion needs the rules that select the kind, and fails
// closed without one.
func (e *evaluator) definition(c Change, rd *RecordDecision) {
	kind := rd.Kind
	switch {
	case c.Base == nil:
		rd.Why = fmt.Sprintf("adds %s %s", kind, rd.ID)
	case c.Head == nil:
		rd.Why = fmt.Sprintf("deletes %s %s", kind, rd.ID)
	default:
		rd.Why = fmt.Sprintf("edits %s %s", kind, rd.ID)
	}
	rd.NeedsApproval = true
	for _, r := range e.p.Rules {
		if r.SelectsKind(kind) {
			rd.Rules = append(rd.Rules, e.rule(r, scope{}))
		}
	}
	if len(rd.Rules) == 0 {
		rd.Problems = append(rd.Problems, fmt.Sprintf("no rule of the policy selects %s records (match: {kinds: [%s]}): who approves this edit is undecided", kind, kind))
	}
	rd.settle()
}

// matchesByCI reports whether a match has selectors that CI data answers.
func matchesByCI(m Match) bool {
	return len(m.Environments) > 0 || m.MaxCriticality > 0 || len(m.Criticality) > 0 || len(m.Services) > 0 || len(m.CIs) > 0
}

// matchesCI reports whether a rule's selectors hold for one version of a CI record: types and
// risks never do; environments, criticality, cis and services are asked of the CI itself (a
// service selector holds for the service and for every CI it depends on, transitively).
func (g *ciGraph) matchesCI(m Match, ci map[string]any) bool {
	if len(m.Paths) > 0 || len(m.Types) > 0 || len(m.Risks) > 0 {
		return false
	}
	id := str(ci, "id")
	if len(m.Environments) > 0 && !slices.Contains(m.Environments, str(ci, "environment")) {
		return false
	}
	if c := criticality(ci); m.MaxCriticality > 0 && (c < 1 || c > m.MaxCriticality) {
		return false
	}
	if len(m.Criticality) > 0 && !slices.Contains(m.Criticality, criticality(ci)) {
		return false
	}
	if len(m.CIs) > 0 && !slices.Contains(m.CIs, id) {
		return false
	}
	if len(m.Services) > 0 {
		hit := false
		for dep := range g.impacted([]string{id}) {
			hit = hit || slices.Contains(m.Services, dep)
		}
		if !hit {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

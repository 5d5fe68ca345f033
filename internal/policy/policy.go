// Package policy reads the change approval policy (.gitsm/policy.yaml) and decides, from plain
// data the caller gathers (base and head versions of change records, CIs, changed paths,
// pull-request reviews), whether a pull request has the approvals the policy requires.
//
// The package is pure: it never reads git, the network or the clock. Team memberships come
// through a function the caller supplies.
package policy

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/gitsm/gitsm/internal/schema"
)

// SchemaURL is the $id of the policy's JSON Schema (schemas/policy.json).
const SchemaURL = schema.BaseURL + "policy.json"

// The record kinds a rule can select.
const (
	KindChange   = "Change"
	KindCI       = "CI"
	KindSLA      = "SLA"
	KindCalendar = "Calendar"
)

// MaxSize is the largest policy file Parse accepts, in bytes.
const MaxSize = 1 << 20

// Policy is a parsed, validated approval policy.
type Policy struct {
	// Groups by name.
	Groups map[string]Group `json:"groups"`
	// Rules in file order.
	Rules []Rule `json:"rules"`
	// TemplatesPreapproved lets a standard change that names a declared template pass without
	// approval when no rule selects it (default true).
	TemplatesPreapproved bool `json:"templates_preapproved"`
	// EmergencyPostReview refuses an emergency change that moves to closed without its
	// post-implementation review (default true).
	EmergencyPostReview bool `json:"emergency_post_review"`
	// CommitAuthorsMayApprove lets the approval of someone who authored or pushed commits of the
	// pull request count (default false: like GitHub's "require approval of the most recent
	// reviewable push", the people who wrote what is judged do not approve it).
	CommitAuthorsMayApprove bool `json:"commit_authors_may_approve"`
}

// Group is a named set of approvers: GitHub logins listed in the policy, or a GitHub team.
type Group struct {
	Name    string   `json:"name"`
	Members []string `json:"members,omitempty"`
	// Team is "org/slug" when the group is a GitHub team.
	Team string `json:"team,omitempty"`
}

// Rule selects change records (or changed files) and says what approvals they need.
type Rule struct {
	Name string `json:"name"`
	// Line is the rule's line in the policy file.
	Line    int           `json:"line"`
	Match   Match         `json:"match"`
	Require []Requirement `json:"require"`
}

// IsPathRule reports whether the rule selects changed files rather than change records.
func (r Rule) IsPathRule() bool { return len(r.Match.Paths) > 0 }

// SelectsKind reports whether the rule selects records of kind ("Change", "CI", "SLA",
// "Calendar"); a rule without kinds selects change records.
func (r Rule) SelectsKind(kind string) bool {
	if r.IsPathRule() {
		return false
	}
	if len(r.Match.Kinds) == 0 {
		return kind == KindChange
	}
	return slices.Contains(r.Match.Kinds, kind)
}

// Match holds a rule's selectors. Every selector given must hold; a list holds when any of its
// values does. An empty Match selects every change record that needs approval.
type Match struct {
	// Kinds are the record kinds the rule selects: Change (the default when empty), CI, SLA,
	// Calendar. For a CI record, environments, criticality, cis and services are asked of the CI
	// itself; types and risks select change records only.
	Kinds        []string `json:"kinds,omitempty"`
	Types        []string `json:"types,omitempty"`
	Risks        []string `json:"risks,omitempty"`
	Environments []string `json:"environments,omitempty"`
	// MaxCriticality, when not 0, holds for a CI whose criticality is at most this number
	// (1 is the most critical).
	MaxCriticality int `json:"max_criticality,omitempty"`
	// Criticality, when given, holds for a CI whose criticality is one of these.
	Criticality []int    `json:"criticality,omitempty"`
	Services    []string `json:"services,omitempty"`
	CIs         []string `json:"cis,omitempty"`
	// Paths are globs over changed files; a rule with Paths has no other selector.
	Paths []string `json:"paths,omitempty"`
}

// Requirement is one node of a rule's requirement tree; exactly one of its kinds is set.
type Requirement struct {
	// Group and Count: Count distinct approvals from members of Group.
	Group string `json:"group,omitempty"`
	Count int    `json:"count,omitempty"`
	// CIOwners: one approval from the owner group of every affected CI.
	CIOwners bool `json:"ci_owners,omitempty"`
	// None: explicitly no approval.
	None bool `json:"none,omitempty"`
	// AnyOf: at least one of these holds.
	AnyOf []Requirement `json:"any_of,omitempty"`
	// AllOf: every one of these holds.
	AllOf []Requirement `json:"all_of,omitempty"`
}

// Problem is one thing wrong with a policy file, at a 1-based line and column (0 when unknown).
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func (p *Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return p.Message
}

// ParseError lists every problem found in a policy file.
type ParseError struct {
	Problems []Problem
}

func (e *ParseError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i := range e.Problems {
		msgs[i] = e.Problems[i].Error()
	}
	return "invalid policy: " + strings.Join(msgs, "; ")
}

var (
	schemaOnce      sync.Once
	policySchema    *jsonschema.Schema
	policySchemaErr error
)

// compiledSchema compiles schemas/policy.json once.
func compiledSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		policySchema, policySchemaErr = schema.CompileFile("policy.json")
		if policySchemaErr != nil {
			policySchemaErr = fmt.Errorf("compile the policy schema: %w", policySchemaErr)
		}
	})
	return policySchema, policySchemaErr
}

// Parse reads a policy from YAML, validates it against schemas/policy.json and checks what the
// schema cannot (undefined groups, ci_owners in a path rule, duplicate rule names, bad globs).
// Every problem found is returned in a *ParseError.
func Parse(data []byte) (*Policy, error) {
	if len(data) > MaxSize {
		return nil, &ParseError{Problems: []Problem{{Message: fmt.Sprintf("the policy file is larger than %d bytes", MaxSize)}}}
	}
	doc, problems := decodeYAML(data)
	if len(problems) > 0 {
		return nil, &ParseError{Problems: problems}
	}
	compiled, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	if err := compiled.Validate(doc.value); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("validate policy: %w", err)
		}
		return nil, &ParseError{Problems: schemaProblems(doc, ve)}
	}
	p, problems := build(doc)
	if len(problems) > 0 {
		return nil, &ParseError{Problems: problems}
	}
	return p, nil
}

// schemaProblems flattens a validation error into one problem per failing location, replacing
// the schema library's oneOf and dependentSchemas wording with what the user has to fix.
func schemaProblems(doc *decoded, ve *jsonschema.ValidationError) []Problem {
	var out []Problem
	seen := map[string]bool{}
	var addAt func(loc string, p position, msg string)
	add := func(loc, msg string) {
		addAt(loc, doc.at(loc), msg)
	}
	addAt = func(loc string, p position, msg string) {
		where := strings.TrimPrefix(strings.ReplaceAll(loc, "/", "."), ".")
		if where != "" {
			msg = where + ": " + msg
		}
		key := fmt.Sprint(p.line, msg)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, Problem{Line: p.line, Column: p.column, Message: msg})
	}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		kw := e.KeywordLocation
		switch {
		case strings.HasSuffix(kw, "/group/oneOf") || strings.HasSuffix(kw, "/groups/additionalProperties/$ref/oneOf"):
			add(e.InstanceLocation, "a group has either members or team (exactly one of them)")
			return
		case strings.HasSuffix(kw, "/requirement/oneOf") || strings.HasSuffix(kw, "/$ref/oneOf") && strings.Contains(e.InstanceLocation, "/require/"):
			add(e.InstanceLocation, "a requirement has exactly one of group, ci_owners, none, any_of, all_of")
			return
		case strings.HasSuffix(kw, "/criticality/oneOf"):
			add(e.InstanceLocation, "criticality is a number from 1 to 4 (that level or more critical) or a list of such numbers")
			return
		case strings.HasSuffix(kw, "/dependentSchemas/paths/maxProperties"):
			add(e.InstanceLocation, "paths cannot be combined with other match keys; write a separate rule")
			return
		}
		if len(e.Causes) == 0 {
			if strings.HasSuffix(kw, "/additionalProperties") {
				if names := quoted(e.Message); len(names) > 0 {
					for _, n := range names {
						addAt(e.InstanceLocation+"/"+escapePointer(n), doc.keyAt(e.InstanceLocation, n), "unknown key")
					}
					return
				}
			}
			add(e.InstanceLocation, e.Message)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// quoted returns the single-quoted names in a schema library message.
func quoted(msg string) []string {
	var out []string
	for {
		_, rest, ok := strings.Cut(msg, "'")
		if !ok {
			return out
		}
		name, tail, ok := strings.Cut(rest, "'")
		if !ok {
			return out
		}
		out = append(out, name)
		msg = tail
	}
}

// build turns schema-valid data into a Policy and checks the cross-references.
func build(doc *decoded) (*Policy, []Problem) {
	root := doc.value.(map[string]any)
	p := &Policy{Groups: map[string]Group{}, TemplatesPreapproved: true, EmergencyPostReview: true}
	var problems []Problem
	problem := func(ptr, format string, args ...any) {
		pos := doc.at(ptr)
		problems = append(problems, Problem{Line: pos.line, Column: pos.column, Message: fmt.Sprintf(format, args...)})
	}
	if b, ok := root["templates_preapproved"].(bool); ok {
		p.TemplatesPreapproved = b
	}
	if b, ok := root["commit_authors_may_approve"].(bool); ok {
		p.CommitAuthorsMayApprove = b
	}
	if em, ok := root["emergency"].(map[string]any); ok {
		if b, ok := em["post_review_required"].(bool); ok {
			p.EmergencyPostReview = b
		}
	}
	groups, _ := root["groups"].(map[string]any)
	for name, raw := range groups {
		g := raw.(map[string]any)
		grp := Group{Name: name}
		if team, ok := g["team"].(string); ok {
			grp.Team = team
		}
		grp.Members = strings0(g["members"])
		p.Groups[name] = grp
	}
	rules, _ := root["rules"].([]any)
	names := map[string]int{}
	for i, raw := range rules {
		ptr := fmt.Sprintf("/rules/%d", i)
		r := raw.(map[string]any)
		rule := Rule{Name: r["name"].(string), Line: doc.at(ptr).line}
		if prev, dup := names[rule.Name]; dup {
			problem(ptr+"/name", "rule name %q is already used on line %d", rule.Name, prev)
		} else {
			names[rule.Name] = rule.Line
		}
		m := r["match"].(map[string]any)
		rule.Match = Match{
			Kinds:        strings0(m["kinds"]),
			Types:        strings0(m["types"]),
			Risks:        strings0(m["risks"]),
			Environments: strings0(m["environments"]),
			Services:     strings0(m["services"]),
			CIs:          strings0(m["cis"]),
			Paths:        strings0(m["paths"]),
		}
		switch c := m["criticality"].(type) {
		case int64:
			rule.Match.MaxCriticality = int(c)
		case []any:
			for _, v := range c {
				rule.Match.Criticality = append(rule.Match.Criticality, int(v.(int64)))
			}
		}
		if len(rule.Match.Kinds) > 0 && !slices.Contains(rule.Match.Kinds, KindChange) && (len(rule.Match.Types) > 0 || len(rule.Match.Risks) > 0) {
			problem(ptr+"/match", "types and risks select change records only, and kinds does not include Change; write a separate rule")
		}
		if len(rule.Match.Kinds) > 0 && !slices.Contains(rule.Match.Kinds, KindChange) && !slices.Contains(rule.Match.Kinds, KindCI) && matchesByCI(rule.Match) {
			problem(ptr+"/match", "environments, criticality, services and cis select change records and CIs, and kinds has neither; write a separate rule")
		}
		for j, g := range rule.Match.Paths {
			if err := checkGlob(g); err != nil {
				problem(fmt.Sprintf("%s/match/paths/%d", ptr, j), "path glob %q: %v", g, err)
			}
		}
		for j, rq := range r["require"].([]any) {
			req := buildRequirement(rq.(map[string]any))
			rule.Require = append(rule.Require, req)
			checkRequirement(req, fmt.Sprintf("%s/require/%d", ptr, j), p, rule.IsPathRule(), problem)
		}
		p.Rules = append(p.Rules, rule)
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return p, problems
}

func buildRequirement(m map[string]any) Requirement {
	var r Requirement
	if g, ok := m["group"].(string); ok {
		r.Group = g
		r.Count = 1
		if c, ok := m["count"].(int64); ok {
			r.Count = int(c)
		}
	}
	r.CIOwners, _ = m["ci_owners"].(bool)
	r.None, _ = m["none"].(bool)
	for _, sub := range asSlice(m["any_of"]) {
		r.AnyOf = append(r.AnyOf, buildRequirement(sub.(map[string]any)))
	}
	for _, sub := range asSlice(m["all_of"]) {
		r.AllOf = append(r.AllOf, buildRequirement(sub.(map[string]any)))
	}
	return r
}

func checkRequirement(r Requirement, ptr string, p *Policy, pathRule bool, problem func(string, string, ...any)) {
	switch {
	case r.Group != "":
		g, ok := p.Groups[r.Group]
		if !ok {
			problem(ptr+"/group", "group %q is not defined under groups", r.Group)
		} else if g.Team == "" && r.Count > len(g.Members) {
			problem(ptr+"/count", "group %q has %d members, fewer than the %d approvals required", r.Group, len(g.Members), r.Count)
		}
	case r.CIOwners && pathRule:
		problem(ptr, "ci_owners needs a rule that selects change records, not paths")
	}
	for i, sub := range r.AnyOf {
		checkRequirement(sub, fmt.Sprintf("%s/any_of/%d", ptr, i), p, pathRule, problem)
	}
	for i, sub := range r.AllOf {
		checkRequirement(sub, fmt.Sprintf("%s/all_of/%d", ptr, i), p, pathRule, problem)
	}
}

// checkGlob refuses globs that could never match a clean repository path.
func checkGlob(g string) error {
	for _, seg := range strings.Split(g, "/") {
		switch seg {
		case "":
			return errors.New("empty path segment")
		case ".", "..":
			return errors.New("relative segments are not allowed")
		case "**":
			continue
		}
		if strings.Contains(seg, "**") {
			return errors.New("** must be a whole path segment")
		}
		if _, err := path.Match(seg, ""); err != nil {
			return err
		}
	}
	return nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func strings0(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

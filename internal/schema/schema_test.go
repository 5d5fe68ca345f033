package schema

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/yamldoc"
	"github.com/gitsm/gitsm/schemas"
)

// exampleValues reads every record of examples/ and examples/invalid/ that parses.
func exampleValues(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	root := filepath.Join("..", "..", "examples")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n, err := yamldoc.Parse(src)
		if err != nil {
			return nil
		}
		v, errs := yamldoc.Value(n)
		if m, ok := v.(map[string]any); ok && len(errs) == 0 {
			out[p] = m
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 80 {
		t.Fatalf("found only %d example records", len(out))
	}
	return out
}

// describe lists the violations, sorted, with every field that a finding is made of. The
// library lists unexpected properties in map order; they are sorted, and the message made of
// them left out.
func describe(vs []Violation) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		msg := v.Message
		if v.Keyword == "additionalProperties" {
			v.Unexpected = slices.Sorted(slices.Values(v.Unexpected))
			msg = ""
		}
		out = append(out, fmt.Sprintf("%q %s %q %q %v %q", v.Pointer, v.Keyword, v.Missing, v.Unexpected, v.Conditional, msg))
	}
	slices.Sort(out)
	return out
}

// byPointer lists the violations at each pointer in the order Validate returns them: a finding
// keeps the first of several at one pointer.
func byPointer(vs []Violation) map[string][]string {
	out := map[string][]string{}
	for _, v := range vs {
		out[v.Pointer] = append(out[v.Pointer], v.Keyword)
	}
	return out
}

// customFields are the custom fields the equivalence test compiles the schemas with: one plain,
// one through a reference to defs.json, and one whose name starts with x-, which keeps the
// extension fields in the value.
var customFields = []map[string]map[string]any{
	nil,
	{
		"incident": {"customer_tier": map[string]any{"type": "string", "enum": []any{"gold", "silver", "bronze"}}},
		"change":   {"cost_center": map[string]any{"$ref": "defs.json#/$defs/slug"}},
		"problem":  {"x-team": map[string]any{"type": "integer", "minimum": 1}},
	},
}

// TestCompiledSchemasMeanTheSame holds the compiled schemas (defs.json inlined, the state
// conditionals validated on a projection, x- fields left out) to a plain compile of the files
// as written: on thousands of variants of the example records, both give the same violations,
// in the same order at each pointer.
func TestCompiledSchemasMeanTheSame(t *testing.T) {
	examples := exampleValues(t)
	for i, custom := range customFields {
		t.Run(fmt.Sprintf("custom fields %d", i), func(t *testing.T) {
			t.Parallel()
			testCompiledSchemas(t, examples, custom)
		})
	}
}

func testCompiledSchemas(t *testing.T, examples map[string]map[string]any, custom map[string]map[string]any) {
	{
		compiled, err := compile(custom, options{inline: true, split: true, strip: true})
		if err != nil {
			t.Fatal(err)
		}
		written, err := compile(custom, options{})
		if err != nil {
			t.Fatal(err)
		}
		checks, invalid := 0, 0
		compare := func(name, kind string, v any) {
			t.Helper()
			got, want := compiled.Validate(kind, v), written.Validate(kind, v)
			if diff := cmp.Diff(describe(want), describe(got)); diff != "" {
				t.Errorf("%s: violations differ (-as written +compiled):\n%s", name, diff)
			} else if diff := cmp.Diff(byPointer(want), byPointer(got)); diff != "" {
				t.Errorf("%s: violations come in another order (-as written +compiled):\n%s", name, diff)
			}
			checks++
			if len(want) > 0 {
				invalid++
			}
		}
		seen := map[string]int{}
		for _, path := range slices.Sorted(maps.Keys(examples)) {
			v := examples[path]
			kind, _ := v["kind"].(string)
			if _, ok := Files[kind]; !ok {
				continue
			}
			// Every fourth record of a kind gets the many variants, to keep the test short.
			for name, variant := range variants(t, kind, v, seen[kind]%4 == 0) {
				compare(path+" "+name, kind, variant)
			}
			seen[kind]++
		}
		for kind := range Files {
			for _, v := range []any{nil, "Incident", int64(3), []any{}, []any{map[string]any{"kind": kind}}, map[string]any{}} {
				compare(fmt.Sprintf("%s %#v", kind, v), kind, v)
			}
		}
		t.Logf("custom fields %v: %d comparisons, %d with violations", custom, checks, invalid)
		if checks < 20000 || invalid < checks/2 {
			t.Errorf("only %d comparisons, %d with violations", checks, invalid)
		}
	}
}

// badValues replace a field's value in the variants: each is the wrong type for most fields.
var badValues = []any{nil, true, int64(0), 1.5, "", "not-valid value", []any{"a", "a"},
	[]any{map[string]any{"x": int64(1)}}, map[string]any{"x": "y"}}

// variants returns a record and variants of it: each field removed or broken; every state and
// type of the kind; extension, unknown and custom fields added. With many, it adds fields broken
// one and two levels down, and each state and type with each field removed in turn.
func variants(t *testing.T, kind string, v map[string]any, many bool) map[string]any {
	t.Helper()
	doc := schemaDoc(t, Files[kind])
	props, _ := doc["properties"].(map[string]any)
	out := map[string]any{"as is": v}
	for field, x := range v {
		without := clone(v)
		delete(without, field)
		out["without "+field] = without
		for i, bad := range badValues {
			broken := clone(v)
			broken[field] = bad
			out[fmt.Sprintf("with %s=bad%d", field, i)] = broken
		}
		if !many {
			continue
		}
		for name, inner := range nested(x, 2) {
			changed := clone(v)
			changed[field] = inner
			out["with "+field+name] = changed
		}
	}
	enum := func(field string) []any {
		p, _ := props[field].(map[string]any)
		values, _ := p["enum"].([]any)
		if values == nil {
			return nil
		}
		return append(slices.Clone(values), "bogus", int64(1))
	}
	for _, state := range enum("state") {
		for _, typ := range append(enum("type"), nil) {
			with := clone(v)
			with["state"] = state
			if typ != nil {
				with["type"] = typ
			}
			out[fmt.Sprintf("in state %v type %v", state, typ)] = with
			for field := range v {
				if !many {
					break
				}
				without := clone(with)
				delete(without, field)
				out[fmt.Sprintf("in state %v type %v without %s", state, typ, field)] = without
			}
			for _, outcome := range enum("outcome") {
				if !many {
					break
				}
				with := clone(with)
				with["outcome"] = outcome
				out[fmt.Sprintf("in state %v type %v outcome %v", state, typ, outcome)] = with
			}
		}
	}
	for name, extra := range map[string]map[string]any{
		"an extension field":             {"x-note": "n"},
		"extension fields of every kind": {"x-a": map[string]any{"b": []any{int64(1)}}, "x-": nil, "x-x-": "", "x-b": 1.5},
		"an upper-case X- field":         {"X-note": "n"},
		"an unknown field":               {"notes": "n"},
		"unknown and extension fields":   {"notes": "n", "x-note": "n", "x": int64(1), "-x-": true},
		"a custom field":                 {"customer_tier": "gold", "cost_center": "cc-1", "x-team": int64(2)},
		"bad custom fields":              {"customer_tier": "tin", "cost_center": "CC 1", "x-team": "two"},
	} {
		with := clone(v)
		for k, x := range extra {
			with[k] = x
		}
		out["with "+name] = with
		for field := range v {
			if !many {
				break
			}
			without := clone(with)
			delete(without, field)
			out["with "+name+" without "+field] = without
		}
	}
	return out
}

// nested returns variants of x with one value one or more levels down removed or broken.
func nested(x any, depth int) map[string]any {
	out := map[string]any{}
	if depth == 0 {
		return out
	}
	switch x := x.(type) {
	case map[string]any:
		for k, y := range x {
			without := clone(x)
			delete(without, k)
			out["/"+k+" removed"] = without
			for i, bad := range badValues {
				broken := clone(x)
				broken[k] = bad
				out[fmt.Sprintf("/%s=bad%d", k, i)] = broken
			}
			for name, inner := range nested(y, depth-1) {
				changed := clone(x)
				changed[k] = inner
				out["/"+k+name] = changed
			}
		}
	case []any:
		for i, y := range x {
			for j, bad := range badValues {
				broken := slices.Clone(x)
				broken[i] = bad
				out[fmt.Sprintf("/%d=bad%d", i, j)] = broken
			}
			for name, inner := range nested(y, depth-1) {
				changed := slices.Clone(x)
				changed[i] = inner
				out[fmt.Sprintf("/%d%s", i, name)] = changed
			}
		}
		out[" with the first item repeated"] = append(slices.Clone(x), x[:min(1, len(x))]...)
	}
	return out
}

func schemaDoc(t *testing.T, file string) map[string]any {
	t.Helper()
	src, err := fs.ReadFile(schemas.FS, file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestStateRequirements checks that each state-dependent requirement of the schemas is
// reported as a conditional "required" at the record's top level.
func TestStateRequirements(t *testing.T) {
	s, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]any{"apiVersion": "gitsm/v1", "id": "CHG-000001", "title": "t", "cis": []any{"web"},
		"requested_by": "a", "assignment_group": "g", "kind": "Change",
		"timeline": []any{map[string]any{"at": "2026-01-01T00:00:00Z", "state": "new", "by": "a"}}}
	tests := []struct {
		name   string
		fields map[string]any
		want   []string
	}{
		{"normal change in new", map[string]any{"type": "normal", "state": "new"}, nil},
		{"normal change in assess", map[string]any{"type": "normal", "state": "assess"},
			[]string{"backout_plan", "implementation_plan", "risk"}},
		{"standard change in scheduled", map[string]any{"type": "standard", "state": "scheduled", "risk": "low"},
			[]string{"planned_end", "planned_start", "template"}},
		{"emergency change closed", map[string]any{"type": "emergency", "state": "closed", "risk": "high",
			"justification": "down", "implementation_plan": "p", "backout_plan": "b",
			"planned_start": "2026-01-01T00:00:00Z", "planned_end": "2026-01-01T01:00:00Z",
			"actual_start": "2026-01-01T00:00:00Z", "actual_end": "2026-01-01T01:00:00Z", "outcome": "successful"},
			[]string{"review"}},
		{"normal change closed as failed", map[string]any{"type": "normal", "state": "closed", "risk": "low",
			"implementation_plan": "p", "backout_plan": "b",
			"planned_start": "2026-01-01T00:00:00Z", "planned_end": "2026-01-01T01:00:00Z",
			"actual_start": "2026-01-01T00:00:00Z", "actual_end": "2026-01-01T01:00:00Z", "outcome": "failed"},
			[]string{"review"}},
		{"normal change closed successfully", map[string]any{"type": "normal", "state": "closed", "risk": "low",
			"implementation_plan": "p", "backout_plan": "b",
			"planned_start": "2026-01-01T00:00:00Z", "planned_end": "2026-01-01T01:00:00Z",
			"actual_start": "2026-01-01T00:00:00Z", "actual_end": "2026-01-01T01:00:00Z", "outcome": "successful"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := clone(base)
			for k, x := range tt.fields {
				v[k] = x
			}
			var got []string
			for _, vi := range s.Validate("Change", v) {
				if vi.Keyword != "required" || vi.Pointer != "" || !vi.Conditional {
					t.Errorf("unexpected violation %+v", vi)
				}
				got = append(got, vi.Missing...)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("missing fields (-want +got):\n%s", diff)
			}
		})
	}
}

package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/yamldoc"
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

func describe(vs []Violation) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s %s %v %v %v", v.Pointer, v.Keyword, v.Missing, v.Unexpected, v.Conditional))
	}
	slices.Sort(out)
	return out
}

// TestInlinedSchemasMeanTheSame holds the compiled (inlined) schemas to the files as written:
// on every example record, and on every example with one field removed or broken, both give the
// same violations.
func TestInlinedSchemasMeanTheSame(t *testing.T) {
	inlined, err := compile(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	written, err := compile(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	checks := 0
	compare := func(name, kind string, v map[string]any) {
		got, want := describe(inlined.Validate(kind, v)), describe(written.Validate(kind, v))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: violations differ (-as written +inlined):\n%s", name, diff)
		}
		checks++
	}
	for path, v := range exampleValues(t) {
		kind, _ := v["kind"].(string)
		if _, ok := Files[kind]; !ok {
			continue
		}
		compare(path, kind, v)
		for field := range v {
			without := clone(v)
			delete(without, field)
			compare(path+" without "+field, kind, without)
			broken := clone(v)
			broken[field] = []any{map[string]any{"x": int64(1)}}
			compare(path+" with a broken "+field, kind, broken)
		}
	}
	if checks < 2000 {
		t.Errorf("only %d comparisons", checks)
	}
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

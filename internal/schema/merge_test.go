package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// TestBothMeansAllOf holds both(a, b) to {"allOf": [a, b]} on pairs of schemas that merge
// joins, that it puts one after the other, and that it must keep apart.
func TestBothMeansAllOf(t *testing.T) {
	entry := `{"type": "object", "required": ["state"], "additionalProperties": false,
		"properties": {"state": {"type": "string"}, "at": {"type": "string", "minLength": 2}}}`
	tests := []struct{ name, a, b string }{
		{"timeline", `{"items": {"properties": {"state": {"enum": ["a", "b"]}}}}`,
			`{"type": "array", "minItems": 1, "items": ` + entry + `}`},
		{"errors here on both sides, b typed", `{"enum": ["a", 1]}`, `{"type": "string"}`},
		{"errors here on both sides, a typed", `{"type": "string"}`, `{"enum": ["a", 1]}`},
		{"errors here on both sides, a with members", `{"minLength": 2, "properties": {"x": {"type": "string"}}}`,
			`{"type": "object", "required": ["x"]}`},
		{"a type that skips the other's properties", `{"properties": {"x": {"type": "string"}}}`, `{"type": "array"}`},
		{"a type that skips the other's items", `{"type": "object"}`, `{"items": {"type": "string"}}`},
		{"a type that only skips members of another type", `{"type": "object"}`,
			`{"properties": {"x": {"type": "integer"}}}`},
		{"additionalProperties that would see another property", `{"properties": {"y": {}}}`,
			`{"additionalProperties": false, "properties": {"x": {}}}`},
		{"additionalProperties that sees the same properties", `{"properties": {"x": {"minLength": 2}}}`,
			`{"additionalProperties": false, "properties": {"x": {"type": "string"}}}`},
		{"items of both", `{"items": {"minLength": 2}}`, `{"items": {"pattern": "^a"}}`},
		{"a keyword merge does not know", `{"not": {"type": "string"}}`, `{"minLength": 2}`},
	}
	values := []any{nil, true, int64(1), "a", "b", "ab", "ba", []any{}, []any{"a", "b"}, []any{"ab", int64(1)},
		[]any{map[string]any{}}, []any{map[string]any{"state": "a", "at": "2"}},
		[]any{map[string]any{"state": int64(1), "x": int64(2)}, map[string]any{"state": "c", "at": "ab"}},
		map[string]any{}, map[string]any{"x": int64(1)}, map[string]any{"x": "s", "y": int64(2)},
		map[string]any{"y": "ab"}, map[string]any{"state": "c"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b map[string]any
			if err := json.Unmarshal([]byte(tt.a), &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.b), &b); err != nil {
				t.Fatal(err)
			}
			allOf := compileDoc(t, map[string]any{"allOf": []any{a, b}})
			merged := compileDoc(t, both(a, b))
			for _, v := range values {
				got, want := violations(validateAll(merged, v)), violations(validateAll(allOf, v))
				if diff := cmp.Diff(describe(want), describe(got)); diff != "" {
					t.Errorf("%#v: violations differ (-allOf +both):\n%s", v, diff)
				} else if diff := cmp.Diff(byPointer(want), byPointer(got)); diff != "" {
					t.Errorf("%#v: violations come in another order (-allOf +both):\n%s", v, diff)
				}
			}
		})
	}
}

func compileDoc(t *testing.T, doc map[string]any) *jsonschema.Schema {
	t.Helper()
	src, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	url := fmt.Sprintf("mem://%p.json", doc)
	if err := c.AddResource(url, bytes.NewReader(src)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", src, err)
	}
	return s
}

func validateAll(s *jsonschema.Schema, v any) []error {
	if err := s.Validate(v); err != nil {
		return []error{err}
	}
	return nil
}

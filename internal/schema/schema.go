// Package schema compiles the embedded JSON Schemas once and validates record values against
// them, turning each failing location into a finding-ready Violation.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/gitsm/gitsm/schemas"
)

// BaseURL is the $id prefix of every embedded schema.
const BaseURL = "https://gitsm.dev/schemas/"

// Files maps each record kind to its schema file.
var Files = map[string]string{
	"Incident": "incident.json",
	"Problem":  "problem.json",
	"Change":   "change.json",
	"CI":       "ci.json",
	"SLA":      "sla.json",
	"Calendar": "calendar.json",
}

// Set is the compiled schemas of every kind, ready for concurrent use.
type Set struct {
	byKind map[string]*kindSchema
}

// Compile compiles every kind's schema once. custom maps a lower-case kind ("incident") to the
// custom fields that a repository declares for it, each a JSON Schema fragment.
func Compile(custom map[string]map[string]any) (*Set, error) {
	return compile(custom, options{inline: true, split: true, strip: true})
}

// options choose the compile-time transformations, each of which leaves the results unchanged;
// tests turn them off to hold the transformed schemas to the files as written.
type options struct {
	inline bool // replace references to defs.json's definitions with copies of them
	split  bool // validate the state conditionals on a projection of the record
	strip  bool // leave the x- extension fields out of the record
}

func compile(custom map[string]map[string]any, opts options) (*Set, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema %s is not embedded; gitsm never loads schemas from the network", s)
	}
	entries, err := fs.ReadDir(schemas.FS, ".")
	if err != nil {
		return nil, err
	}
	defs, err := fs.ReadFile(schemas.FS, "defs.json")
	if err != nil {
		return nil, err
	}
	srcs := map[string][]byte{}
	docs := map[string]map[string]any{}
	for _, e := range entries {
		src, err := fs.ReadFile(schemas.FS, e.Name())
		if err != nil {
			return nil, err
		}
		kind := kindOfFile(e.Name())
		if kind != "" && len(custom[strings.ToLower(kind)]) > 0 {
			if src, err = withCustomFields(src, custom[strings.ToLower(kind)]); err != nil {
				return nil, fmt.Errorf("custom fields for %s: %w", kind, err)
			}
		}
		if opts.inline && kind != "" {
			if src, err = inlineDefs(src, defs); err != nil {
				return nil, fmt.Errorf("schema %s: %w", e.Name(), err)
			}
		}
		srcs[e.Name()] = src
		if docs[e.Name()], err = decode(src); err != nil {
			return nil, fmt.Errorf("schema %s: %w", e.Name(), err)
		}
	}
	plans := map[string]*plan{}
	for kind, file := range Files {
		p := &plan{base: docs[file]}
		if opts.split {
			p = splitConditions(p.base, docs)
		}
		if opts.strip {
			p.stripExtensions()
		}
		plans[kind] = p
		if opts.split || opts.strip {
			if srcs[file], err = json.Marshal(p.base); err != nil {
				return nil, fmt.Errorf("schema %s: %w", file, err)
			}
		}
		if p.cond != nil {
			cond, err := json.Marshal(p.cond)
			if err != nil {
				return nil, fmt.Errorf("schema %s: %w", file, err)
			}
			srcs[conditionsFile(file)] = cond
		}
	}
	for name, src := range srcs {
		if err := c.AddResource(BaseURL+name, bytes.NewReader(src)); err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
	}
	s := &Set{byKind: map[string]*kindSchema{}}
	for kind, file := range Files {
		k := &kindSchema{keys: plans[kind].keys, strip: plans[kind].strip}
		if k.base, err = c.Compile(BaseURL + file); err != nil {
			return nil, fmt.Errorf("compile schema for %s: %w", kind, err)
		}
		if plans[kind].cond != nil {
			if k.cond, err = c.Compile(BaseURL + conditionsFile(file)); err != nil {
				return nil, fmt.Errorf("compile conditions of the schema for %s: %w", kind, err)
			}
		}
		s.byKind[kind] = k
	}
	return s, nil
}

// decode reads a schema document, keeping its numbers as written.
func decode(src []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(src))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// CompileFile compiles a standalone embedded schema by file name, such as policy.json.
func CompileFile(name string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	src, err := fs.ReadFile(schemas.FS, name)
	if err != nil {
		return nil, err
	}
	if err := c.AddResource(BaseURL+name, bytes.NewReader(src)); err != nil {
		return nil, err
	}
	return c.Compile(BaseURL + name)
}

func kindOfFile(name string) string {
	for kind, f := range Files {
		if f == name {
			return kind
		}
	}
	return ""
}

// withCustomFields declares a repository's custom fields as properties of a kind's schema, so
// that they are allowed and validated against the fragment the config gives.
func withCustomFields(src []byte, fields map[string]any) ([]byte, error) {
	doc, err := decode(src)
	if err != nil {
		return nil, err
	}
	props, _ := doc["properties"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if _, builtin := props[name]; builtin {
			return nil, fmt.Errorf("%q is a built-in field", name)
		}
		frag := JSONValue(fields[name])
		if frag == nil {
			frag = map[string]any{}
		}
		props[name] = frag
	}
	return json.Marshal(doc)
}

// inlineDefs replaces each reference to a definition of defs.json ({"$ref":
// "defs.json#/$defs/timestamp"}) with a copy of the definition itself, so that the validator
// checks a field in one step instead of two. The meaning is unchanged — the definitions hold no
// $id, $anchor or $dynamicRef that a copy would change — and the files stay as written, with
// their references, for other validators and for reading.
func inlineDefs(src, defsSrc []byte) ([]byte, error) {
	doc, err := decode(src)
	if err != nil {
		return nil, err
	}
	defsDoc, err := decode(defsSrc)
	if err != nil {
		return nil, fmt.Errorf("defs.json: %w", err)
	}
	defs, _ := defsDoc["$defs"].(map[string]any)
	// A reference inside defs.json ("#/$defs/slug") means defs.json too; one in a kind's own
	// file ("#/...") means that file and stays as it is.
	var inline func(v any, inDefs bool, depth int) (any, error)
	inline = func(v any, inDefs bool, depth int) (any, error) {
		if depth > 64 {
			return nil, fmt.Errorf("definitions nest deeper than 64 levels")
		}
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, x := range v {
				y, err := inline(x, inDefs, depth+1)
				if err != nil {
					return nil, err
				}
				out[k] = y
			}
			ref, _ := out["$ref"].(string)
			name, ok := strings.CutPrefix(ref, "defs.json#/$defs/")
			if !ok && inDefs {
				name, ok = strings.CutPrefix(ref, "#/$defs/")
			}
			def, found := defs[name]
			if !ok || !found || !inlinable(out) {
				return out, nil
			}
			body, err := inline(def, true, depth+1)
			if err != nil {
				return nil, err
			}
			delete(out, "$ref")
			if len(out) == 0 {
				return body, nil
			}
			// Keywords beside the reference apply too: keep both, as $ref itself would, in the
			// order in which the validator takes them and so reports their errors.
			if body, ok := body.(map[string]any); ok {
				return both(out, body), nil
			}
			return map[string]any{"allOf": []any{out, body}}, nil
		case []any:
			out := make([]any, len(v))
			for i, x := range v {
				y, err := inline(x, inDefs, depth+1)
				if err != nil {
					return nil, err
				}
				out[i] = y
			}
			return out, nil
		}
		return v, nil
	}
	out, err := inline(doc, false, 0)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// afterRef are the keywords that jsonschema/v5 applies after $ref, or that change what $ref
// means or whether it is applied at all ("type" ends the validation of a value of another type).
var afterRef = []string{"type", "$dynamicRef", "$recursiveRef", "not", "allOf", "anyOf", "oneOf", "if",
	"then", "else", "unevaluatedProperties", "unevaluatedItems", "$id", "$anchor", "$dynamicAnchor",
	"$recursiveAnchor", "$schema"}

// inlinable reports whether the keywords beside a $ref in schema s all come before it in the
// validator's order, so that {"allOf": [keywords, definition]} reports the same errors in the
// same order as the reference.
func inlinable(s map[string]any) bool {
	for _, kw := range afterRef {
		if _, ok := s[kw]; ok {
			return false
		}
	}
	return true
}

// JSONValue turns a YAML-decoded fragment, whose maps may be map[any]any, into values that
// encoding/json and the validator accept.
func JSONValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = JSONValue(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = JSONValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = JSONValue(x)
		}
		return out
	}
	return v
}

// Violation is one failing location: the JSON pointer of the instance, the keyword that failed,
// and a message. Required lists the missing properties when the keyword is "required";
// Conditional is set when the requirement comes from a state- or type-dependent rule
// (an if/then in the schema).
type Violation struct {
	Pointer     string
	Keyword     string
	Message     string
	Missing     []string
	Unexpected  []string
	Conditional bool
}

// Validate checks a record value against its kind's schema. It returns nil when the value is
// valid or the kind has no schema.
func (s *Set) Validate(kind string, v any) []Violation {
	k, ok := s.byKind[kind]
	if !ok {
		return nil
	}
	return violations(k.validate(v))
}

// violations turns the errors of one or more validations into violations, one per failing
// location and message, in the order of the errors.
func violations(errs []error) []Violation {
	if len(errs) == 0 {
		return nil
	}
	var out []Violation
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		v := violation(e)
		key := v.Pointer + "\x00" + v.Keyword + "\x00" + v.Message
		if !seen[key] {
			seen[key] = true
			out = append(out, v)
		}
	}
	for _, err := range errs {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return []Violation{{Message: err.Error()}}
		}
		walk(ve)
	}
	return out
}

var quoted = regexp.MustCompile(`'([^']*)'`)

func violation(e *jsonschema.ValidationError) Violation {
	kw := e.KeywordLocation
	if i := strings.LastIndex(kw, "/"); i >= 0 {
		kw = kw[i+1:]
	}
	v := Violation{Pointer: e.InstanceLocation, Keyword: kw, Message: e.Message}
	switch kw {
	case "required":
		for _, m := range quoted.FindAllStringSubmatch(e.Message, -1) {
			v.Missing = append(v.Missing, m[1])
		}
		v.Conditional = strings.Contains(e.KeywordLocation, "/then/")
	case "additionalProperties":
		for _, m := range quoted.FindAllStringSubmatch(e.Message, -1) {
			v.Unexpected = append(v.Unexpected, m[1])
		}
	}
	return v
}

package authoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/schema"
	"github.com/gitsm/gitsm/internal/yamledit"
	"github.com/gitsm/gitsm/schemas"
)

// Shape is what the schema says a field holds, reduced to what typing a command-line value
// needs.
type Shape struct {
	Type     string // string, integer, number, boolean, array, object; "" when anything goes
	Format   string // date-time, date, or ""
	Enum     []string
	Items    *Shape            // of an array
	Props    map[string]*Shape // of an object
	Order    []string          // Props in the order the schema lists them
	Required []string          // of an object
}

// Fields knows the shape of every field of every kind: the embedded schemas plus the custom
// fields a repository declares in its config.
type Fields struct {
	kinds map[record.Kind]*Shape
}

// LoadFields reads the embedded schemas and the custom fields of cfg.
func LoadFields(cfg *config.Config) (*Fields, error) {
	docs := map[string]map[string]any{}
	orders := map[string][]string{}
	entries, err := fs.ReadDir(schemas.FS, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		src, err := fs.ReadFile(schemas.FS, e.Name())
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := json.Unmarshal(src, &doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", e.Name(), err)
		}
		docs[e.Name()] = doc
		if orders[e.Name()], err = propertyOrder(src); err != nil {
			return nil, fmt.Errorf("schema %s: %w", e.Name(), err)
		}
	}
	r := &resolver{docs: docs}
	out := &Fields{kinds: map[record.Kind]*Shape{}}
	for _, k := range record.Kinds {
		file := strings.ToLower(string(k.Kind)) + ".json"
		doc, ok := docs[file]
		if !ok {
			return nil, fmt.Errorf("no schema %s for %s", file, k.Kind)
		}
		s := r.shape(doc, file, 0)
		s.Order = orders[file]
		custom := cfg.CustomFields[k.Key]
		for _, name := range sortedKeys(custom) {
			frag, _ := schema.JSONValue(custom[name]).(map[string]any)
			s.Props[name] = r.shape(frag, "", 0)
			s.Order = append(s.Order, name)
		}
		out.kinds[k.Kind] = s
	}
	return out, nil
}

// Kind returns the shape of a kind's records.
func (f *Fields) Kind(k record.Kind) *Shape { return f.kinds[k] }

// UnknownFieldError is Lookup's error for a field the schema does not know.
type UnknownFieldError struct{ Msg string }

func (e *UnknownFieldError) Error() string { return e.Msg }

// Lookup returns the shape of the field at path in a record of kind k. Top-level x- fields and
// the keys of free maps (CI attributes) hold anything; gitsm writes them as strings.
func (f *Fields) Lookup(k record.Kind, path []string) (*Shape, error) {
	s := f.kinds[k]
	if s == nil {
		return nil, &UnknownFieldError{Msg: fmt.Sprintf("no schema for %s", k)}
	}
	if len(path) > 0 && strings.HasPrefix(path[0], "x-") {
		return &Shape{}, nil
	}
	for i, name := range path {
		switch {
		case s.Type == "object" && s.Props == nil, s.Type == "":
			return &Shape{}, nil
		case s.Type != "object":
			return nil, fmt.Errorf("%s is a single %s, it has no field %s", strings.Join(path[:i], "."), describeType(s), name)
		}
		next, ok := s.Props[name]
		if !ok {
			where := strings.ToLower(string(k))
			if i > 0 {
				where = strings.Join(path[:i], ".")
			}
			return nil, &UnknownFieldError{Msg: fmt.Sprintf("%s has no field %s%s", where, name, fieldHint(s, i))}
		}
		s = next
	}
	return s, nil
}

func fieldHint(s *Shape, depth int) string {
	if depth == 0 {
		return " (fields of your own start with x-, or are declared under custom_fields in .gitsm/config.yaml)"
	}
	if len(s.Order) > 0 {
		return "; it has " + strings.Join(s.Order, ", ")
	}
	return ""
}

func describeType(s *Shape) string {
	switch s.Type {
	case "array":
		return "list"
	case "integer":
		return "whole number"
	case "boolean":
		return "true/false value"
	case "":
		return "value"
	}
	return s.Type
}

// Parse turns a value written on the command line into the value the field holds: a whole
// number for integer fields, true/false for booleans, a list for list fields (items separated
// by commas), and the text itself otherwise. Items of a list of mappings are written as their
// required fields joined by colons: goals=P1:4h,P2:1d.
func (s *Shape) Parse(raw string) (any, error) {
	switch s.Type {
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", raw)
		}
		return n, nil
	case "number":
		t := strings.TrimSpace(raw)
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return n, nil
		}
		x, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", raw)
		}
		return x, nil
	case "boolean":
		switch strings.TrimSpace(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean; write true or false", raw)
	case "array":
		var out []any
		for _, item := range strings.Split(raw, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			v, err := s.item().parseItem(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "object":
		return nil, fmt.Errorf("it is a mapping; set its fields one by one (%s)", s.example())
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, raw) {
		return nil, fmt.Errorf("%q is not one of %s", raw, strings.Join(s.Enum, ", "))
	}
	return raw, nil
}

func (s *Shape) item() *Shape {
	if s.Items == nil {
		return &Shape{}
	}
	return s.Items
}

// parseItem parses one list item; the items of a list of mappings are their required fields
// joined by colons.
func (s *Shape) parseItem(item string) (any, error) {
	if s.Type != "object" {
		return s.Parse(item)
	}
	if len(s.Required) == 0 {
		return nil, fmt.Errorf("cannot write a list of mappings on the command line")
	}
	parts := strings.SplitN(item, ":", len(s.Required))
	if len(parts) != len(s.Required) {
		return nil, fmt.Errorf("list item %q must be %s", item, strings.Join(s.Required, ":"))
	}
	var kv []yamledit.KV
	for i, name := range s.Required {
		v, err := s.Props[name].Parse(parts[i])
		if err != nil {
			return nil, fmt.Errorf("%s of %q: %w", name, item, err)
		}
		kv = append(kv, yamledit.KV{Key: name, Value: v})
	}
	return kv, nil
}

// example shows how to set an object's fields: "resolution.code=…".
func (s *Shape) example() string {
	names := s.Required
	if len(names) == 0 {
		names = s.Order
	}
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, "."+n+"=…")
	}
	return strings.Join(parts, " ")
}

// Hint says what to write for a field: its choices, or its type.
func (s *Shape) Hint() string {
	switch {
	case len(s.Enum) > 0:
		return strings.Join(s.Enum, "|")
	case s.Format == "date-time":
		return "TIME"
	case s.Format == "date":
		return "DATE"
	case s.Type == "integer", s.Type == "number":
		return "N"
	case s.Type == "boolean":
		return "true|false"
	case s.Type == "array":
		return "A,B"
	}
	return "VALUE"
}

type resolver struct {
	docs map[string]map[string]any
}

// shape reduces a JSON Schema node to a Shape, following $ref (within the embedded files) and
// allOf; depth bounds the recursion.
func (r *resolver) shape(n map[string]any, file string, depth int) *Shape {
	s := &Shape{}
	if n == nil || depth > 32 {
		return s
	}
	if ref, ok := n["$ref"].(string); ok {
		target, targetFile := r.ref(ref, file)
		merge(s, r.shape(target, targetFile, depth+1))
	}
	if all, ok := n["allOf"].([]any); ok {
		for _, a := range all {
			m, _ := a.(map[string]any)
			merge(s, r.shape(m, file, depth+1))
		}
	}
	switch t := n["type"].(type) {
	case string:
		s.Type = t
	case []any:
		s.Type = "" // several types: anything goes
	}
	if f, ok := n["format"].(string); ok {
		s.Format = f
	}
	if e, ok := n["enum"].([]any); ok {
		s.Enum = nil
		for _, v := range e {
			if str, ok := v.(string); ok {
				s.Enum = append(s.Enum, str)
			}
		}
		if s.Type == "" && len(s.Enum) == len(e) {
			s.Type = "string"
		}
	}
	if c, ok := n["const"].(string); ok {
		s.Enum, s.Type = []string{c}, "string"
	}
	if items, ok := n["items"].(map[string]any); ok {
		if s.Items == nil {
			s.Items = &Shape{}
		}
		merge(s.Items, r.shape(items, file, depth+1))
		if s.Type == "" {
			s.Type = "array"
		}
	}
	if props, ok := n["properties"].(map[string]any); ok {
		if s.Props == nil {
			s.Props = map[string]*Shape{}
		}
		for _, name := range sortedKeys(props) {
			m, _ := props[name].(map[string]any)
			sub := r.shape(m, file, depth+1)
			if old, ok := s.Props[name]; ok {
				merge(old, sub)
			} else {
				s.Props[name] = sub
				s.Order = append(s.Order, name)
			}
		}
		if s.Type == "" {
			s.Type = "object"
		}
	}
	if req, ok := n["required"].([]any); ok {
		for _, v := range req {
			if str, ok := v.(string); ok && !slices.Contains(s.Required, str) {
				s.Required = append(s.Required, str)
			}
		}
	}
	return s
}

func (r *resolver) ref(ref, file string) (map[string]any, string) {
	target, pointer, _ := strings.Cut(ref, "#")
	if target == "" {
		target = file
	}
	n := r.docs[target]
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if tok == "" {
			continue
		}
		n, _ = n[tok].(map[string]any)
	}
	return n, target
}

// merge lays what over says onto s.
func merge(s, over *Shape) {
	if over.Type != "" {
		s.Type = over.Type
	}
	if over.Format != "" {
		s.Format = over.Format
	}
	if len(over.Enum) > 0 {
		s.Enum = over.Enum
	}
	if over.Items != nil {
		if s.Items == nil {
			s.Items = &Shape{}
		}
		merge(s.Items, over.Items)
	}
	for _, name := range over.Order {
		if old, ok := s.Props[name]; ok {
			merge(old, over.Props[name])
			continue
		}
		if s.Props == nil {
			s.Props = map[string]*Shape{}
		}
		s.Props[name] = over.Props[name]
		s.Order = append(s.Order, name)
	}
	for _, req := range over.Required {
		if !slices.Contains(s.Required, req) {
			s.Required = append(s.Required, req)
		}
	}
}

// propertyOrder lists the top-level properties of a schema in the order the file gives them
// (encoding/json forgets it).
func propertyOrder(src []byte) ([]string, error) {
	var top struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(src, &top); err != nil || len(top.Properties) == 0 {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(top.Properties))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		out = append(out, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

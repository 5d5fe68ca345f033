package schema

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// kindSchema is one kind's schema as compiled: base, and the conditions that splitConditions
// took out of it, if any.
type kindSchema struct {
	base *jsonschema.Schema
	// cond holds the top-level dependentSchemas and if/then/else of the schema as written,
	// validated against the record's top-level fields named in keys only; nil when base is the
	// whole schema.
	cond *jsonschema.Schema
	keys []string
	// strip is the prefix of the extension fields ("x-") that the schema allows whatever their
	// value; base leaves them out of its patternProperties, and they are left out of the value.
	strip string
}

// validate returns the errors of base and of cond in the order in which the schema as written
// would report them: the library checks dependentSchemas and if/then/else after every keyword
// that stays in base.
func (k *kindSchema) validate(v any) []error {
	var errs []error
	m, isObject := v.(map[string]any)
	if err := k.base.Validate(k.withoutExtensions(m, v)); err != nil {
		errs = append(errs, err)
	}
	// A value that is not an object fails base's "type": "object", after which the library
	// looks at no other keyword of the schema.
	if k.cond == nil || !isObject {
		return errs
	}
	proj := make(map[string]any, len(k.keys))
	for _, name := range k.keys {
		if x, ok := m[name]; ok {
			proj[name] = x
		}
	}
	if err := k.cond.Validate(proj); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// withoutExtensions returns v without the fields that start with k.strip, copying the record
// only when it has such a field.
func (k *kindSchema) withoutExtensions(m map[string]any, v any) any {
	if k.strip == "" || m == nil {
		return v
	}
	n := 0
	for name := range m {
		if strings.HasPrefix(name, k.strip) {
			n++
		}
	}
	if n == 0 {
		return v
	}
	out := make(map[string]any, len(m)-n)
	for name, x := range m {
		if !strings.HasPrefix(name, k.strip) {
			out[name] = x
		}
	}
	return out
}

// plan is how a kind's schema document is compiled.
type plan struct {
	base  map[string]any
	cond  map[string]any
	keys  []string
	strip string
}

// conditionsFile names the resource that holds the conditions split off a kind's schema file.
func conditionsFile(file string) string {
	return "conditions/" + file
}

// condKeywords are the top-level keywords that splitConditions moves into the conditions, in
// the order in which jsonschema/v5 evaluates them.
var condKeywords = []string{"dependentSchemas", "if", "then", "else"}

// laterKeywords are the keywords that jsonschema/v5 evaluates after dependentSchemas or that
// depend on what the in-place applicators evaluated: with one of them at the top level, the
// conditions cannot be moved without changing the order or the meaning of the results.
var laterKeywords = []string{"$ref", "$dynamicRef", "$recursiveRef", "not", "allOf", "anyOf", "oneOf",
	"unevaluatedProperties", "unevaluatedItems"}

// splitConditions takes a kind's state- and type-dependent rules (its top-level
// dependentSchemas and if/then/else) out of its schema, so that they are validated against a
// projection of the record holding only the fields they name. The library builds a set of every
// property name of the object for each subschema that it applies to the object in place, so on
// the whole record the handful of nested if/then/else cost more than all the fields' checks.
//
// The projection gives the same results as the record as long as the rules look at nothing but
// the named fields' presence and values. splitConditions checks that by walking them, and keeps
// the schema whole when they use any other keyword. docs are every schema document, searched for
// references into the parts that would move.
func splitConditions(doc map[string]any, docs map[string]map[string]any) *plan {
	whole := &plan{base: doc}
	if doc["type"] != "object" {
		return whole
	}
	for _, kw := range laterKeywords {
		if _, ok := doc[kw]; ok {
			return whole
		}
	}
	for _, d := range docs {
		if refersInto(d, condKeywords) {
			return whole
		}
	}
	cond := map[string]any{}
	names := map[string]bool{}
	for _, kw := range condKeywords {
		sub, ok := doc[kw]
		if !ok {
			continue
		}
		if kw == "dependentSchemas" {
			sub = map[string]any{kw: sub}
		}
		if !projectable(sub, names) {
			return whole
		}
		cond[kw] = doc[kw]
	}
	if len(cond) == 0 {
		return whole
	}
	base := map[string]any{}
	for kw, x := range doc {
		if _, moved := cond[kw]; !moved {
			base[kw] = x
		}
	}
	if s, ok := doc["$schema"]; ok {
		cond["$schema"] = s
	}
	return &plan{base: base, cond: cond, keys: slices.Sorted(maps.Keys(names))}
}

// stripExtensions makes p leave out the extension fields, when extensionPrefix finds that
// doing so changes no result.
func (p *plan) stripExtensions() {
	p.strip = extensionPrefix(p.base)
	if p.strip == "" {
		return
	}
	base := maps.Clone(p.base)
	delete(base, "patternProperties")
	p.base = base
}

// projectable reports whether schema s, applied in place to a record, looks at nothing but the
// record's top-level fields that it names, and adds those names to names.
func projectable(s any, names map[string]bool) bool {
	m, ok := s.(map[string]any)
	if !ok {
		_, ok := s.(bool)
		return ok
	}
	for kw, x := range m {
		switch kw {
		case "$comment", "title", "description":
		case "if", "then", "else", "not":
			if !projectable(x, names) {
				return false
			}
		case "allOf", "anyOf", "oneOf":
			list, ok := x.([]any)
			if !ok {
				return false
			}
			for _, sub := range list {
				if !projectable(sub, names) {
					return false
				}
			}
		case "required":
			list, ok := x.([]any)
			if !ok {
				return false
			}
			for _, name := range list {
				name, ok := name.(string)
				if !ok {
					return false
				}
				names[name] = true
			}
		case "properties":
			props, ok := x.(map[string]any)
			if !ok {
				return false
			}
			// A field's own subschema sees the field's value, which the projection keeps.
			for name, sub := range props {
				if !selfContained(sub) {
					return false
				}
				names[name] = true
			}
		case "dependentSchemas":
			deps, ok := x.(map[string]any)
			if !ok {
				return false
			}
			for name, sub := range deps {
				if !projectable(sub, names) {
					return false
				}
				names[name] = true
			}
		default:
			return false
		}
	}
	return true
}

// refKeywords are the keywords that make a subschema depend on where it sits in its document.
var refKeywords = []string{"$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor",
	"$recursiveAnchor", "$schema", "$defs", "definitions"}

// selfContained reports whether schema s has no reference and no identifier anywhere in it, so
// that it means the same in any document.
func selfContained(s any) bool {
	switch s := s.(type) {
	case map[string]any:
		for _, kw := range refKeywords {
			if _, ok := s[kw]; ok {
				return false
			}
		}
		for _, x := range s {
			if !selfContained(x) {
				return false
			}
		}
	case []any:
		for _, x := range s {
			if !selfContained(x) {
				return false
			}
		}
	}
	return true
}

// refersInto reports whether document d has a reference to one of the top-level keywords kws of
// some document ("#/then/...", "incident.json#/if").
func refersInto(d any, kws []string) bool {
	switch d := d.(type) {
	case map[string]any:
		for k, x := range d {
			ref, isRef := x.(string)
			if isRef && (k == "$ref" || k == "$dynamicRef" || k == "$recursiveRef") {
				for _, kw := range kws {
					if strings.Contains(ref, "#/"+kw) {
						return true
					}
				}
			}
			if refersInto(x, kws) {
				return true
			}
		}
	case []any:
		for _, x := range d {
			if refersInto(x, kws) {
				return true
			}
		}
	}
	return false
}

// extensionPrefix returns the prefix p when base's only patternProperties is {"^p": true} and
// nothing else in base looks at fields starting with p or at the set of field names: leaving
// those fields out of the value and the patternProperties out of the schema then changes no
// result, and saves matching the pattern against every field of every record.
func extensionPrefix(base map[string]any) string {
	pp, ok := base["patternProperties"].(map[string]any)
	if !ok || len(pp) != 1 {
		return ""
	}
	var prefix string
	for pattern, sub := range pp {
		p, ok := strings.CutPrefix(pattern, "^")
		if !ok || p == "" || regexp.QuoteMeta(p) != p {
			return ""
		}
		if m, isMap := sub.(map[string]any); sub != true && !(isMap && len(m) == 0) {
			return ""
		}
		prefix = p
	}
	for kw, x := range base {
		switch kw {
		case "$schema", "$id", "$comment", "title", "description", "type", "patternProperties",
			"additionalProperties", "$defs":
		case "properties":
			props, _ := x.(map[string]any)
			for name := range props {
				if strings.HasPrefix(name, prefix) {
					return ""
				}
			}
		case "required":
			list, _ := x.([]any)
			for _, name := range list {
				if name, _ := name.(string); strings.HasPrefix(name, prefix) {
					return ""
				}
			}
		default:
			return ""
		}
	}
	return prefix
}

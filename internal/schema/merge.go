package schema

import "maps"

// both returns a schema that reports the errors of schema a and of schema b, a's first at each
// instance location: {"allOf": [a, b]}, or one schema with the keywords of both where that
// means the same. Each subschema that the validator applies to an object or an array costs it
// a set of the object's property names or of the array's indexes, and the timeline's
// {"$ref": timeline, "items": {...}} would otherwise apply two to every entry.
func both(a, b map[string]any) map[string]any {
	if m, ok := merge(a, b); ok {
		return m
	}
	// The validator applies allOf after every keyword that merge knows, so b can follow a's
	// keywords in a's own schema, as long as no "type" of a ends the validation before it.
	if _, typed := a["type"]; !typed && known(a) {
		m := maps.Clone(a)
		m["allOf"] = []any{b}
		return m
	}
	return map[string]any{"allOf": []any{a, b}}
}

// known reports whether merge knows every keyword of schema s.
func known(s map[string]any) bool {
	for kw := range s {
		if !here[kw] && below[kw] == "" && !annotations[kw] {
			return false
		}
	}
	return true
}

// Keywords that merge knows, by where they report errors.
var (
	// here are the keywords that report errors at the value itself.
	here = set("type", "enum", "const", "format", "required", "additionalProperties", "minProperties",
		"maxProperties", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern",
		"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
	// below are the keywords that apply subschemas to the value's members only, and to nothing
	// but values of one type: an object's properties, an array's items.
	below       = map[string]string{"properties": "object", "items": "array"}
	annotations = set("title", "description", "$comment")
)

func set(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// merge returns one schema equivalent to {"allOf": [a, b]}, with the same errors in the same
// order at each instance location, when it finds one: at most one of a and b reports errors at
// the value itself (the validator orders those by keyword, not by schema), keywords that both
// have apply to members and merge member by member, a "type" that ends the validation early
// only skips the other's keywords for members that a value of another type does not have, and
// an additionalProperties sees the same properties as before.
func merge(a, b map[string]any) (map[string]any, bool) {
	if !known(a) || !known(b) {
		return nil, false
	}
	var hereA, hereB bool
	for kw := range a {
		hereA = hereA || here[kw]
	}
	for kw := range b {
		hereB = hereB || here[kw]
	}
	if hereA && hereB {
		return nil, false
	}
	for _, p := range [][2]map[string]any{{a, b}, {b, a}} {
		x, y := p[0], p[1]
		if t, ok := x["type"]; ok {
			for kw, typ := range below {
				if _, ok := y[kw]; ok && t != typ {
					return nil, false
				}
			}
		}
		if _, ok := x["additionalProperties"]; ok {
			xp, _ := x["properties"].(map[string]any)
			yp, _ := y["properties"].(map[string]any)
			for name := range yp {
				if _, ok := xp[name]; !ok {
					return nil, false
				}
			}
		}
	}
	out := maps.Clone(a)
	for kw, y := range b {
		x, shared := out[kw]
		switch {
		case !shared || annotations[kw]:
			out[kw] = y
		case kw == "items":
			xi, ok1 := x.(map[string]any)
			yi, ok2 := y.(map[string]any)
			if !ok1 || !ok2 {
				return nil, false
			}
			out[kw] = both(xi, yi)
		case kw == "properties":
			xp, ok1 := x.(map[string]any)
			yp, ok2 := y.(map[string]any)
			if !ok1 || !ok2 {
				return nil, false
			}
			props := maps.Clone(xp)
			for name, ys := range yp {
				xs, shared := props[name]
				if !shared {
					props[name] = ys
					continue
				}
				xm, ok1 := xs.(map[string]any)
				ym, ok2 := ys.(map[string]any)
				if !ok1 || !ok2 {
					return nil, false
				}
				props[name] = both(xm, ym)
			}
			out[kw] = props
		default:
			return nil, false
		}
	}
	return out, true
}

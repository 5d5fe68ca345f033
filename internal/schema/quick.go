package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// A quick is a compiled JSON Schema that answers only "is this value certainly valid?", much
// faster than the full validator, which builds an error tree for every failed `if`. It knows
// the subset of JSON Schema the record schemas use; a schema with any other keyword gets no
// quick form. It must never call an invalid value valid; when in doubt (a float where an
// integer bound applies, a list of objects under uniqueItems) it says no, and Validate asks
// the full validator, which also produces the findings. So the findings are the full
// validator's, always; quick only lets valid records skip it.
type quick struct {
	always     *bool // a boolean schema
	types      []string
	constant   []any // nil, or one value
	enum       []any
	format     func(any) bool
	pattern    *regexp.Regexp
	match      func(string) bool // a hand-written pattern.MatchString, for the patterns of defs.json
	minLength  int               // -1: none
	maxLength  int
	minimum    *int64
	maximum    *int64
	exclMin    *int64
	exclMax    *int64
	items      *quick
	minItems   int
	maxItems   int
	unique     bool
	required   []string
	props      map[string]*quick
	patProps   []patProp
	additional *quick
	allOf      []*quick
	ifS        *quick
	thenS      *quick
	elseS      *quick
	ref        *quick
}

type patProp struct {
	re     *regexp.Regexp
	prefix string // when the pattern is ^ and a literal, such as ^x-: a string test is faster
	s      *quick
}

func (pp patProp) match(name string) bool {
	if pp.prefix != "" {
		return strings.HasPrefix(name, pp.prefix)
	}
	return pp.re.MatchString(name)
}

// literalPrefix returns the literal of a pattern of the form ^literal, or "".
func literalPrefix(pattern string) string {
	lit, ok := strings.CutPrefix(pattern, "^")
	if !ok || lit == "" || regexp.QuoteMeta(lit) != lit {
		return ""
	}
	return lit
}

// ignoredKeywords are annotations: they never make a value invalid.
var ignoredKeywords = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "$comment": true, "title": true, "description": true,
	"examples": true, "default": true, "deprecated": true, "readOnly": true, "writeOnly": true,
}

// quickCompiler compiles the quick forms of a set of schema documents, by file name.
type quickCompiler struct {
	docs map[string]any
	done map[string]*quick // by file#pointer, so that recursive references terminate
}

var errUnsupported = fmt.Errorf("not supported by the quick validator")

func (c *quickCompiler) compileFile(name string) (*quick, error) {
	return c.compileRef(name, "")
}

func (c *quickCompiler) compileRef(file, pointer string) (*quick, error) {
	key := file + "#" + pointer
	if q, ok := c.done[key]; ok {
		return q, nil
	}
	doc, ok := c.docs[file]
	if !ok {
		return nil, errUnsupported
	}
	v, err := resolvePointer(doc, pointer)
	if err != nil {
		return nil, err
	}
	q := &quick{}
	c.done[key] = q
	if err := c.fill(q, file, v); err != nil {
		return nil, err
	}
	return q, nil
}

func resolvePointer(doc any, pointer string) (any, error) {
	if pointer == "" {
		return doc, nil
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, errUnsupported // an anchor
	}
	v := doc
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok, err := url.PathUnescape(tok)
		if err != nil {
			return nil, errUnsupported
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errUnsupported
		}
		if v, ok = m[tok]; !ok {
			return nil, errUnsupported
		}
	}
	return v, nil
}

func (c *quickCompiler) sub(file string, v any) (*quick, error) {
	q := &quick{}
	return q, c.fill(q, file, v)
}

// bound reads a numeric bound; quick knows only integer bounds, which it compares exactly.
func bound(v any) (*int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, errUnsupported
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return nil, errUnsupported
	}
	return &i, nil
}

func count(v any) (int, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, errUnsupported
	}
	i, err := strconv.ParseInt(string(n), 10, 32)
	if err != nil || i < 0 {
		return 0, errUnsupported
	}
	return int(i), nil
}

// fill compiles schema value v of document file into q.
func (c *quickCompiler) fill(q *quick, file string, v any) error {
	q.minLength, q.maxLength, q.maxItems = -1, -1, -1
	if b, ok := v.(bool); ok {
		q.always = &b
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return errUnsupported
	}
	var err error
	for k, x := range m {
		switch k {
		case "type":
			switch t := x.(type) {
			case string:
				q.types = []string{t}
			case []any:
				for _, e := range t {
					s, ok := e.(string)
					if !ok {
						return errUnsupported
					}
					q.types = append(q.types, s)
				}
			default:
				return errUnsupported
			}
			for _, t := range q.types {
				switch t {
				case "null", "boolean", "number", "integer", "string", "array", "object":
				default:
					return errUnsupported
				}
			}
		case "const":
			q.constant = []any{x}
		case "enum":
			e, ok := x.([]any)
			if !ok {
				return errUnsupported
			}
			q.enum = e
			if len(e) == 0 {
				q.enum = []any{struct{}{}} // matches nothing
			}
		case "format":
			s, ok := x.(string)
			if !ok {
				return errUnsupported
			}
			q.format = jsonschema.Formats[s] // an unknown format asserts nothing, as in the full validator
		case "pattern":
			s, ok := x.(string)
			if !ok {
				return errUnsupported
			}
			if q.pattern, err = regexp.Compile(s); err != nil {
				return errUnsupported
			}
			q.match = knownPatterns[s]
		case "minLength":
			if q.minLength, err = count(x); err != nil {
				return err
			}
		case "maxLength":
			if q.maxLength, err = count(x); err != nil {
				return err
			}
		case "minimum":
			if q.minimum, err = bound(x); err != nil {
				return err
			}
		case "maximum":
			if q.maximum, err = bound(x); err != nil {
				return err
			}
		case "exclusiveMinimum":
			if q.exclMin, err = bound(x); err != nil {
				return err
			}
		case "exclusiveMaximum":
			if q.exclMax, err = bound(x); err != nil {
				return err
			}
		case "items":
			if q.items, err = c.sub(file, x); err != nil {
				return err
			}
		case "minItems":
			if q.minItems, err = count(x); err != nil {
				return err
			}
		case "maxItems":
			if q.maxItems, err = count(x); err != nil {
				return err
			}
		case "uniqueItems":
			b, ok := x.(bool)
			if !ok {
				return errUnsupported
			}
			q.unique = b
		case "required":
			r, ok := x.([]any)
			if !ok {
				return errUnsupported
			}
			for _, e := range r {
				s, ok := e.(string)
				if !ok {
					return errUnsupported
				}
				q.required = append(q.required, s)
			}
		case "properties":
			pm, ok := x.(map[string]any)
			if !ok {
				return errUnsupported
			}
			q.props = make(map[string]*quick, len(pm))
			for name, ps := range pm {
				if q.props[name], err = c.sub(file, ps); err != nil {
					return err
				}
			}
		case "patternProperties":
			pm, ok := x.(map[string]any)
			if !ok {
				return errUnsupported
			}
			for pat, ps := range pm {
				re, err := regexp.Compile(pat)
				if err != nil {
					return errUnsupported
				}
				s, err := c.sub(file, ps)
				if err != nil {
					return err
				}
				q.patProps = append(q.patProps, patProp{re: re, prefix: literalPrefix(pat), s: s})
			}
		case "additionalProperties":
			if q.additional, err = c.sub(file, x); err != nil {
				return err
			}
		case "allOf":
			list, ok := x.([]any)
			if !ok {
				return errUnsupported
			}
			for _, e := range list {
				s, err := c.sub(file, e)
				if err != nil {
					return err
				}
				q.allOf = append(q.allOf, s)
			}
		case "if":
			if q.ifS, err = c.sub(file, x); err != nil {
				return err
			}
		case "then":
			if q.thenS, err = c.sub(file, x); err != nil {
				return err
			}
		case "else":
			if q.elseS, err = c.sub(file, x); err != nil {
				return err
			}
		case "$ref":
			s, ok := x.(string)
			if !ok {
				return errUnsupported
			}
			target, frag, _ := strings.Cut(s, "#")
			if target == "" {
				target = file
			}
			if strings.ContainsAny(target, ":/") {
				return errUnsupported // only sibling files of the embedded set
			}
			if q.ref, err = c.compileRef(target, frag); err != nil {
				return err
			}
		default:
			if !ignoredKeywords[k] {
				return errUnsupported
			}
		}
	}
	return nil
}

// maxQuickDepth bounds the recursion of a quick check: a schema that refers to itself without
// descending into the value would otherwise never end. The full validator reports such loops.
const maxQuickDepth = 200

// check is one quick validation. unsure is set when valid answers false without being sure
// that the value is invalid; since valid returns at the first failure, the flag always
// describes that failure.
type check struct {
	unsure bool
}

// notSure answers false and marks the answer as a guess.
func (c *check) notSure() bool {
	c.unsure = true
	return false
}

// valid reports whether v is valid against q: true only when certain; false when invalid or,
// with c.unsure set, when not sure.
func (q *quick) valid(c *check, v any, depth int) bool {
	if depth > maxQuickDepth {
		return c.notSure()
	}
	depth++
	if q.always != nil {
		return *q.always
	}
	switch v.(type) {
	case nil, bool, string, int64, float64, []any, map[string]any:
	default:
		return c.notSure() // the full validator decides what to make of other Go types
	}
	if len(q.types) > 0 && !q.typeOK(c, v) {
		return false
	}
	if q.constant != nil {
		if eq, sure := quickEqual(v, q.constant[0]); !eq {
			c.unsure = !sure
			return false
		}
	}
	if q.enum != nil {
		matched, sure := false, true
		for _, e := range q.enum {
			eq, s := quickEqual(v, e)
			if eq {
				matched = true
				break
			}
			sure = sure && s
		}
		if !matched {
			c.unsure = !sure
			return false
		}
	}
	if q.format != nil && !q.format(v) {
		return false
	}
	switch v := v.(type) {
	case map[string]any:
		for _, r := range q.required {
			if _, ok := v[r]; !ok {
				return false
			}
		}
		if q.props != nil || q.patProps != nil || q.additional != nil {
			for name, pv := range v {
				matched := false
				if ps, ok := q.props[name]; ok {
					matched = true
					if !ps.valid(c, pv, depth) {
						return false
					}
				}
				for _, pp := range q.patProps {
					if pp.match(name) {
						matched = true
						if !pp.s.valid(c, pv, depth) {
							return false
						}
					}
				}
				if !matched && q.additional != nil && !q.additional.valid(c, pv, depth) {
					return false
				}
			}
		}
	case []any:
		if len(v) < q.minItems || (q.maxItems >= 0 && len(v) > q.maxItems) {
			return false
		}
		if q.items != nil {
			for _, it := range v {
				if !q.items.valid(c, it, depth) {
					return false
				}
			}
		}
		if q.unique {
			if distinct, sure := quickUnique(v); !distinct {
				c.unsure = !sure
				return false
			}
		}
	case string:
		if q.minLength >= 0 || q.maxLength >= 0 {
			n := utf8.RuneCountInString(v)
			if n < q.minLength || (q.maxLength >= 0 && n > q.maxLength) {
				return false
			}
		}
		if q.match != nil {
			if !q.match(v) {
				return false
			}
		} else if q.pattern != nil && !q.pattern.MatchString(v) {
			return false
		}
	case int64:
		if (q.minimum != nil && v < *q.minimum) || (q.maximum != nil && v > *q.maximum) ||
			(q.exclMin != nil && v <= *q.exclMin) || (q.exclMax != nil && v >= *q.exclMax) {
			return false
		}
	case float64:
		if q.minimum != nil || q.maximum != nil || q.exclMin != nil || q.exclMax != nil {
			return c.notSure() // the full validator compares decimal representations
		}
	}
	if q.ref != nil && !q.ref.valid(c, v, depth) {
		return false
	}
	for _, s := range q.allOf {
		if !s.valid(c, v, depth) {
			return false
		}
	}
	if q.ifS != nil {
		// The branch taken must be the right one: an if that fails without being sure of it
		// makes the whole answer unsure.
		var cond check
		ok := q.ifS.valid(&cond, v, depth)
		switch {
		case !ok && cond.unsure:
			return c.notSure()
		case ok && q.thenS != nil:
			return q.thenS.valid(c, v, depth)
		case !ok && q.elseS != nil:
			return q.elseS.valid(c, v, depth)
		}
	}
	return true
}

func (q *quick) typeOK(c *check, v any) bool {
	for _, t := range q.types {
		switch v.(type) {
		case nil:
			if t == "null" {
				return true
			}
		case bool:
			if t == "boolean" {
				return true
			}
		case string:
			if t == "string" {
				return true
			}
		case int64:
			if t == "integer" || t == "number" {
				return true
			}
		case float64:
			if t == "number" {
				return true
			}
			if t == "integer" {
				c.unsure = true // 2.0 is an integer to the full validator
			}
		case []any:
			if t == "array" {
				return true
			}
		case map[string]any:
			if t == "object" {
				return true
			}
		}
	}
	return false
}

// quickEqual compares an instance value with a value from a schema: eq is true only when they
// are certainly equal, and sure says whether a false eq is certain too.
func quickEqual(v, schemaValue any) (eq, sure bool) {
	switch s := schemaValue.(type) {
	case string:
		x, ok := v.(string)
		return ok && x == s, true
	case bool:
		x, ok := v.(bool)
		return ok && x == s, true
	case nil:
		return v == nil, true
	case json.Number:
		switch x := v.(type) {
		case int64:
			if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
				return x == n, true
			}
			return false, false
		case float64:
			return false, false
		}
		return false, true
	case []any:
		_, same := v.([]any)
		return false, !same
	case map[string]any:
		_, same := v.(map[string]any)
		return false, !same
	}
	return false, false
}

// quickUnique reports whether the items are pairwise distinct; it judges only lists of
// strings, booleans, nulls and integers and is unsure about any other.
func quickUnique(items []any) (distinct, sure bool) {
	if len(items) < 2 {
		return true, true
	}
	seen := make(map[any]struct{}, len(items))
	for _, it := range items {
		switch it.(type) {
		case string, bool, nil, int64:
		default:
			return false, false
		}
		if _, dup := seen[it]; dup {
			return false, true
		}
		seen[it] = struct{}{}
	}
	return true, true
}

// compileQuick compiles the quick form of each kind from the same documents the full
// validator got; a kind whose schema uses a keyword quick does not know gets none.
func compileQuick(docs map[string][]byte) map[string]*quick {
	c := &quickCompiler{docs: map[string]any{}, done: map[string]*quick{}}
	for name, src := range docs {
		var v any
		dec := json.NewDecoder(bytes.NewReader(src))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil
		}
		c.docs[name] = v
	}
	out := map[string]*quick{}
	for kind, file := range Files {
		if q, err := c.compileFile(file); err == nil {
			out[kind] = q
		}
	}
	return out
}

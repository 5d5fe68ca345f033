// Package yamldoc reads one record file into a yaml.Node tree and converts it into the plain
// JSON-like value that the schema validator and the rules see. It is the only path from YAML to
// the schema: it refuses what records never need and what would make the two views disagree —
// several documents, duplicate keys, non-string keys, aliases, anchors, merge keys, custom tags —
// and keeps timestamps as the strings they were written as.
package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxDepth bounds the nesting of a record; real records need four or five levels.
const MaxDepth = 64

// Error is a problem at a position in the document. Line 0 means no position is known.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Parse reads src as exactly one YAML document and returns its root content node. An empty
// document gives an error.
func Parse(src []byte) (*yaml.Node, error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := decode(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Line: 1, Column: 1, Msg: "the file is empty"}
		}
		return nil, syntaxError(err, src)
	}
	var extra yaml.Node
	switch err := decode(dec, &extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(err, src)
	default:
		return nil, &Error{Line: extra.Line, Column: extra.Column, Msg: "more than one YAML document; a record file holds exactly one"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Error{Line: 1, Column: 1, Msg: "the file is empty"}
	}
	return doc.Content[0], nil
}

// decode guards against panics inside the YAML library: hostile input must become a finding.
func decode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

// syntaxError turns a yaml.v3 error ("yaml: line 3: mapping values are not allowed…") into an
// Error carrying the line. yaml.v3 leaves the line out when it is the first one, and for
// characters its reader refuses, whose position this finds itself.
func syntaxError(err error, src []byte) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 1, 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, convErr := strconv.Atoi(rest[:i]); convErr == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
				if parserProblems[msg] {
					line++ // yaml.v3 counts the lines of parser errors from 0
				}
			}
		}
	} else if strings.Contains(msg, "control characters are not allowed") {
		line, col = firstControl(src)
	}
	// At the end of a file without a final line break, libyaml counts one line more.
	line = min(line, lineCount(src))
	return &Error{Line: line, Column: col, Msg: "YAML syntax error: " + msg}
}

// parserProblems are the messages of libyaml's parser, as opposed to its scanner: yaml.v3
// adds 1 to the 0-based line of scanner errors only.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// lineCount counts lines as YAML does: CR LF, LF, CR, NEL, LS and PS each end one.
func lineCount(src []byte) int {
	n := 1
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '\n':
			n++
		case src[i] == '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			n++
		case bytes.HasPrefix(src[i:], []byte("\u0085")), bytes.HasPrefix(src[i:], []byte("\u2028")), bytes.HasPrefix(src[i:], []byte("\u2029")):
			n++
		}
	}
	return n
}

// firstControl returns the 1-based line and column (in characters) of the first character
// that YAML does not allow in a document, or 1, 1.
func firstControl(src []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == '\n':
			line, col = line+1, 1
			i += size
			continue
		case r == '\t', r == '\r', r == 0x85, r == 0xfeff:
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == 0xfffe, r == 0xffff, r == utf8.RuneError && size == 1:
			return line, col
		}
		col++
		i += size
	}
	return 1, 1
}

// Value converts a node into string, int64, float64, bool, nil, []any and map[string]any.
// It returns every problem it finds, not only the first, so one pass reports them all.
func Value(n *yaml.Node) (any, []*Error) {
	c := converter{}
	v := c.value(n, 0)
	return v, c.errs
}

type converter struct {
	errs []*Error
}

// firstKeys indexes the first string key of each name in mapping n, once, when it is found
// to hold a duplicate: one scan per duplicate would be quadratic in the keys.
func firstKeys(n *yaml.Node) map[string]*yaml.Node {
	idx := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; stringKey(k) {
			if _, ok := idx[k.Value]; !ok {
				idx[k.Value] = k
			}
		}
	}
	return idx
}

func (c *converter) fail(n *yaml.Node, format string, args ...any) {
	c.errs = append(c.errs, &Error{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

func (c *converter) value(n *yaml.Node, depth int) any {
	if depth > MaxDepth {
		c.fail(n, "nesting deeper than %d levels", MaxDepth)
		return nil
	}
	if n.Anchor != "" {
		c.fail(n, "anchor &%s: records may not use anchors or aliases", n.Anchor)
	}
	switch n.Kind {
	case yaml.AliasNode:
		c.fail(n, "alias *%s: records may not use anchors or aliases", n.Value)
		return nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		var first map[string]*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !stringKey(k) {
				if k.Tag == "!!merge" {
					c.fail(k, "merge key <<: records may not use anchors or aliases")
				} else {
					c.fail(k, "mapping key %q is not a string; quote it", k.Value)
				}
				continue
			}
			if _, dup := m[k.Value]; dup {
				if first == nil {
					first = firstKeys(n)
				}
				c.fail(k, "duplicate key %q (first at line %d)", k.Value, first[k.Value].Line)
				continue
			}
			m[k.Value] = c.value(v, depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			s = append(s, c.value(item, depth+1))
		}
		return s
	case yaml.ScalarNode:
		return c.scalar(n)
	default:
		c.fail(n, "unexpected YAML node")
		return nil
	}
}

func stringKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!str"
}

func (c *converter) scalar(n *yaml.Node) any {
	switch n.Tag {
	case "!!str", "!!timestamp", "!!binary":
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			c.fail(n, "integer %s is out of range", n.Value)
			return nil
		}
		return i
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value // the schema reports it where a number is expected
		}
		return f
	default:
		c.fail(n, "custom tag %s is not allowed in records", n.Tag)
		return n.Value
	}
}

// Locate returns the node at a JSON pointer ("/timeline/2/at") below root, or the deepest
// node on the way when the pointer leads to something that does not exist: a finding about a
// missing field points at the mapping that lacks it.
func Locate(root *yaml.Node, pointer string) *yaml.Node {
	n, _ := walk(root, pointer)
	return n
}

// Find returns the node at a JSON pointer below root, and whether it exists.
func Find(root *yaml.Node, pointer string) (*yaml.Node, bool) {
	return walk(root, pointer)
}

func walk(root *yaml.Node, pointer string) (*yaml.Node, bool) {
	n := root
	if pointer == "" || pointer == "/" {
		return n, true
	}
	rest := strings.TrimPrefix(pointer, "/")
	for more := true; more; {
		var tok string
		tok, rest, more = strings.Cut(rest, "/")
		if strings.Contains(tok, "~") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		}
		next := child(n, tok)
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

func child(n *yaml.Node, tok string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// Key returns the key node of field name in mapping n, or nil.
func Key(n *yaml.Node, name string) *yaml.Node {
	return KeyIndex(n, 1)(name)
}

// KeyIndex returns a lookup of mapping n's keys by name (nil for a missing key or when n is not
// a mapping), for finding many keys of one mapping: past a few lookups it indexes the keys
// once, so that finding every key of a mapping of 100,000 keys takes linear time, not
// quadratic. The first of duplicate keys wins, as with Key.
func KeyIndex(n *yaml.Node, lookups int) func(name string) *yaml.Node {
	if lookups > 4 && n != nil && n.Kind == yaml.MappingNode {
		idx := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if _, ok := idx[k.Value]; !ok {
				idx[k.Value] = k
			}
		}
		return func(name string) *yaml.Node { return idx[name] }
	}
	return func(name string) *yaml.Node { return scanKey(n, name) }
}

func scanKey(n *yaml.Node, name string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return nil
}

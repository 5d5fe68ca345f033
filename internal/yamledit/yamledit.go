// Package yamledit edits one YAML mapping document in place, changing only the bytes an edit
// is about: comments, key order, quoting, indentation and every untouched line stay exactly as
// they were, so that `gitsm set` and `gitsm transition` produce small, reviewable diffs.
//
// yaml.v3 re-encoding loses formatting, so every edit here is a text splice placed with the
// positions yaml.v3 reports for keys and values; the end of a value's text (a quoted scalar, a
// block scalar, a multi-line plain scalar, a flow or block collection) is found by scanning the
// source from that position.
//
//	doc, err := yamledit.Parse(src)
//	err = doc.SetAfter([]string{"resolved_at"}, "2026-03-02T11:00:00Z", "acknowledged_at")
//	err = doc.Append([]string{"timeline"}, []yamledit.KV{{Key: "at", Value: "2026-03-02T11:00:00Z"}, {Key: "state", Value: "resolved"}})
//	out := doc.Bytes()
//
// What an edit writes:
//   - Replacing a value rewrites only the value's text; comments inside the old value go with
//     it. A comment on the key line is kept; so is the old quoting style when the new value
//     allows it (single quotes stay single, double stay double, a block scalar stays a literal
//     block, a flow list stays flow, a block list stays block with its indentation). Setting a
//     value that already reads as the new one changes nothing.
//   - Plain scalars are written plain only when every YAML reader takes them for the same
//     string; otherwise they are double-quoted: YAML 1.1 booleans such as `no` and `on`,
//     numbers, dates, `null`, `~`, leading indicators, `: ` and ` #`, leading or trailing
//     spaces, control characters. RFC 3339 date-times (2026-03-02T10:14:00Z) are written plain,
//     as the records write them (gitsm reads `!!timestamp` as a string); a date alone is quoted
//     unless it replaces a plain date. Multi-line strings become literal blocks (`|`, `|-`,
//     `|+`) indented under their key when that is exact and no more indented comment follows,
//     double-quoted strings with escapes otherwise.
//   - A new key becomes a new line `key: value` at the mapping's indentation, after the last
//     entry of the mapping and the comment lines indented under it, or after a named sibling
//     (SetAfter); comment lines above the next key stay with that key. Missing intermediate
//     mappings are created in block style; a null intermediate is replaced by a mapping. In a
//     flow mapping the new entry is added inside the braces.
//   - Delete removes the key's lines, its value and the comment lines indented under it; the
//     comments above it stay.
//   - Append adds a mapping to a list in the layout of its elements: the dash in their column
//     (under the key or indented), the keys aligned with theirs.
//   - New block collections use the indentation the document already uses (the nesting step of
//     its mappings, and where its lists put their dash), 2 spaces by default. New lists of
//     scalars are written in flow style ([a, b]) when they fit in 80 columns.
//   - CRLF documents stay CRLF, a UTF-8 byte order mark is kept, a missing final newline stays
//     missing, and no tab is ever written.
//
// Every edit is verified before it is kept: the new text is parsed again and its whole content
// must equal the old content with exactly the intended change. Otherwise the edit returns an
// error wrapping ErrVerify and the Doc is unchanged, so a Doc never holds a broken document.
//
// Parse refuses what it cannot edit safely: several documents, a top level that is not a
// mapping, anchors and aliases, merge keys, explicit ("? key"), non-scalar and duplicate keys,
// UTF-16 input.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

var (
	// ErrSyntax is wrapped by Parse errors for input that is not well-formed YAML.
	ErrSyntax = errors.New("invalid YAML")
	// ErrUnsupported is wrapped by errors for YAML that yamledit does not edit (several
	// documents, a non-mapping top level, anchors, aliases, merge keys, complex or duplicate
	// keys) and for layouts where it cannot place an edit safely.
	ErrUnsupported = errors.New("unsupported YAML")
	// ErrNotFound is wrapped when a key path does not exist.
	ErrNotFound = errors.New("key not found")
	// ErrType is wrapped when an existing value has the wrong kind for the edit: a path goes
	// through a value that is not a mapping, or Append targets a value that is not a list.
	ErrType = errors.New("value has the wrong type")
	// ErrValue is wrapped when the Go value to write is not supported (its type, invalid UTF-8,
	// duplicate keys in a []KV).
	ErrValue = errors.New("unsupported value")
	// ErrVerify is wrapped when an edited document would not read back as intended; the Doc is
	// left unchanged.
	ErrVerify = errors.New("edit does not read back as intended")
)

// errInternal marks a recovered panic, so that the fuzz test can tell one from a refusal.
var errInternal = errors.New("yamledit internal error")

var bom = []byte("\ufeff")

// KV is one key and its value in an ordered mapping, as written by Append and Set. Value is
// any value Set accepts.
type KV struct {
	Key   string
	Value any
}

// Doc is one YAML document whose top level is a mapping, with its source bytes. It is not safe
// for concurrent use.
type Doc struct {
	bom  bool
	nl   string // line ending for new lines: the document's first one, "\n" by default
	t    *text
	root *yaml.Node // the top-level mapping; nil when the document is empty

	step      int // indentation of a nested mapping relative to its key
	seqIndent int // indentation of a block list's "-" relative to its key

	noLiteral bool // write multi-line strings double-quoted (set while retrying an edit)
}

// Parse reads src, which must hold at most one YAML document whose top level is a mapping (an
// empty document or one with only comments counts as an empty mapping). A UTF-8 byte order
// mark is accepted and kept by Bytes.
func Parse(src []byte) (*Doc, error) {
	hasBOM := bytes.HasPrefix(src, bom)
	if hasBOM {
		src = src[len(bom):]
	}
	if bytes.HasPrefix(src, bom) {
		// The YAML parser would take a second mark for the first and drop it, so an edit
		// written after it would read back as a different key.
		return nil, fmt.Errorf("%w: two byte order marks at the start", ErrUnsupported)
	}
	d, err := parse(bytes.Clone(src))
	if err != nil {
		return nil, err
	}
	d.bom = hasBOM
	d.detectStyle(d.root)
	return d, nil
}

// parse reads src (without a byte order mark) and takes ownership of it.
func parse(src []byte) (d *Doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("%w: parser failure: %v", ErrSyntax, r)
		}
	}()
	if len(src) >= 2 && (src[0] == 0xfe && src[1] == 0xff || src[0] == 0xff && src[1] == 0xfe) {
		return nil, fmt.Errorf("%w: UTF-16 input", ErrUnsupported)
	}
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrSyntax)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	default:
		var next yaml.Node
		switch err := dec.Decode(&next); {
		case errors.Is(err, io.EOF):
		case err != nil:
			return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
		default:
			return nil, fmt.Errorf("%w: more than one document", ErrUnsupported)
		}
	}
	d = &Doc{nl: lineEnding(src), t: newText(src), step: 2, seqIndent: 2}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		r := doc.Content[0]
		switch {
		case r.Kind == yaml.MappingNode:
			d.root = r
		case r.Kind == yaml.ScalarNode && r.Tag == "!!null" && r.Value == "" && r.Style == 0:
			// "---" alone: an empty document.
		default:
			return nil, fmt.Errorf("%w: line %d: the top level is not a mapping", ErrUnsupported, r.Line)
		}
	}
	if err := check(d.root); err != nil {
		return nil, err
	}
	if err := d.checkKeys(d.root); err != nil {
		return nil, err
	}
	return d, nil
}

// checkKeys refuses explicit keys ("? key"), whose ':' may be anywhere.
func (d *Doc) checkKeys(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			off, err := d.t.offset(c)
			if err != nil {
				return err
			}
			p := off
			for p > d.t.start[d.t.lineOf(off)] && isWS(d.t.src[p-1]) {
				p--
			}
			if p > 0 && d.t.src[p-1] == '?' {
				return fmt.Errorf("%w: line %d: explicit keys (?) are not supported", ErrUnsupported, c.Line)
			}
		}
		if err := d.checkKeys(c); err != nil {
			return err
		}
	}
	return nil
}

// check refuses the constructs whose meaning depends on more than the text at a node.
func check(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	if n.Anchor != "" {
		return fmt.Errorf("%w: line %d: anchors are not supported", ErrUnsupported, n.Line)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return fmt.Errorf("%w: line %d: aliases are not supported", ErrUnsupported, n.Line)
	case yaml.MappingNode:
		if len(n.Content)%2 != 0 {
			return fmt.Errorf("%w: line %d: malformed mapping", ErrUnsupported, n.Line)
		}
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("%w: line %d: keys must be scalars", ErrUnsupported, k.Line)
			}
			if k.Tag == "!!merge" {
				return fmt.Errorf("%w: line %d: merge keys are not supported", ErrUnsupported, k.Line)
			}
			if seen[k.Value] {
				return fmt.Errorf("%w: line %d: duplicate key %q", ErrUnsupported, k.Line, k.Value)
			}
			seen[k.Value] = true
			if err := check(k); err != nil {
				return err
			}
			if err := check(n.Content[i+1]); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if err := check(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// detectStyle records how the document indents nested mappings and block lists, so that new
// ones look like the existing ones.
func (d *Doc) detectStyle(root *yaml.Node) {
	step, seq := -1, -1
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || (step >= 0 && seq >= 0) {
			return
		}
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				block := v.Style&yaml.FlowStyle == 0 && v.Line > k.Line
				if step < 0 && block && v.Kind == yaml.MappingNode && v.Column > k.Column && v.Column-k.Column <= 8 {
					step = v.Column - k.Column
				}
				if seq < 0 && block && v.Kind == yaml.SequenceNode && v.Column >= k.Column && v.Column-k.Column <= 8 {
					seq = v.Column - k.Column
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	if step > 0 {
		d.step = step
	}
	d.seqIndent = d.step
	if seq >= 0 {
		d.seqIndent = seq
	}
}

// lineEnding returns the document's first line break, or "\n" when it has none or when it is
// one of the Unicode line separators.
func lineEnding(src []byte) string {
	for i := range src {
		switch breakLen(src, i) {
		case 0:
		case 1:
			return string(src[i])
		case 2:
			if src[i] == '\r' {
				return "\r\n"
			}
			return "\n"
		default:
			return "\n"
		}
	}
	return "\n"
}

// Bytes returns the document's current text, with its byte order mark if it had one.
func (d *Doc) Bytes() []byte {
	out := make([]byte, 0, len(bom)+len(d.t.src))
	if d.bom {
		out = append(out, bom...)
	}
	return append(out, d.t.src...)
}

// Get returns the value node at a key path of nested mappings; with no path it returns the
// top-level mapping. The node belongs to the Doc and is replaced by the next edit.
func (d *Doc) Get(path ...string) (*yaml.Node, bool) {
	n := d.root
	if n == nil {
		return nil, false
	}
	for _, k := range path {
		if n.Kind != yaml.MappingNode {
			return nil, false
		}
		i := keyIndex(n, k)
		if i < 0 {
			return nil, false
		}
		n = n.Content[i+1]
	}
	return n, true
}

// keyIndex returns the index in m.Content of the key k, or -1.
func keyIndex(m *yaml.Node, k string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == k {
			return i
		}
	}
	return -1
}

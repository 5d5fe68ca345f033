package yamledit

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// entry is one key/value pair of a mapping with the offsets of its text.
type entry struct {
	key, val *yaml.Node
	flow     bool // the mapping is a flow mapping
	keyOff   int
	colonEnd int // just past the ':' after the key
	valOff   int // where the value's text starts (colonEnd for an empty value)
	valEnd   int // just past the value's text
}

func (d *Doc) entry(m *yaml.Node, i int) (entry, error) {
	t := d.t
	e := entry{key: m.Content[i], val: m.Content[i+1], flow: m.Style&yaml.FlowStyle != 0}
	var err error
	if e.keyOff, err = t.offset(e.key); err != nil {
		return entry{}, err
	}
	keyEnd, err := t.scalarEnd(e.key, e.keyOff, len(t.src), e.flow)
	if err != nil {
		return entry{}, err
	}
	p := keyEnd
	for p < t.lineEnd(keyEnd) && isWS(t.src[p]) {
		p++
	}
	if p >= len(t.src) || t.src[p] != ':' {
		return entry{}, fmt.Errorf("%w: line %d: no ':' after key %q", ErrUnsupported, e.key.Line, e.key.Value)
	}
	e.colonEnd = p + 1
	if isEmpty(e.val) {
		e.valOff, e.valEnd = e.colonEnd, e.colonEnd
		return e, nil
	}
	if e.valOff, err = t.offset(e.val); err != nil {
		return entry{}, err
	}
	if e.valEnd, err = t.nodeEnd(e.val, e.valOff, m.Column-1, e.flow); err != nil {
		return entry{}, err
	}
	if e.valOff < e.colonEnd || e.valEnd < e.valOff {
		return entry{}, fmt.Errorf("%w: line %d: cannot place the value of %q", ErrUnsupported, e.key.Line, e.key.Value)
	}
	return e, nil
}

// isEmpty reports whether n is a null written as nothing at all ("key:").
func isEmpty(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style == 0 && n.Value == "" && n.Tag == "!!null"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// guard turns a panic into an error, so that no input can crash the caller.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", errInternal, r)
	}
}

// Set sets the value at a key path of nested mappings, such as []string{"resolution", "code"}.
// v is a string, bool, int (any size), uint (any size), float64, nil, []string or []KV (an
// ordered mapping). An existing value is replaced in place (one that already reads as v is left
// untouched); a missing key is added at the end of its mapping; missing or null intermediate
// mappings are created.
func (d *Doc) Set(path []string, v any) error {
	return d.SetAfter(path, v)
}

// SetAfter is Set, except that a key that has to be added goes right after the first of the
// keys in after that its mapping holds (at the end if none). When intermediate mappings are
// created, after applies to the first of them, the outermost key added.
func (d *Doc) SetAfter(path []string, v any, after ...string) (err error) {
	defer guard(&err)
	if len(path) == 0 {
		return fmt.Errorf("%w: empty path", ErrNotFound)
	}
	val, err := toValue(v)
	if err != nil {
		return err
	}
	if n, ok := d.Get(path...); ok && reflect.DeepEqual(canon(n), val.canon()) {
		return nil
	}
	want, err := withSet(canon(d.root), path, val.canon(), after)
	if err != nil {
		return err
	}
	return d.retryQuoted(func() error {
		e, err := d.planSet(path, val, after, false)
		if err != nil {
			return err
		}
		return d.commit(e, want)
	})
}

// retryQuoted runs try, and once more without literal block scalars if the first result did not
// read back as intended: a literal block takes in the more indented comment lines that follow
// it, and keeps a Unicode line separator after it as content.
func (d *Doc) retryQuoted(try func() error) error {
	err := try()
	if errors.Is(err, ErrVerify) {
		d.noLiteral = true
		defer func() { d.noLiteral = false }()
		err = try()
	}
	return err
}

// planSet finds the edit that sets path to v; forceBlock makes a new list a block list.
func (d *Doc) planSet(path []string, v value, after []string, forceBlock bool) (edit, error) {
	m := d.root
	if m == nil {
		return d.insertKey(nil, path[0], nest(path[1:], v), nil)
	}
	for i, k := range path {
		idx := keyIndex(m, k)
		if idx < 0 {
			return d.insertKey(m, k, nest(path[i+1:], v), after)
		}
		e, err := d.entry(m, idx)
		if err != nil {
			return edit{}, err
		}
		switch {
		case i == len(path)-1:
			return d.replace(e, v, forceBlock)
		case e.val.Kind == yaml.MappingNode:
			m = e.val
		case isNull(e.val):
			return d.replace(e, nest(path[i+1:], v), forceBlock)
		default:
			return edit{}, fmt.Errorf("%w: %s is not a mapping", ErrType, strings.Join(path[:i+1], "."))
		}
	}
	return edit{}, fmt.Errorf("%w: no edit planned", errInternal)
}

// replace rewrites the value of entry e with v.
func (d *Doc) replace(e entry, v value, forceBlock bool) (edit, error) {
	t := d.t
	if e.flow {
		s, err := d.flow(v, e.val)
		if err != nil {
			return edit{}, err
		}
		if e.valOff == e.valEnd {
			s = " " + s
		}
		return edit{e.valOff, e.valEnd, s}, nil
	}
	col := e.key.Column - 1
	width := col + (e.colonEnd - e.keyOff) + 1
	r, err := d.blockValue(v, col, width, e.val, forceBlock)
	if err != nil {
		return edit{}, err
	}
	onKeyLine := t.lineOf(e.valOff) == t.lineOf(e.colonEnd)
	// The comment on the key line stays there: after the colon when the old value starts on a
	// later line, after the header of an old block scalar, or after an old inline value (which
	// only needs moving when the new value is a block).
	var c string
	switch {
	case !onKeyLine:
		c, err = d.lineComment(e.colonEnd, t.lineEnd(e.colonEnd))
	case isBlockScalar(e.val):
		h := t.skipTag(e.valOff) + 1
		for h < len(t.src) && strings.IndexByte("+-123456789", t.src[h]) >= 0 {
			h++
		}
		c, err = d.lineComment(h, t.lineEnd(h))
	}
	if err != nil {
		return edit{}, err
	}
	if !r.block {
		switch {
		case e.valOff == e.valEnd:
			return edit{e.colonEnd, e.colonEnd, " " + r.inline}, nil
		case onKeyLine:
			return edit{e.valOff, e.valEnd, r.inline + c}, nil
		}
		return edit{e.colonEnd, e.valEnd, " " + r.inline + c}, nil
	}
	head := ""
	if r.header != "" {
		head = " " + r.header
	}
	end := e.valEnd
	if onKeyLine {
		end = t.lineEnd(e.valEnd)
		if !isBlockScalar(e.val) {
			if c, err = d.lineComment(e.valEnd, end); err != nil {
				return edit{}, err
			}
		}
	}
	s := head + c + d.nl + strings.Join(r.lines, d.nl)
	if r.brk && end == len(t.src) {
		s += d.nl
	}
	return edit{e.colonEnd, end, s}, nil
}

func isBlockScalar(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
}

// lineComment returns the comment in src[from:to] with a space before it, or "" when there is
// only white space; anything else is an error.
func (d *Doc) lineComment(from, to int) (string, error) {
	s := strings.TrimLeft(string(d.t.src[from:to]), " \t")
	switch {
	case s == "":
		return "", nil
	case s[0] == '#':
		return " " + s, nil
	}
	return "", fmt.Errorf("%w: line %d: unexpected text %q", ErrUnsupported, d.t.lineOf(from)+1, s)
}

// insertKey adds key k with value v to mapping m (nil for an empty document).
func (d *Doc) insertKey(m *yaml.Node, k string, v value, after []string) (edit, error) {
	if m == nil {
		lines, brk, err := d.entryLines(k, v, 0)
		if err != nil {
			return edit{}, err
		}
		return d.insertLines(len(d.t.src), lines, brk), nil
	}
	ref := -1
	for _, a := range after {
		if i := keyIndex(m, a); i >= 0 {
			ref = i
			break
		}
	}
	if m.Style&yaml.FlowStyle != 0 {
		s, err := d.flow(v, nil)
		if err != nil {
			return edit{}, err
		}
		s = keyText(k, true) + ": " + s
		if ref < 0 {
			return d.flowAppend(m, s)
		}
		e, err := d.entry(m, ref)
		if err != nil {
			return edit{}, err
		}
		return edit{e.valEnd, e.valEnd, ", " + s}, nil
	}
	if ref < 0 {
		ref = len(m.Content) - 2
	}
	e, err := d.entry(m, ref)
	if err != nil {
		return edit{}, err
	}
	col := m.Column - 1
	lines, brk, err := d.entryLines(k, v, col)
	if err != nil {
		return edit{}, err
	}
	l := d.t.ownComments(d.t.lineOf(e.valEnd), col)
	return d.insertLines(d.t.next(l), lines, brk), nil
}

// insertLines inserts whole lines at offset at, the start of a line or the end of a text that
// has no final line break (which stays without one unless the new text needs it).
func (d *Doc) insertLines(at int, lines []string, brk bool) edit {
	s := strings.Join(lines, d.nl)
	if d.t.atLineStart(at) {
		s += d.nl
	} else {
		s = d.nl + s
		if brk {
			s += d.nl
		}
	}
	return edit{at, at, s}
}

// flowAppend adds item as the last element of flow collection n.
func (d *Doc) flowAppend(n *yaml.Node, item string) (edit, error) {
	t := d.t
	off, err := t.offset(n)
	if err != nil {
		return edit{}, err
	}
	end, err := t.flowEnd(t.skipTag(off))
	if err != nil {
		return edit{}, err
	}
	p := end - 1
	for p > off && strings.ContainsRune(" \t\r\n", rune(t.src[p-1])) {
		p--
	}
	switch t.src[p-1] {
	case '[', '{':
	case ',':
		item = " " + item
	default:
		item = ", " + item
	}
	return edit{p, p, item}, nil
}

// Delete removes the key at a key path of nested mappings with its value, and the comment lines
// indented under it; comments above the key stay. Deleting the last key of a nested mapping
// leaves an empty mapping ({}).
func (d *Doc) Delete(path ...string) (err error) {
	defer guard(&err)
	if len(path) == 0 {
		return fmt.Errorf("%w: empty path", ErrNotFound)
	}
	m, _ := d.Get(path[:len(path)-1]...)
	idx := keyIndex(m, path[len(path)-1])
	if idx < 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, strings.Join(path, "."))
	}
	want, err := withDelete(canon(d.root), path)
	if err != nil {
		return err
	}
	e, err := d.entry(m, idx)
	if err != nil {
		return err
	}
	t := d.t
	n := len(m.Content) / 2
	switch {
	case e.flow && n == 1:
		return d.commit(edit{e.keyOff, e.valEnd, ""}, want)
	case e.flow && idx+2 < len(m.Content):
		next, err := t.offset(m.Content[idx+2])
		if err != nil {
			return err
		}
		return d.commit(edit{e.keyOff, next, ""}, want)
	case e.flow:
		prev, err := d.entry(m, idx-2)
		if err != nil {
			return err
		}
		return d.commit(edit{prev.valEnd, e.valEnd, ""}, want)
	case n == 1 && m != d.root:
		pm, _ := d.Get(path[:len(path)-2]...)
		pe, err := d.entry(pm, keyIndex(pm, path[len(path)-2]))
		if err != nil {
			return err
		}
		ed, err := d.replace(pe, value{kind: mapKind}, false)
		if err != nil {
			return err
		}
		return d.commit(ed, want)
	}
	first := t.lineOf(e.keyOff)
	if strings.TrimLeft(string(t.src[t.start[first]:e.keyOff]), " ") != "" {
		return fmt.Errorf("%w: line %d: key %q does not start its line", ErrUnsupported, first+1, e.key.Value)
	}
	last := t.ownComments(t.lineOf(e.valEnd), e.key.Column-1)
	start, end := t.start[first], t.next(last)
	if end == len(t.src) && !t.atLineStart(end) && first > 0 {
		// Keep the text without a final line break.
		start = t.end[first-1]
	}
	return d.commit(edit{start, end, ""}, want)
}

// Append adds item, a mapping, as the last element of the list at path, in the layout of the
// existing elements (its dash at their column, its keys aligned with theirs), after the comment
// lines indented under the last element; comment lines at the dash's column or less stay after
// the new element. A missing, null or empty ([]) list is written as a new block list.
func (d *Doc) Append(path []string, item []KV) (err error) {
	defer guard(&err)
	if len(path) == 0 {
		return fmt.Errorf("%w: empty path", ErrNotFound)
	}
	val, err := toValue(item)
	if err != nil {
		return err
	}
	want, err := withAppend(canon(d.root), path, val.canon())
	if err != nil {
		return err
	}
	return d.retryQuoted(func() error { return d.appendItem(path, val, want) })
}

func (d *Doc) appendItem(path []string, val value, want any) error {
	seq := value{kind: seqKind, items: []value{val}}
	n, ok := d.Get(path...)
	if !ok || isNull(n) || n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		e, err := d.planSet(path, seq, nil, true)
		if err != nil {
			return err
		}
		return d.commit(e, want)
	}
	if n.Kind != yaml.SequenceNode {
		return fmt.Errorf("%w: %s is not a list", ErrType, strings.Join(path, "."))
	}
	if n.Style&yaml.FlowStyle != 0 {
		s, err := d.flow(val, nil)
		if err != nil {
			return err
		}
		e, err := d.flowAppend(n, s)
		if err != nil {
			return err
		}
		return d.commit(e, want)
	}
	t := d.t
	dash := n.Column - 1
	first, last := n.Content[0], n.Content[len(n.Content)-1]
	off := 2
	if first.Line == n.Line && first.Column-n.Column > 2 {
		off = first.Column - n.Column
	}
	lo, err := t.offset(last)
	if err != nil {
		return err
	}
	end, err := t.nodeEnd(last, lo, dash, false)
	if err != nil {
		return err
	}
	lines, brk, err := d.seqLines(seq.items, dash, off)
	if err != nil {
		return err
	}
	l := t.ownComments(t.lineOf(end), dash)
	return d.commit(d.insertLines(t.next(l), lines, brk), want)
}

// commit applies e if the result parses and reads back as want; otherwise d is unchanged.
func (d *Doc) commit(e edit, want any) error {
	src := d.t.src
	if e.start < 0 || e.end > len(src) || e.start > e.end {
		return fmt.Errorf("%w: edit outside the text", errInternal)
	}
	out := make([]byte, 0, len(src)-(e.end-e.start)+len(e.text))
	out = append(out, src[:e.start]...)
	out = append(out, e.text...)
	out = append(out, src[e.end:]...)
	nd, err := parse(out)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrVerify, err)
	}
	if got := canon(nd.root); !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%w: the edited document holds different values", ErrVerify)
	}
	d.t, d.root = nd.t, nd.root
	return nil
}

package yamledit

import (
	"fmt"
	"sort"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// text is a document's source with a table of its lines, split at the same line breaks as
// yaml.v3 (CRLF, LF, CR, NEL, LS, PS), so that its line numbers match the parser's.
type text struct {
	src   []byte
	start []int // offset where each line starts
	end   []int // offset where each line's content ends, before its line break
	n     int   // number of lines, not counting the empty one after a final line break

	// runes maps a line that is not pure ASCII to the offsets of its runes, built when first
	// needed: positions are counted in runes, and a long line may hold many nodes.
	runes map[int][]int
}

func newText(src []byte) *text {
	t := &text{src: src, start: []int{0}}
	for i := 0; i < len(src); {
		w := breakLen(src, i)
		if w == 0 {
			i++
			continue
		}
		t.end = append(t.end, i)
		i += w
		t.start = append(t.start, i)
	}
	t.end = append(t.end, len(src))
	t.n = len(t.start)
	if t.n > 1 && t.start[t.n-1] == len(src) {
		t.n--
	}
	return t
}

// breakLen returns the length of the line break at src[i], or 0.
func breakLen(src []byte, i int) int {
	switch c := src[i]; {
	case c == '\r' && i+1 < len(src) && src[i+1] == '\n':
		return 2
	case c == '\n' || c == '\r':
		return 1
	case c == 0xc2 && i+1 < len(src) && src[i+1] == 0x85:
		return 2
	case c == 0xe2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xa8 || src[i+2] == 0xa9):
		return 3
	}
	return 0
}

// lineOf returns the line holding offset off.
func (t *text) lineOf(off int) int {
	return sort.Search(len(t.start), func(i int) bool { return t.start[i] > off }) - 1
}

// lineEnd returns the end of the content of the line holding off.
func (t *text) lineEnd(off int) int { return t.end[t.lineOf(off)] }

// next returns the offset where the line after l starts (the end of the text for the last).
func (t *text) next(l int) int {
	if l+1 < len(t.start) {
		return t.start[l+1]
	}
	return len(t.src)
}

// atLineStart reports whether off is the start of a line (so text inserted there needs no
// line break before it).
func (t *text) atLineStart(off int) bool { return t.start[t.lineOf(off)] == off }

// offset converts a yaml.v3 position (1-based line, 1-based column counted in runes) to a byte
// offset.
func (t *text) offset(n *yaml.Node) (int, error) {
	l := n.Line - 1
	if l < 0 || l >= len(t.start) || n.Column < 1 {
		return 0, fmt.Errorf("%w: node position %d:%d outside the text", ErrUnsupported, n.Line, n.Column)
	}
	offs, ok := t.runes[l]
	if !ok {
		offs = t.runeOffsets(l)
	}
	c := n.Column - 1
	switch {
	case offs != nil && c < len(offs):
		return offs[c], nil
	case offs != nil && c == len(offs):
		return t.end[l], nil
	case offs == nil && c <= t.end[l]-t.start[l]:
		return t.start[l] + c, nil
	}
	return 0, fmt.Errorf("%w: node position %d:%d outside the text", ErrUnsupported, n.Line, n.Column)
}

// runeOffsets returns the offsets of the runes of line l, or nil when the line is pure ASCII.
func (t *text) runeOffsets(l int) []int {
	if t.runes == nil {
		t.runes = map[int][]int{}
	}
	ascii := true
	for i := t.start[l]; i < t.end[l] && ascii; i++ {
		ascii = t.src[i] < utf8.RuneSelf
	}
	if ascii {
		t.runes[l] = nil
		return nil
	}
	var offs []int
	for p := t.start[l]; p < t.end[l]; {
		offs = append(offs, p)
		_, w := utf8.DecodeRune(t.src[p:t.end[l]])
		p += w
	}
	t.runes[l] = offs
	return offs
}

// indent returns the number of spaces that start line l.
func (t *text) indent(l int) int {
	i := t.start[l]
	for i < t.end[l] && t.src[i] == ' ' {
		i++
	}
	return i - t.start[l]
}

// blank reports whether line l holds nothing but spaces.
func (t *text) blank(l int) bool { return t.indent(l) == t.end[l]-t.start[l] }

// comment reports whether line l holds only a comment.
func (t *text) comment(l int) bool {
	i := t.start[l]
	for i < t.end[l] && isWS(t.src[i]) {
		i++
	}
	return i < t.end[l] && t.src[i] == '#'
}

// ownComments extends line l over the comment lines right after it that are indented more than
// col: they belong to the value that ends on line l.
func (t *text) ownComments(l, col int) int {
	for l+1 < t.n && t.comment(l+1) && t.indent(l+1) > col {
		l++
	}
	return l
}

func isWS(c byte) bool { return c == ' ' || c == '\t' }

func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// skipTag moves past a tag such as "!!str " at off.
func (t *text) skipTag(off int) int {
	if off >= len(t.src) || t.src[off] != '!' {
		return off
	}
	e := t.lineEnd(off)
	for off < e && !isWS(t.src[off]) {
		off++
	}
	for off < e && isWS(t.src[off]) {
		off++
	}
	return off
}

// nodeEnd returns the offset just past the text of node n, which starts at off. parentIndent is
// the column of the block collection holding n (its keys' or its dashes' column); flow tells
// whether n is inside a flow collection.
func (t *text) nodeEnd(n *yaml.Node, off, parentIndent int, flow bool) (int, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return t.scalarEnd(n, off, parentIndent, flow)
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 {
			return t.flowEnd(t.skipTag(off))
		}
		if len(n.Content) == 0 {
			return 0, fmt.Errorf("%w: line %d: empty block collection", ErrUnsupported, n.Line)
		}
		last := n.Content[len(n.Content)-1]
		lo, err := t.offset(last)
		if err != nil {
			return 0, err
		}
		return t.nodeEnd(last, lo, n.Column-1, false)
	}
	return 0, fmt.Errorf("%w: line %d: unexpected node", ErrUnsupported, n.Line)
}

// scalarEnd returns the offset just past the text of scalar n, which starts at off.
func (t *text) scalarEnd(n *yaml.Node, off, parentIndent int, flow bool) (int, error) {
	p := t.skipTag(off)
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return t.doubleEnd(p)
	case n.Style&yaml.SingleQuotedStyle != 0:
		return t.singleEnd(p)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return t.blockScalarEnd(p, parentIndent)
	case n.Value == "":
		return p, nil
	}
	return t.plainEnd(p, parentIndent, flow), nil
}

func (t *text) doubleEnd(p int) (int, error) {
	if p >= len(t.src) || t.src[p] != '"' {
		return 0, fmt.Errorf("%w: expected '\"' at offset %d", ErrUnsupported, p)
	}
	for i := p + 1; i < len(t.src); i++ {
		switch t.src[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("%w: unterminated double-quoted string", ErrUnsupported)
}

func (t *text) singleEnd(p int) (int, error) {
	if p >= len(t.src) || t.src[p] != '\'' {
		return 0, fmt.Errorf("%w: expected \"'\" at offset %d", ErrUnsupported, p)
	}
	for i := p + 1; i < len(t.src); i++ {
		if t.src[i] == '\'' {
			if i+1 < len(t.src) && t.src[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("%w: unterminated single-quoted string", ErrUnsupported)
}

// blockScalarEnd returns the end of a literal or folded scalar whose indicator is at p: the end
// of its last content line, or of its last line for keep chomping ("|+"), whose trailing empty
// lines belong to the value.
func (t *text) blockScalarEnd(p, parentIndent int) (int, error) {
	if p >= len(t.src) || (t.src[p] != '|' && t.src[p] != '>') {
		return 0, fmt.Errorf("%w: expected a block scalar at offset %d", ErrUnsupported, p)
	}
	line := t.lineOf(p)
	i := p + 1
	keep, explicit := false, 0
	for i < t.end[line] {
		c := t.src[i]
		switch {
		case c == '+':
			keep = true
		case c == '-':
		case c >= '1' && c <= '9':
			explicit = int(c - '0')
		default:
			goto header
		}
		i++
	}
header:
	contentIndent := -1
	if explicit > 0 {
		contentIndent = max(parentIndent, 0) + explicit
	}
	last, lastAny := -1, -1
	for l := line + 1; l < t.n; l++ {
		if t.blank(l) {
			lastAny = l
			continue
		}
		ind := t.indent(l)
		if contentIndent < 0 {
			if ind <= parentIndent {
				break
			}
			contentIndent = ind
		}
		if ind < contentIndent {
			break
		}
		last, lastAny = l, l
	}
	switch {
	case keep && lastAny >= 0:
		return t.end[lastAny], nil
	case last >= 0:
		return t.end[last], nil
	}
	return i, nil
}

// plainEnd returns the end of a plain scalar starting at p, following continuation lines.
func (t *text) plainEnd(p, parentIndent int, flow bool) int {
	line := t.lineOf(p)
	end, stopped := t.plainLine(p, t.end[line], flow)
	if stopped {
		return end
	}
	for l := line + 1; l < t.n; l++ {
		if t.blank(l) {
			continue
		}
		ind := t.indent(l)
		s := t.start[l] + ind
		if !flow && ind <= parentIndent || t.src[s] == '#' || t.src[s] == '\t' {
			break
		}
		e, stop := t.plainLine(s, t.end[l], flow)
		if e > s {
			end = e
		}
		if stop {
			break
		}
	}
	return end
}

// plainLine scans the part of a plain scalar on one line, from p to the line end e. It returns
// the end of the scalar's text and whether something other than the line end stopped it.
func (t *text) plainLine(p, e int, flow bool) (int, bool) {
	trim := func(i int) int {
		for i > p && isWS(t.src[i-1]) {
			i--
		}
		return i
	}
	for i := p; i < e; i++ {
		c := t.src[i]
		switch {
		case c == '#' && i > p && isWS(t.src[i-1]):
			return trim(i), true
		case c == ':' && (i+1 >= e || isWS(t.src[i+1]) || flow && isFlowIndicator(t.src[i+1])):
			return trim(i), true
		case flow && isFlowIndicator(c):
			return trim(i), true
		}
	}
	return trim(e), false
}

// flowEnd returns the offset just past the flow collection whose opening bracket is at p.
func (t *text) flowEnd(p int) (int, error) {
	if p >= len(t.src) || (t.src[p] != '[' && t.src[p] != '{') {
		return 0, fmt.Errorf("%w: expected a flow collection at offset %d", ErrUnsupported, p)
	}
	depth := 0
	var last byte // the last significant character, to tell a quote that opens a scalar
	for i := p; i < len(t.src); {
		c := t.src[i]
		switch {
		case c == '#' && (i == p || isWS(t.src[i-1]) || t.atLineStart(i)):
			i = t.lineEnd(i)
			continue
		case (c == '"' || c == '\'') && (last == '[' || last == '{' || last == ',' || last == ':' || last == '?'):
			var e int
			var err error
			if c == '"' {
				e, err = t.doubleEnd(i)
			} else {
				e, err = t.singleEnd(i)
			}
			if err != nil {
				return 0, err
			}
			i, last = e, c
			continue
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		}
		if !isWS(c) && c != '\n' && c != '\r' {
			last = c
		}
		i++
	}
	return 0, fmt.Errorf("%w: unterminated flow collection", ErrUnsupported)
}

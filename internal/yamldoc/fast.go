package yamldoc

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fastParse reads the plain block-style YAML that records are written in — a mapping of keys
// to plain, quoted, literal or folded scalars, nested block mappings and sequences, one-line
// flow lists and maps, comments — about ten times faster than yaml.v3, which spends most of
// validate's time otherwise. It builds the same nodes yaml.v3 would (kind, tag, style, value,
// line, column), without comments, which no reader of records uses. On anything else — tabs,
// CR line ends, document markers, anchors, tags, escapes it does not know, multi-line plain or
// quoted scalars, a line whose indentation is not what it expects — it returns nil and Parse
// leaves the file to yaml.v3, which also reports the errors. It never reports an error itself.
// FuzzFastParse holds it to giving yaml.v3's tree whenever it answers.
func fastParse(src []byte) *yaml.Node {
	if !plainText(src) {
		return nil
	}
	p := &fastParser{src: string(src)}
	p.split()
	first := p.nextContent(0)
	if first < 0 || p.lines[first].indent != 0 {
		return nil
	}
	root, next, ok := p.block(first, 0, -1)
	if !ok || root.Kind != yaml.MappingNode || p.nextContent(next) >= 0 {
		return nil
	}
	return root
}

// plainText reports whether src holds only characters that need no special care: printable
// characters as libyaml defines them, line feeds, and no tab or carriage return.
func plainText(src []byte) bool {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return false
		case r < 0xa0, r >= 0xd800 && r < 0xe000, r == 0xfeff, r == 0xfffe, r == 0xffff, r == 0x2028, r == 0x2029:
			return false
		}
		i += size
	}
	return true
}

type fastLine struct {
	start, end int // byte offsets of the line in src, without its line feed
	indent     int // leading spaces
	kind       byte
	newline    bool // the line ends with a line feed
	ascii      bool // columns are byte offsets
}

const (
	lineBlank   byte = iota // empty or spaces only
	lineComment             // a comment after optional spaces
	lineContent
)

type fastParser struct {
	src   string
	lines []fastLine
	nodes []yaml.Node  // allocated in chunks, handed out one by one
	stack []*yaml.Node // children of the collections being read, copied out when complete

	// The last column computed on a line that is not ASCII, to count on from there: a long
	// line of flow items must not be counted from its start for every item.
	colLine, colOff, colRunes int
}

func (p *fastParser) split() {
	n := strings.Count(p.src, "\n") + 1
	p.lines = make([]fastLine, 0, n)
	for start := 0; start <= len(p.src); {
		end := strings.IndexByte(p.src[start:], '\n')
		l := fastLine{start: start, newline: end >= 0}
		if end < 0 {
			end = len(p.src)
		} else {
			end += start
		}
		l.end = end
		text := p.src[start:end]
		l.ascii = true
		for j := 0; j < len(text); j++ {
			if text[j] >= utf8.RuneSelf {
				l.ascii = false
				break
			}
		}
		for l.indent < len(text) && text[l.indent] == ' ' {
			l.indent++
		}
		switch {
		case l.indent == len(text):
			l.kind = lineBlank
		case text[l.indent] == '#':
			l.kind = lineComment
		default:
			l.kind = lineContent
		}
		if l.kind == lineBlank && !l.newline && len(text) == 0 {
			break // the empty rest after a final line feed
		}
		p.lines = append(p.lines, l)
		start = end + 1
	}
	// A record line holds a key and its value, or a list item: two nodes a line, seldom more.
	p.nodes = make([]yaml.Node, 0, min(2*len(p.lines)+1, 512))
}

// children moves the nodes pushed since base into a slice of their own.
func (p *fastParser) children(base int) []*yaml.Node {
	if len(p.stack) == base {
		return nil
	}
	out := make([]*yaml.Node, len(p.stack)-base)
	copy(out, p.stack[base:])
	p.stack = p.stack[:base]
	return out
}

func (p *fastParser) node(kind yaml.Kind, tag, value string, line, col int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]yaml.Node, 0, 64)
	}
	p.nodes = append(p.nodes, yaml.Node{Kind: kind, Tag: tag, Value: value, Line: line + 1, Column: col + 1})
	return &p.nodes[len(p.nodes)-1]
}

// column turns a byte offset in line i into yaml.v3's 0-based column, which counts characters.
func (p *fastParser) column(i, off int) int {
	l := p.lines[i]
	if l.ascii {
		return off
	}
	from, runes := 0, 0
	if p.colLine == i+1 && p.colOff <= off {
		from, runes = p.colOff, p.colRunes
	}
	runes += utf8.RuneCountInString(p.src[l.start+from : l.start+off])
	p.colLine, p.colOff, p.colRunes = i+1, off, runes
	return runes
}

func (p *fastParser) text(i int) string {
	return p.src[p.lines[i].start:p.lines[i].end]
}

// nextContent returns the index of the first content line from i on, or -1.
func (p *fastParser) nextContent(i int) int {
	for ; i < len(p.lines); i++ {
		if p.lines[i].kind == lineContent {
			return i
		}
	}
	return -1
}

// nextNonBlank returns the index of the first line from i on that is not blank (comments
// count), or -1.
func (p *fastParser) nextNonBlank(i int) int {
	for ; i < len(p.lines); i++ {
		if p.lines[i].kind != lineBlank {
			return i
		}
	}
	return -1
}

// maxFastDepth bounds the nesting the fast parser follows; deeper documents go to yaml.v3.
const maxFastDepth = 100

// block parses the block collection that starts on line i at byte offset col; owner is the
// column of the enclosing collection (-1 at the root). It returns the node and the index of
// the line after it.
func (p *fastParser) block(i, col, owner int) (*yaml.Node, int, bool) {
	return p.blockDepth(i, col, owner, 0)
}

func (p *fastParser) blockDepth(i, col, owner, depth int) (*yaml.Node, int, bool) {
	if depth > maxFastDepth {
		return nil, 0, false
	}
	rest := p.text(i)[col:]
	if isDash(rest) {
		return p.sequence(i, col, depth)
	}
	if _, ok := keyAt(rest); ok {
		return p.mapping(i, col, depth)
	}
	return nil, 0, false
}

func isDash(s string) bool {
	return s == "-" || strings.HasPrefix(s, "- ")
}

// keyAt returns the length of the plain key at the start of s when s is `key:` followed by a
// space or the end of the line. Keys are restricted to letters, digits, `_`, `-` and `.`.
func keyAt(s string) (int, bool) {
	n := 0
	for n < len(s) && n <= 1000 {
		c := s[n]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || (n > 0 && (c == '-' || c == '.')) {
			n++
			continue
		}
		break
	}
	if n == 0 || n > 1000 || n >= len(s) || s[n] != ':' {
		return 0, false
	}
	if n+1 < len(s) && s[n+1] != ' ' {
		return 0, false
	}
	return n, true
}

// mapping parses a block mapping whose keys start at byte offset col, the first on line i.
func (p *fastParser) mapping(i, col, depth int) (*yaml.Node, int, bool) {
	m := p.node(yaml.MappingNode, "!!map", "", i, p.column(i, col))
	base := len(p.stack)
	first := true // the mapping starts at its first key
	for {
		text := p.text(i)
		if !first && p.lines[i].indent != col {
			return nil, 0, false
		}
		n, ok := keyAt(text[col:])
		if !ok {
			return nil, 0, false
		}
		key := text[col : col+n]
		kcol := p.column(i, col)
		first = false
		k := p.node(yaml.ScalarNode, plainTag(key), key, i, kcol)
		if k.Tag == "!!merge" {
			return nil, 0, false
		}
		v, next, ok := p.value(i, col+n+1, col, depth, true)
		if !ok {
			return nil, 0, false
		}
		p.stack = append(p.stack, k, v)
		j := p.nextContent(next)
		if j < 0 || p.lines[j].indent < col {
			m.Content = p.children(base)
			return m, next, true
		}
		if p.lines[j].indent > col || isDash(p.text(j)[col:]) {
			return nil, 0, false
		}
		i = j
	}
}

// sequence parses a block sequence whose dashes stand at byte offset col, the first on line i.
func (p *fastParser) sequence(i, col, depth int) (*yaml.Node, int, bool) {
	s := p.node(yaml.SequenceNode, "!!seq", "", i, p.column(i, col))
	base := len(p.stack)
	for {
		v, next, ok := p.value(i, col+1, col, depth, false)
		if !ok {
			return nil, 0, false
		}
		p.stack = append(p.stack, v)
		j := p.nextContent(next)
		if j < 0 || p.lines[j].indent < col {
			s.Content = p.children(base)
			return s, next, true
		}
		if p.lines[j].indent > col || !isDash(p.text(j)[col:]) {
			if p.lines[j].indent == col {
				s.Content = p.children(base)
				return s, next, true // an indentless sequence ends; its mapping goes on
			}
			return nil, 0, false
		}
		i = j
	}
}

// value parses what follows a mapping key's colon or a sequence entry's dash at byte offset
// off of line i; owner is the column of that mapping or sequence.
func (p *fastParser) value(i, off, owner, depth int, inMapping bool) (*yaml.Node, int, bool) {
	text := p.text(i)
	start := off
	for start < len(text) && text[start] == ' ' {
		start++
	}
	if start < len(text) && text[start] != '#' {
		if !inMapping {
			// `- key: value` opens a mapping at the key; `- - x` and the like go to yaml.v3.
			if _, ok := keyAt(text[start:]); ok {
				return p.mapping(i, start, depth+1)
			}
			if isDash(text[start:]) {
				return nil, 0, false
			}
		}
		return p.inline(i, start, owner)
	}
	// The value is on the following lines, or empty.
	j := p.nextContent(i + 1)
	if j >= 0 {
		ind := p.lines[j].indent
		if ind > owner {
			return p.blockDepth(j, ind, owner, depth+1)
		}
		if inMapping && ind == owner && isDash(p.text(j)[ind:]) {
			return p.sequence(j, ind, depth+1)
		}
	}
	if !inMapping {
		return nil, 0, false // an empty sequence entry
	}
	// An empty value is a null that yaml.v3 places just after the colon.
	return p.node(yaml.ScalarNode, "!!null", "", i, p.column(i, off)), i + 1, true
}

// inline parses a scalar or a flow collection that starts at byte offset start of line i and
// ends on that line (block scalars excepted); owner is the column of the enclosing collection.
func (p *fastParser) inline(i, start, owner int) (*yaml.Node, int, bool) {
	text := p.text(i)
	col := p.column(i, start)
	var n *yaml.Node
	var end int
	switch c := text[start]; c {
	case '|', '>':
		return p.blockScalar(i, start, owner)
	case '"', '\'':
		v, e, ok := quoted(text, start)
		if !ok {
			return nil, 0, false
		}
		n, end = p.node(yaml.ScalarNode, "!!str", v, i, col), e
		if c == '"' {
			n.Style = yaml.DoubleQuotedStyle
		} else {
			n.Style = yaml.SingleQuotedStyle
		}
	case '[', '{':
		var ok bool
		if n, end, ok = p.flow(i, start); !ok {
			return nil, 0, false
		}
	default:
		if !plainStart(text[start:]) {
			return nil, 0, false
		}
		v := text[start:]
		if k := strings.Index(v, " #"); k >= 0 {
			v = v[:k]
		}
		v = strings.TrimRight(v, " ")
		if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") {
			return nil, 0, false
		}
		n = p.node(yaml.ScalarNode, plainTag(v), v, i, col)
		if n.Tag == "!!merge" {
			return nil, 0, false
		}
		end = len(text)
	}
	if !restIsComment(text[end:]) {
		return nil, 0, false
	}
	// A more indented line that follows would continue the scalar, or be an error.
	if j := p.nextNonBlank(i + 1); j >= 0 && p.lines[j].indent > owner {
		return nil, 0, false
	}
	return n, i + 1, true
}

// plainStart reports whether s can start a plain scalar the fast parser reads: not an
// indicator of any other YAML construct.
func plainStart(s string) bool {
	switch s[0] {
	case '-':
		return len(s) > 1 && s[1] != ' '
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// restIsComment reports whether what follows a value on its line is nothing, spaces, or a
// comment after a space.
func restIsComment(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || (t[0] == '#' && len(t) < len(s))
}

// quoted reads a quoted scalar that closes on the same line, starting at text[start]. It
// returns the value and the offset after the closing quote.
func quoted(text string, start int) (string, int, bool) {
	q := text[start]
	var b strings.Builder
	plain := true // no escape seen: the value is a substring
	for j := start + 1; j < len(text); j++ {
		c := text[j]
		switch {
		case c == q && q == '\'' && j+1 < len(text) && text[j+1] == '\'':
			if plain {
				b.WriteString(text[start+1 : j])
				plain = false
			}
			b.WriteByte('\'')
			j++
		case c == q:
			if plain {
				return text[start+1 : j], j + 1, true
			}
			return b.String(), j + 1, true
		case c == '\\' && q == '"':
			if j+1 >= len(text) {
				return "", 0, false
			}
			var r byte
			switch text[j+1] {
			case '\\':
				r = '\\'
			case '"':
				r = '"'
			case 'n':
				r = '\n'
			case 't':
				r = '\t'
			default:
				return "", 0, false
			}
			if plain {
				b.WriteString(text[start+1 : j])
				plain = false
			}
			b.WriteByte(r)
			j++
		default:
			if !plain {
				b.WriteByte(c)
			}
		}
	}
	return "", 0, false
}

// flow reads a one-line flow sequence or mapping of scalars starting at text[start].
func (p *fastParser) flow(i, start int) (*yaml.Node, int, bool) {
	text := p.text(i)
	open := text[start]
	closer := byte(']')
	kind, tag := yaml.SequenceNode, "!!seq"
	if open == '{' {
		closer, kind, tag = '}', yaml.MappingNode, "!!map"
	}
	n := p.node(kind, tag, "", i, p.column(i, start))
	n.Style = yaml.FlowStyle
	j := start + 1
	skip := func() {
		for j < len(text) && text[j] == ' ' {
			j++
		}
	}
	skip()
	if j < len(text) && text[j] == closer {
		return n, j + 1, true
	}
	for {
		skip()
		if kind == yaml.MappingNode {
			kl, ok := keyAt(text[j:])
			if !ok || j+kl+1 >= len(text) {
				return nil, 0, false
			}
			key := text[j : j+kl]
			k := p.node(yaml.ScalarNode, plainTag(key), key, i, p.column(i, j))
			if k.Tag == "!!merge" {
				return nil, 0, false
			}
			n.Content = append(n.Content, k)
			j += kl + 1
			skip()
		}
		item, e, ok := p.flowScalar(i, j)
		if !ok {
			return nil, 0, false
		}
		n.Content = append(n.Content, item)
		j = e
		skip()
		if j >= len(text) {
			return nil, 0, false
		}
		switch text[j] {
		case closer:
			return n, j + 1, true
		case ',':
			j++
			skip()
			if j >= len(text) || text[j] == closer || text[j] == ',' {
				return nil, 0, false
			}
		default:
			return nil, 0, false
		}
	}
}

// flowScalar reads a plain or quoted scalar inside a flow collection at text[j].
func (p *fastParser) flowScalar(i, j int) (*yaml.Node, int, bool) {
	text := p.text(i)
	if j >= len(text) {
		return nil, 0, false
	}
	col := p.column(i, j)
	if c := text[j]; c == '"' || c == '\'' {
		v, e, ok := quoted(text, j)
		if !ok {
			return nil, 0, false
		}
		n := p.node(yaml.ScalarNode, "!!str", v, i, col)
		n.Style = yaml.DoubleQuotedStyle
		if c == '\'' {
			n.Style = yaml.SingleQuotedStyle
		}
		return n, e, true
	}
	if !plainStart(text[j:]) {
		return nil, 0, false
	}
	e := j
	for e < len(text) {
		c := text[e]
		if c == ',' || c == ']' || c == '}' {
			break
		}
		if c == '[' || c == '{' || c == ':' || c == '#' || c == '"' || c == '\'' {
			return nil, 0, false
		}
		e++
	}
	v := strings.TrimRight(text[j:e], " ")
	n := p.node(yaml.ScalarNode, plainTag(v), v, i, col)
	if n.Tag == "!!merge" {
		return nil, 0, false
	}
	return n, e, true
}

// blockScalar reads a literal (|) or folded (>) scalar whose indicator is at text[start] of
// line i; owner is the column of the enclosing collection.
func (p *fastParser) blockScalar(i, start, owner int) (*yaml.Node, int, bool) {
	text := p.text(i)
	literal := text[start] == '|'
	chomp := 0
	h := start + 1
	if h < len(text) && (text[h] == '-' || text[h] == '+') {
		chomp = 1
		if text[h] == '-' {
			chomp = -1
		}
		h++
	}
	if h < len(text) && text[h] != ' ' {
		return nil, 0, false // an indentation indicator, or garbage
	}
	if !restIsComment(text[h:]) {
		return nil, 0, false
	}
	// Content lines: the first non-empty line fixes the indentation.
	j := i + 1
	for j < len(p.lines) && p.lines[j].start == p.lines[j].end {
		j++
	}
	if j >= len(p.lines) || p.lines[j].kind == lineBlank {
		return nil, 0, false // spaces-only lines and empty scalars are left to yaml.v3
	}
	indent := p.lines[j].indent
	if indent <= owner || indent < 1 {
		return nil, 0, false
	}
	var b strings.Builder
	end := j // the line after the last content line
	pendingBreaks := 0
	firstContent := true
	for k := i + 1; k < len(p.lines); k++ {
		l := p.lines[k]
		if l.start == l.end {
			pendingBreaks++
			continue
		}
		if l.kind == lineBlank {
			return nil, 0, false
		}
		if l.indent < indent {
			break
		}
		line := p.src[l.start+indent : l.end]
		if !literal && l.indent > indent {
			return nil, 0, false // more-indented lines fold differently
		}
		if !firstContent {
			switch {
			case literal:
				b.WriteByte('\n')
				for range pendingBreaks {
					b.WriteByte('\n')
				}
			case pendingBreaks == 0:
				b.WriteByte(' ')
			default:
				for range pendingBreaks {
					b.WriteByte('\n')
				}
			}
		} else {
			for range pendingBreaks {
				b.WriteByte('\n')
			}
		}
		pendingBreaks = 0
		firstContent = false
		b.WriteString(line)
		if !l.newline {
			return nil, 0, false
		}
		end = k + 1
	}
	switch chomp {
	case 0:
		b.WriteByte('\n')
	case 1:
		b.WriteByte('\n')
		for range pendingBreaks {
			b.WriteByte('\n')
		}
	}
	n := p.node(yaml.ScalarNode, "!!str", b.String(), i, p.column(i, start))
	n.Style = yaml.LiteralStyle
	if !literal {
		n.Style = yaml.FoldedStyle
	}
	return n, end, true
}

// plainTag is the tag yaml.v3 resolves a plain scalar to (its resolve function, for tags only).
func plainTag(s string) string {
	switch s {
	case "<<":
		return "!!merge"
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "", "~", "null", "Null", "NULL":
		return "!!null"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	}
	switch c := s[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if isTimestamp(s) {
			return "!!timestamp"
		}
		plain := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return "!!int"
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return "!!float"
			}
		}
		for _, pre := range []struct {
			prefix string
			base   int
		}{{"0b", 2}, {"0o", 8}} {
			if strings.HasPrefix(plain, pre.prefix) {
				if _, err := strconv.ParseInt(plain[2:], pre.base, 64); err == nil {
					return "!!int"
				}
				if _, err := strconv.ParseUint(plain[2:], pre.base, 64); err == nil {
					return "!!int"
				}
			} else if strings.HasPrefix(plain, "-"+pre.prefix) {
				if _, err := strconv.ParseInt("-"+plain[3:], pre.base, 64); err == nil {
					return "!!int"
				}
			}
		}
	}
	return "!!str"
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp is yaml.v3's test for a plain scalar that resolves to !!timestamp.
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range timestampFormats {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}

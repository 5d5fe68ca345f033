package yamledit

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxWidth is the line length up to which a new list of scalars is written in flow style.
const maxWidth = 80

type kind int

const (
	scalarKind kind = iota
	seqKind
	mapKind
)

// value is a Go value to write, checked and normalised: scalars are nil, bool, int64, uint64,
// float64 or string.
type value struct {
	kind  kind
	s     any
	items []value
	keys  []string
	vals  []value
}

// seqOf is the sequence of xs, item by item.
func seqOf[T any](xs []T) (value, error) {
	out := value{kind: seqKind, items: make([]value, 0, len(xs))}
	for _, x := range xs {
		it, err := toValue(x)
		if err != nil {
			return value{}, err
		}
		out.items = append(out.items, it)
	}
	return out, nil
}

func toValue(v any) (value, error) {
	switch x := v.(type) {
	case nil, bool, float64:
		return value{s: x}, nil
	case string:
		if !utf8.ValidString(x) {
			return value{}, fmt.Errorf("%w: string is not valid UTF-8", ErrValue)
		}
		return value{s: x}, nil
	case int:
		return value{s: int64(x)}, nil
	case int8:
		return value{s: int64(x)}, nil
	case int16:
		return value{s: int64(x)}, nil
	case int32:
		return value{s: int64(x)}, nil
	case int64:
		return value{s: x}, nil
	case uint:
		return value{s: uint64(x)}, nil
	case uint8:
		return value{s: uint64(x)}, nil
	case uint16:
		return value{s: uint64(x)}, nil
	case uint32:
		return value{s: uint64(x)}, nil
	case uint64:
		return value{s: x}, nil
	case []any:
		return seqOf(x)
	case []string:
		return seqOf(x)
	case []KV:
		out := value{kind: mapKind, keys: []string{}, vals: []value{}}
		seen := make(map[string]bool, len(x))
		for _, kv := range x {
			if !utf8.ValidString(kv.Key) {
				return value{}, fmt.Errorf("%w: key is not valid UTF-8", ErrValue)
			}
			if seen[kv.Key] {
				return value{}, fmt.Errorf("%w: duplicate key %q", ErrValue, kv.Key)
			}
			seen[kv.Key] = true
			it, err := toValue(kv.Value)
			if err != nil {
				return value{}, err
			}
			out.keys = append(out.keys, kv.Key)
			out.vals = append(out.vals, it)
		}
		return out, nil
	}
	return value{}, fmt.Errorf("%w: type %T", ErrValue, v)
}

// nest wraps v in one single-key mapping per element of path.
func nest(path []string, v value) value {
	for i := len(path) - 1; i >= 0; i-- {
		v = value{kind: mapKind, keys: []string{path[i]}, vals: []value{v}}
	}
	return v
}

// rendered is a value's text after "key:": either inline, or a header (a block scalar
// indicator, or nothing for a collection) followed by whole lines.
type rendered struct {
	inline string
	block  bool
	header string
	lines  []string
	brk    bool // the text ends with a block scalar whose value needs the line break after it
}

func pad(n int) string { return strings.Repeat(" ", n) }

// blockValue renders v as the value of a key at column col in block context. width is the
// column where an inline value would start; old is the value being replaced, if any.
func (d *Doc) blockValue(v value, col, width int, old *yaml.Node, forceBlock bool) (rendered, error) {
	switch v.kind {
	case scalarKind:
		s, lit, err := d.scalar(v.s, old, false, col, true)
		if err != nil {
			return rendered{}, err
		}
		if lit != nil {
			return *lit, nil
		}
		return rendered{inline: s}, nil
	case seqKind:
		if len(v.items) == 0 {
			return rendered{inline: "[]"}, nil
		}
		dash := col + d.seqIndent
		oldBlock := old != nil && old.Kind == yaml.SequenceNode && old.Style&yaml.FlowStyle == 0
		if oldBlock {
			dash = old.Column - 1
		}
		useBlock := forceBlock || oldBlock
		if !useBlock && !(old != nil && old.Kind == yaml.SequenceNode) {
			s, err := d.flow(v, nil)
			if err != nil {
				return rendered{}, err
			}
			useBlock = hasCollections(v.items) || width+len(s) > maxWidth
		}
		if !useBlock {
			s, err := d.flow(v, nil)
			return rendered{inline: s}, err
		}
		lines, brk, err := d.seqLines(v.items, dash, 2)
		return rendered{block: true, lines: lines, brk: brk}, err
	default:
		if len(v.keys) == 0 {
			return rendered{inline: "{}"}, nil
		}
		isMap := old != nil && old.Kind == yaml.MappingNode
		if isMap && old.Style&yaml.FlowStyle != 0 && !forceBlock {
			s, err := d.flow(v, old)
			return rendered{inline: s}, err
		}
		kc := col + d.step
		if isMap && old.Style&yaml.FlowStyle == 0 {
			kc = old.Column - 1
		}
		lines, brk, err := d.mapLines(v, kc)
		return rendered{block: true, lines: lines, brk: brk}, err
	}
}

func hasCollections(items []value) bool {
	for _, it := range items {
		if it.kind != scalarKind {
			return true
		}
	}
	return false
}

// seqLines renders the items of a block list whose dashes are at column dash and whose items'
// content starts off columns further.
func (d *Doc) seqLines(items []value, dash, off int) ([]string, bool, error) {
	var lines []string
	brk := false
	prefix := pad(dash) + "-" + pad(off-1)
	for _, it := range items {
		brk = false
		switch {
		case it.kind == mapKind && len(it.keys) > 0:
			ls, b, err := d.mapLines(it, dash+off)
			if err != nil {
				return nil, false, err
			}
			ls[0] = prefix + ls[0][dash+off:]
			lines, brk = append(lines, ls...), b
		case it.kind == scalarKind:
			s, _, err := d.scalar(it.s, nil, false, dash+off, false)
			if err != nil {
				return nil, false, err
			}
			lines = append(lines, prefix+s)
		default:
			s, err := d.flow(it, nil)
			if err != nil {
				return nil, false, err
			}
			lines = append(lines, prefix+s)
		}
	}
	return lines, brk, nil
}

// mapLines renders a block mapping whose keys are at column col.
func (d *Doc) mapLines(v value, col int) ([]string, bool, error) {
	var lines []string
	brk := false
	for i, k := range v.keys {
		ls, b, err := d.entryLines(k, v.vals[i], col)
		if err != nil {
			return nil, false, err
		}
		lines, brk = append(lines, ls...), b
	}
	return lines, brk, nil
}

// entryLines renders "key: value" for a block mapping whose keys are at column col.
func (d *Doc) entryLines(k string, v value, col int) ([]string, bool, error) {
	key := keyText(k, false)
	r, err := d.blockValue(v, col, col+utf8.RuneCountInString(key)+2, nil, false)
	if err != nil {
		return nil, false, err
	}
	if !r.block {
		return []string{pad(col) + key + ": " + r.inline}, false, nil
	}
	head := pad(col) + key + ":"
	if r.header != "" {
		head += " " + r.header
	}
	return append([]string{head}, r.lines...), r.brk, nil
}

// flow renders v in flow style; old is the value being replaced, for its quoting style.
func (d *Doc) flow(v value, old *yaml.Node) (string, error) {
	switch v.kind {
	case scalarKind:
		s, _, err := d.scalar(v.s, old, true, 0, false)
		return s, err
	case seqKind:
		parts := make([]string, len(v.items))
		for i, it := range v.items {
			s, err := d.flow(it, nil)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	default:
		parts := make([]string, len(v.keys))
		for i, k := range v.keys {
			s, err := d.flow(v.vals[i], nil)
			if err != nil {
				return "", err
			}
			parts[i] = keyText(k, true) + ": " + s
		}
		return "{" + strings.Join(parts, ", ") + "}", nil
	}
}

func keyText(k string, flow bool) string {
	if plainOK(k, flow, false) {
		return k
	}
	return doubleQuote(k)
}

// scalar renders a scalar. col is the column of its key, for the indentation of a literal
// block, which is only used when literal is true; then the block is returned instead of text.
func (d *Doc) scalar(v any, old *yaml.Node, flow bool, col int, literal bool) (string, *rendered, error) {
	switch x := v.(type) {
	case nil:
		if old != nil && old.Kind == yaml.ScalarNode && old.ShortTag() == "!!null" && old.Style == 0 && old.Value != "" {
			return old.Value, nil, nil
		}
		return "null", nil, nil
	case bool:
		return strconv.FormatBool(x), nil, nil
	case int64:
		return strconv.FormatInt(x, 10), nil, nil
	case uint64:
		return strconv.FormatUint(x, 10), nil, nil
	case float64:
		return formatFloat(x), nil, nil
	case string:
		return d.str(x, old, flow, col, literal)
	}
	return "", nil, fmt.Errorf("%w: type %T", ErrValue, v)
}

func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

type strStyle int

const (
	anyStyle strStyle = iota
	plainStyle
	singleStyle
	doubleStyle
	literalStyle
)

func styleOf(old *yaml.Node) (st strStyle, plainTimestamp bool) {
	if old == nil || old.Kind != yaml.ScalarNode {
		return anyStyle, false
	}
	switch {
	case old.Style&yaml.DoubleQuotedStyle != 0:
		return doubleStyle, false
	case old.Style&yaml.SingleQuotedStyle != 0:
		return singleStyle, false
	case old.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return literalStyle, false
	}
	return plainStyle, old.ShortTag() == "!!timestamp"
}

func (d *Doc) str(s string, old *yaml.Node, flow bool, col int, literal bool) (string, *rendered, error) {
	pref, plainTS := styleOf(old)
	literal = literal && !flow && !d.noLiteral && literalOK(s)
	switch {
	case pref == literalStyle && literal:
		return "", d.literalBlock(s, col), nil
	case pref == doubleStyle:
		return doubleQuote(s), nil, nil
	case pref == singleStyle && singleOK(s):
		return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil, nil
	case strings.Contains(s, "\n") && literal:
		return "", d.literalBlock(s, col), nil
	case plainOK(s, flow, plainTS):
		return s, nil, nil
	}
	return doubleQuote(s), nil, nil
}

// literalBlock renders s, which literalOK accepts, as a literal block scalar for a key at col.
func (d *Doc) literalBlock(s string, col int) *rendered {
	body := strings.TrimRight(s, "\n")
	trailing := len(s) - len(body)
	chomp := "+"
	switch trailing {
	case 0:
		chomp = "-"
	case 1:
		chomp = ""
	}
	ind := pad(col + d.step)
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if l == "" {
			lines = append(lines, "")
		} else {
			lines = append(lines, ind+l)
		}
	}
	for i := 1; i < trailing; i++ {
		lines = append(lines, "")
	}
	return &rendered{block: true, header: "|" + chomp, lines: lines, brk: trailing > 0}
}

// printable reports whether YAML allows r unescaped; tabs and line breaks are excluded, as are
// the byte order mark and the Unicode line separators.
func printable(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7e:
		return true
	case r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff:
		return false
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

func allPrintable(s string, allowNewline bool) bool {
	for _, r := range s {
		if !printable(r) && !(allowNewline && r == '\n') {
			return false
		}
	}
	return true
}

// literalOK reports whether a literal block scalar represents s exactly.
func literalOK(s string) bool {
	if !allPrintable(s, true) {
		return false
	}
	body := strings.TrimRight(s, "\n")
	if body == "" || body[0] == ' ' || body[0] == '\n' {
		return false
	}
	for _, l := range strings.Split(body, "\n") {
		if l != "" && strings.TrimLeft(l, " ") == "" {
			return false
		}
	}
	return true
}

func singleOK(s string) bool { return allPrintable(s, false) }

var (
	// sexagesimal matches YAML 1.1 base-60 numbers such as 1:30, which other readers take
	// for integers.
	sexagesimal = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)
	yaml11Words = map[string]bool{
		"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true,
		"true": true, "false": true, "null": true, "~": true,
	}
)

// plainOK reports whether s can be written as a plain scalar that every YAML reader takes for
// the same string. timestamp allows any string that resolves to a timestamp (the value being
// replaced was one); otherwise only RFC 3339 date-times are.
func plainOK(s string, flow, timestamp bool) bool {
	if s == "" || strings.TrimSpace(s) != s || !allPrintable(s, false) {
		return false
	}
	if strings.ContainsRune("[]{}#&*!|>'\"%@`,", rune(s[0])) {
		return false
	}
	if strings.ContainsRune("-?:", rune(s[0])) && (len(s) == 1 || s[1] == ' ') {
		return false
	}
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") || strings.Contains(s, " #") ||
		strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") || s == "<<" {
		return false
	}
	if flow && strings.ContainsAny(s, ",[]{}:?") {
		return false
	}
	if yaml11Words[strings.ToLower(s)] || sexagesimal.MatchString(s) {
		return false
	}
	switch (&yaml.Node{Kind: yaml.ScalarNode, Value: s}).ShortTag() {
	case "!!str":
		return true
	case "!!timestamp":
		return timestamp || isDateTime(s)
	}
	return false
}

func isDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil && strings.ContainsAny(s, "T")
}

// doubleQuote renders s as a double-quoted scalar, escaping what is not printable.
func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		case 0x1b:
			b.WriteString(`\e`)
		case 0x85:
			b.WriteString(`\N`)
		case 0x2028:
			b.WriteString(`\L`)
		case 0x2029:
			b.WriteString(`\P`)
		default:
			switch {
			case printable(r):
				b.WriteRune(r)
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

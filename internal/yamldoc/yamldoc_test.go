package yamldoc

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    *Error // nil: parses
		wantTop string // the first key of the root mapping, when it parses
	}{
		{name: "mapping", src: "a: 1\n", wantTop: "a"},
		{name: "BOM", src: "\xef\xbb\xbfa: 1\n", wantTop: "a"},
		{name: "CRLF", src: "a: 1\r\nb: 2\r\n", wantTop: "a"},
		{name: "document start", src: "---\na: 1\n", wantTop: "a"},
		{name: "empty", src: "", want: &Error{Line: 1, Column: 1, Msg: "the file is empty"}},
		{name: "only comments", src: "# nothing\n", want: &Error{Line: 1, Column: 1, Msg: "the file is empty"}},
		{name: "only a BOM", src: "\xef\xbb\xbf", want: &Error{Line: 1, Column: 1, Msg: "the file is empty"}},
		{name: "two documents", src: "a: 1\n---\nb: 2\n", want: &Error{Line: 2, Column: 1, Msg: "more than one YAML document; a record file holds exactly one"}},
		{name: "syntax error", src: "a: 1\nb: [\n", want: &Error{Line: 3, Column: 1, Msg: "YAML syntax error: did not find expected node content"}},
		{name: "mapping value in plain", src: "a: b: c\n", want: &Error{Line: 1, Column: 1, Msg: "YAML syntax error: mapping values are not allowed in this context"}},
		{name: "tab", src: "a:\n\tb: 1\n", want: &Error{Line: 2, Column: 1, Msg: "YAML syntax error: found character that cannot start any token"}},
		{name: "control character", src: "a: 1\nb: xé\x01\n", want: &Error{Line: 2, Column: 6, Msg: "YAML syntax error: control characters are not allowed"}},
		{name: "C1 control character", src: "a: \u0086\n", want: &Error{Line: 1, Column: 4, Msg: "YAML syntax error: control characters are not allowed"}},
		{name: "unclosed quote", src: "a: \"x\n", want: &Error{Line: 2, Column: 1, Msg: "YAML syntax error: found unexpected end of stream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.src))
			if tt.want != nil {
				var got *Error
				if !errors.As(err, &got) {
					t.Fatalf("got %v, %v, want error %+v", n, err, tt.want)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if n.Kind != yaml.MappingNode || n.Content[0].Value != tt.wantTop {
				t.Errorf("got root kind %v with first key %q, want a mapping starting with %q", n.Kind, n.Content[0].Value, tt.wantTop)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{Line: 3, Column: 2, Msg: "bad"}, "line 3: bad"},
		{Error{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func value(t *testing.T, src string) (any, []*Error) {
	t.Helper()
	n, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return Value(n)
}

// TestValueRefusals lists every refusal of Value with its position.
func TestValueRefusals(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)
	tests := []struct {
		name string
		src  string
		want []*Error
	}{
		{"anchor", "a: &x 1\n", []*Error{{Line: 1, Column: 4, Msg: "anchor &x: records may not use anchors or aliases"}}},
		{"alias", "a: &x 1\nb: *x\n", []*Error{
			{Line: 1, Column: 4, Msg: "anchor &x: records may not use anchors or aliases"},
			{Line: 2, Column: 4, Msg: "alias *x: records may not use anchors or aliases"},
		}},
		{"merge key", "a: 1\n<<: {b: 2}\n", []*Error{{Line: 2, Column: 1, Msg: "merge key <<: records may not use anchors or aliases"}}},
		{"integer key", "a: 1\n2: b\n", []*Error{{Line: 2, Column: 1, Msg: `mapping key "2" is not a string; quote it`}}},
		{"boolean key", "true: b\n", []*Error{{Line: 1, Column: 1, Msg: `mapping key "true" is not a string; quote it`}}},
		{"null key", "~: b\n", []*Error{{Line: 1, Column: 1, Msg: `mapping key "~" is not a string; quote it`}}},
		{"timestamp key", "2026-01-01: b\n", []*Error{{Line: 1, Column: 1, Msg: `mapping key "2026-01-01" is not a string; quote it`}}},
		{"complex key", "? [a]\n: b\n", []*Error{{Line: 1, Column: 3, Msg: `mapping key "" is not a string; quote it`}}},
		{"duplicate key", "a: 1\nb: 2\na: 3\n", []*Error{{Line: 3, Column: 1, Msg: `duplicate key "a" (first at line 1)`}}},
		{"duplicate nested key", "a:\n  b: 1\n  b: 2\n", []*Error{{Line: 3, Column: 3, Msg: `duplicate key "b" (first at line 2)`}}},
		{"custom tag", "a: !foo x\n", []*Error{{Line: 1, Column: 4, Msg: "custom tag !foo is not allowed in records"}}},
		{"python tag", "a: !!python/object:os.system x\n", []*Error{{Line: 1, Column: 4, Msg: "custom tag !!python/object:os.system is not allowed in records"}}},
		{"integer out of range", "a: 0xffffffffffffffff\n", []*Error{{Line: 1, Column: 4, Msg: "integer 0xffffffffffffffff is out of range"}}},
		{"too deep", "a: " + deep + "\n", []*Error{{Line: 1, Column: 4 + MaxDepth, Msg: "nesting deeper than 64 levels"}}},
		{"several at once", "a: &x 1\na: 2\n", []*Error{
			{Line: 1, Column: 4, Msg: "anchor &x: records may not use anchors or aliases"},
			{Line: 2, Column: 1, Msg: `duplicate key "a" (first at line 1)`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := value(t, tt.src)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValueConversions(t *testing.T) {
	src := `s: text
q: "quoted"
i: 42
n: -7
h: 0x1F
f: 1.5
e: 1e3
big: 99999999999999999999
nan: .nan
inf: -.inf
t: true
F: False
yes: yes
off: off
nothing: ~
empty:
ts: 2026-03-02T10:14:00Z
d: 2026-03-02
bin: !!binary aGk=
str: !!str 12
list: [a, 1, true]
map: {k: v}
block: |
  one
  two
`
	want := map[string]any{
		"s": "text", "q": "quoted", "i": int64(42), "n": int64(-7), "h": int64(31), "f": 1.5, "e": 1000.0,
		"big": 1e20, "nan": ".nan", "inf": "-.inf", "t": true, "F": false, "yes": "yes", "off": "off",
		"nothing": nil, "empty": nil, "ts": "2026-03-02T10:14:00Z", "d": "2026-03-02", "bin": "aGk=", "str": "12",
		"list": []any{"a", int64(1), true}, "map": map[string]any{"k": "v"}, "block": "one\ntwo\n",
	}
	got, errs := value(t, src)
	if len(errs) > 0 {
		t.Fatalf("got errors %v, want none", errs)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("value (-want +got):\n%s", diff)
	}
}

func TestLocateAndFind(t *testing.T) {
	src := `a:
  b: 1
  list:
    - x
    - y: 2
c~d: tilde
e/f: slash
`
	root, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type pos struct {
		Line, Column int
		Found        bool
	}
	tests := []struct {
		pointer string
		want    pos // of the node Find returns; Locate returns the same node
	}{
		{"", pos{1, 1, true}},
		{"/", pos{1, 1, true}},
		{"/a", pos{2, 3, true}},
		{"/a/b", pos{2, 6, true}},
		{"/a/list", pos{4, 5, true}},
		{"/a/list/0", pos{4, 7, true}},
		{"/a/list/1/y", pos{5, 10, true}},
		{"/a/list/2", pos{4, 5, false}},       // no such item: the list
		{"/a/list/-1", pos{4, 5, false}},      // not an index
		{"/a/list/x", pos{4, 5, false}},       // not an index
		{"/a/missing", pos{2, 3, false}},      // no such key: the mapping
		{"/a/b/deeper", pos{2, 6, false}},     // below a scalar
		{"/missing/deeper", pos{1, 1, false}}, // stops at the first missing step
		{"/c~0d", pos{6, 6, true}},
		{"/e~1f", pos{7, 6, true}},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			n, found := Find(root, tt.pointer)
			got := pos{n.Line, n.Column, found}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Find (-want +got):\n%s", diff)
			}
			if l := Locate(root, tt.pointer); l != n {
				t.Errorf("Locate gave node at %d:%d, want Find's %d:%d", l.Line, l.Column, n.Line, n.Column)
			}
		})
	}
}

func TestKey(t *testing.T) {
	root, err := Parse([]byte("a: 1\nb:\n  c: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		n      *yaml.Node
		field  string
		wantAt int // line of the key node, 0 for none
	}{
		{"present", root, "b", 2},
		{"absent", root, "z", 0},
		{"not a mapping", root.Content[1], "a", 0},
		{"nil", nil, "a", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := 0
			if k := Key(tt.n, tt.field); k != nil {
				got = k.Line
			}
			if got != tt.wantAt {
				t.Errorf("got key at line %d, want %d", got, tt.wantAt)
			}
		})
	}
}

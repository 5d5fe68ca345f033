package yamldoc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/gitsm/gitsm/internal/benchgen"
)

// sameTree describes the first difference between two node trees in what readers of records
// use: kind, style, tag, value, anchor, position and children. Comments are not compared.
func sameTree(got, want *yaml.Node, path string) string {
	if got == nil || want == nil {
		if got != want {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
		return ""
	}
	type view struct {
		Kind         yaml.Kind
		Style        yaml.Style
		Tag, Value   string
		Anchor       string
		Line, Column int
		Children     int
	}
	g := view{got.Kind, got.Style, got.Tag, got.Value, got.Anchor, got.Line, got.Column, len(got.Content)}
	w := view{want.Kind, want.Style, want.Tag, want.Value, want.Anchor, want.Line, want.Column, len(want.Content)}
	if g != w {
		return fmt.Sprintf("%s: got %+v, want %+v", path, g, w)
	}
	for i := range got.Content {
		if d := sameTree(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkFast fails when fastParse answers for src but differs from yaml.v3.
func checkFast(t *testing.T, name string, src []byte) bool {
	t.Helper()
	got := fastParse(src)
	if got == nil {
		return false
	}
	want, err := parseYAML(src)
	if err != nil {
		t.Errorf("%s: fastParse read it, yaml.v3 says %v\n%s", name, err, src)
		return true
	}
	if d := sameTree(got, want, ""); d != "" {
		t.Errorf("%s: fastParse differs from yaml.v3 at %s\n%s", name, d, src)
	}
	return true
}

func TestFastParseMatchesYAMLv3(t *testing.T) {
	tests := []struct {
		name string
		src  string
		fast bool // whether the fast parser must answer (false: it may leave it to yaml.v3)
	}{
		{"flat", "a: 1\nb: two\nc: \"three\"\nd: 'fo''ur'\n", true},
		{"nested", "a:\n  b: 1\n  c:\n    d: x\ne: y\n", true},
		{"sequence", "a:\n  - x\n  - y\nb: 1\n", true},
		{"indentless sequence", "a:\n- x\n- y\nb: 1\n", true},
		{"sequence of mappings", "t:\n  - at: 2026-01-01T00:00:00Z\n    state: new\n  - at: x\n    by: y\n", true},
		{"indentless sequence of mappings", "t:\n- at: 1\n  by: 2\n- at: 3\nz: 4\n", true},
		{"empty value", "a:\nb: 1\nc:   \n", true},
		{"empty value at end", "a: 1\nb:", true},
		{"comments", "# head\na: 1 # line\n# between\nb: # after key\n  c: 2\n\n# foot\n", true},
		{"literal", "d: |\n  one\n  two\n\n  three\ne: 1\n", true},
		{"literal strip", "d: |-\n  one\n  two\ne: 1\n", true},
		{"literal keep", "d: |+\n  one\n\n\ne: 1\n", true},
		{"literal keep at end", "d: |+\n  one\n\n", true},
		{"literal more indented", "d: |\n  one\n    two\n  three\n", true},
		{"literal leading empty", "d: |\n\n  one\n", true},
		{"literal comment inside", "d: |\n  # not a comment\n  x\n# a comment\ne: 1\n", true},
		{"literal in sequence", "s:\n  - |\n    x\n    y\n  - z\n", true},
		{"literal in sequence mapping", "s:\n  - note: |\n      x\n    by: y\n", true},
		{"folded", "d: >\n  one\n  two\n\n  three\n\n\n  four\ne: 1\n", true},
		{"folded strip", "d: >-\n  one\n  two\n", true},
		{"flow", "a: [x, y, 'z', \"w\"]\nb: []\nc: {k: v, l: 2}\nd: {}\n", true},
		{"flow no spaces", "a: [x,y]\n", true},
		{"flow comment", "a: [x, y] # c\n", true},
		{"tags", "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 2026-01-02\ng: 0x1F\nh: 1_000\ni: .inf\nj: -.5\nk: 1e3\nl: 99999999999999999999\nm: 0o17\nn: 0b101\no: yes\np: +1\nq: 2026-01-02 10:00:00\n", true},
		{"key tags", "1: a\ntrue: b\nnull: c\n2026-01-01: d\n", true},
		{"unicode", "t: Grüße aus Köln\nl: [é, b, 日本]\nm: {k: ü}\n", true},
		{"unicode key", "ü: 1\n", false},
		{"plain with colon", "u: http://example.com/a#b\nt: 10:30\n", true},
		{"quotes", "a: \"x \\\" \\\\ \\n \\t\"\nb: 'it''s'\nc: \"a # b\" # c\n", true},
		{"spaces", "a:    spaced   \nb:   'q'   \n", true},
		{"no final newline", "a: 1\nb: x", true},
		{"x fields", "x-ticket: EXT-1\nkey.with.dots: 1\n", true},
		{"deep", "a:\n  b:\n    c:\n      d:\n        - e:\n            f: [1]\n", true},
		{"negative numbers", "a: -1\nb: -foo\nc: -\n", false},

		// Left to yaml.v3, which errors or reads them its own way.
		{"multi-line plain", "a: one\n  two\nb: 1\n", false},
		{"multi-line plain in sequence", "s:\n  - one\n    two\n", false},
		{"tab", "a:\t1\n", false},
		{"crlf", "a: 1\r\nb: 2\r\n", false},
		{"document marker", "---\na: 1\n", false},
		{"two documents", "a: 1\n---\nb: 2\n", false},
		{"anchor", "a: &x 1\nb: *x\n", false},
		{"merge", "a: {k: 1}\n<<: {k: 2}\n", false},
		{"tag", "a: !!str 1\n", false},
		{"custom tag", "a: !foo 1\n", false},
		{"mapping value in plain", "a: b: c\n", false},
		{"bad indentation", "a:\n  b: 1\n   c: 2\n", false},
		{"sequence as root", "- a\n- b\n", false},
		{"scalar root", "hello\n", false},
		{"flow multi-line", "a: [x,\n  y]\n", false},
		{"nested flow", "a: [[x]]\n", false},
		{"quoted key", "\"a\": 1\n", false},
		{"escapes", "a: \"\\u00e9\"\n", false},
		{"quoted multi-line", "a: \"x\n  y\"\n", false},
		{"empty sequence entry", "s:\n  -\n  - x\n", false},
		{"nested sequence", "s:\n  - - x\n", false},
		{"duplicate keys", "a: 1\na: 2\n", true},
		{"control char", "a: \x01\n", false},
		{"nel", "a: x\u0085y\n", false},
		{"indent indicator", "a: |2\n  x\n", false},
		{"empty literal", "a: |\nb: 1\n", false},
		{"literal spaces line", "a: |\n  x\n   \n  y\n", false},
		{"trailing comma", "a: [x, y,]\n", false},
		{"key with space", "a b: 1\n", false},
		{"question key", "? a\n: b\n", false},
		{"directive", "%YAML 1.2\n---\na: 1\n", false},
		{"plain ending colon", "a: b:\n", false},
		{"comment more indented after plain", "a: b\n  # c\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answered := checkFast(t, tt.name, []byte(tt.src))
			if tt.fast && !answered {
				t.Errorf("fastParse left it to yaml.v3, want it read fast")
			}
		})
	}
}

// TestFastParseRecords checks the fast parser on every example record and on generated ones:
// it must read them all, as yaml.v3 does.
func TestFastParseRecords(t *testing.T) {
	var files []string
	root := filepath.Join("..", "..", "examples")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && !strings.Contains(p, "invalid") && !strings.Contains(p, ".gitsm") {
			files = append(files, p)
		}
		return nil
	})
	gen := t.TempDir()
	if err := benchgen.Generate(gen, 200, 1); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(gen, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && !strings.Contains(p, ".gitsm") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 100 {
		t.Fatalf("got %d record files, want at least 100", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !checkFast(t, f, src) {
			t.Errorf("%s: fastParse left it to yaml.v3, want it read fast", f)
		}
	}
}

// FuzzFastParse holds the fast parser to yaml.v3: whenever it answers, its tree must be the
// one yaml.v3 builds.
func FuzzFastParse(f *testing.F) {
	for _, s := range []string{
		"a: 1\nb: [x, y]\nc: {k: v}\nd: |\n  x\n\n  y\ne: >-\n  f\n  g\n",
		"t:\n- at: 2026-01-01T00:00:00Z\n  state: new\n  note: 'it''s'\n",
		"a:\n  b:\n    - c: \"q\\\"\" # c\n      d: -1\n",
		"a: |+\n  x\n\n\nb: ~\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkFast(t, "input", src)
	})
}

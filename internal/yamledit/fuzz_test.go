package yamledit

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"
)

// FuzzSet edits arbitrary documents. Whatever the input: no panic; a failed edit leaves the
// document unchanged; a successful one re-parses, holds the value written, keeps every other
// top-level key's value, keeps the byte order mark and CRLF line endings, and adds no tab.
func FuzzSet(f *testing.F) {
	seeds := []string{
		incident, commented,
		"id: INC-1\r\nstate: new # c\r\ntimeline:\r\n  - at: x\r\n    state: new\r\n",
		"\ufeffid: INC-1\nstate: new\n",
		"id: INC-1\nstate: new",
		"resolution: {code: fixed, notes: 'x'}\ntimeline: [{at: x}]\n",
		"timeline:\n- at: a\n  state: new\n# c\n- at: b\n# end\nstate: new\n",
		"notes: |+\n  kept\n\n\nstate: new\n",
		"title: \"first\n  second\" # c\nplain: a\n  b\nempty:\n",
		"# only a comment\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), "state", "resolved", uint8(i))
	}
	f.Add([]byte(incident), "resolution.code", "no", uint8(0))
	f.Add([]byte(incident), "timeline", "2026-03-02T11:00:00Z", uint8(7))
	f.Add([]byte(incident), "description", "a\nb\n", uint8(0))
	f.Add([]byte(commented), "x-custom.links", "a,b: c", uint8(4))
	f.Add([]byte(commented), "description", "", uint8(6))

	f.Fuzz(func(t *testing.T, src []byte, p, s string, op uint8) {
		d, err := Parse(src)
		if err != nil {
			return
		}
		path := strings.Split(p, ".")
		if len(path) > 3 {
			path = path[:3]
		}
		var v any
		switch op % 8 {
		case 0, 5:
			v = s
		case 1:
			v = len(s) - 3
		case 2:
			v = len(s)%2 == 0
		case 3:
			v = nil
		case 4:
			v = strings.Split(s, ",")
		}
		switch op % 8 {
		case 5:
			err = d.SetAfter(path, v, s, "state")
		case 6:
			err = d.Delete(path...)
		case 7:
			err = d.Append(path, []KV{{"at", s}, {"state", "new"}})
		default:
			err = d.Set(path, v)
		}
		out := d.Bytes()
		if errors.Is(err, errInternal) {
			t.Fatalf("got internal error %v for %q", err, src)
		}
		if err != nil {
			if !bytes.Equal(out, src) {
				t.Fatalf("failed edit (%v): got document %q, want it unchanged %q", err, out, src)
			}
			return
		}
		if _, err := Parse(out); err != nil {
			t.Fatalf("got document %q that does not parse (%v), from %q", out, err, src)
		}
		var before, after yaml.Node
		if err := yaml.Unmarshal(src, &before); err != nil {
			t.Fatalf("yaml.v3 rejects the input it accepted before: %v", err)
		}
		if err := yaml.Unmarshal(out, &after); err != nil {
			t.Fatalf("got document %q that yaml.v3 rejects: %v", out, err)
		}
		got, found := lookup(&after, path)
		switch op % 8 {
		case 6:
			if found {
				t.Fatalf("Delete(%q): got the key still in %q", path, out)
			}
		case 7:
			if !found || got.Kind != yaml.SequenceNode || len(got.Content) == 0 {
				t.Fatalf("Append(%q): got no list in %q", path, out)
			}
			item := got.Content[len(got.Content)-1]
			if at, ok := lookup(item, []string{"at"}); !ok || !holds(at, s) {
				t.Fatalf("Append(%q, %q): got last item without it in %q", path, s, out)
			}
		default:
			if !found || !holds(got, v) {
				t.Fatalf("Set(%q, %#v): got document %q not holding it (from %q)", path, v, out, src)
			}
		}
		for k, want := range topLevel(t, &before) {
			if k == path[0] {
				continue
			}
			if diff := cmp.Diff(want, topLevel(t, &after)[k], cmpopts.EquateNaNs()); diff != "" {
				t.Fatalf("untouched key %q changed (-want +got):\n%s\nin %q from %q", k, diff, out, src)
			}
		}
		if bytes.HasPrefix(src, bom) != bytes.HasPrefix(out, bom) {
			t.Fatalf("byte order mark not kept: %q from %q", out, src)
		}
		if bytes.Count(out, []byte("\t")) > bytes.Count(src, []byte("\t")) {
			t.Fatalf("got a new tab in %q from %q", out, src)
		}
		crlf := func(b []byte) bool {
			return bytes.Contains(b, []byte("\r\n")) && bytes.Count(b, []byte("\n")) == bytes.Count(b, []byte("\r\n"))
		}
		// An edit that leaves no line at all (deleting the only key) has no line ending to keep.
		if crlf(src) && bytes.Contains(out, []byte("\n")) && !crlf(out) {
			t.Fatalf("CRLF not kept: %q from %q", out, src)
		}
	})
}

// lookup walks a key path from a document or mapping node, independently of Doc.
func lookup(n *yaml.Node, path []string) (*yaml.Node, bool) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, false
		}
		n = n.Content[0]
	}
	for _, k := range path {
		if n.Kind != yaml.MappingNode {
			return nil, false
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				n, found = n.Content[i+1], true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return n, true
}

// holds reports whether node n reads as v.
func holds(n *yaml.Node, v any) bool {
	switch x := v.(type) {
	case nil:
		return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
	case string:
		tag := n.ShortTag()
		return n.Kind == yaml.ScalarNode && (tag == "!!str" || tag == "!!timestamp") && n.Value == x
	case int:
		var got int
		return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" && n.Decode(&got) == nil && got == x
	case bool:
		var got bool
		return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" && n.Decode(&got) == nil && got == x
	case []string:
		if n.Kind != yaml.SequenceNode || len(n.Content) != len(x) {
			return false
		}
		for i, s := range x {
			if !holds(n.Content[i], s) {
				return false
			}
		}
		return true
	}
	return false
}

// topLevel decodes the value of each top-level key.
func topLevel(t *testing.T, doc *yaml.Node) map[string]any {
	out := map[string]any{}
	root, ok := lookup(doc, nil)
	if !ok || root.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		var v any
		if err := root.Content[i+1].Decode(&v); err != nil {
			t.Fatalf("decode %q: %v", root.Content[i].Value, err)
		}
		out[root.Content[i].Value] = v
	}
	return out
}

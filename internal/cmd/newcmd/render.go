package newcmd

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/yamledit"
)

// fields is an ordered mapping of a record being built: values are strings, int64, float64,
// bools, lists ([]any of scalars or []yamledit.KV) and nested *fields.
type fields struct {
	keys []string
	vals map[string]any
}

func newFields() *fields { return &fields{vals: map[string]any{}} }

// set puts v at a dotted path, creating nested mappings as needed.
func (f *fields) set(path []string, v any) error {
	cur := f
	for i, k := range path[:len(path)-1] {
		next, ok := cur.vals[k]
		if !ok {
			sub := newFields()
			cur.put(k, sub)
			cur = sub
			continue
		}
		sub, ok := next.(*fields)
		if !ok {
			return fmt.Errorf("%s is not a mapping", strings.Join(path[:i+1], "."))
		}
		cur = sub
	}
	cur.put(path[len(path)-1], v)
	return nil
}

func (f *fields) put(k string, v any) {
	if _, ok := f.vals[k]; !ok {
		f.keys = append(f.keys, k)
	}
	f.vals[k] = v
}

func (f *fields) del(k string) {
	if _, ok := f.vals[k]; !ok {
		return
	}
	delete(f.vals, k)
	f.keys = slices.DeleteFunc(f.keys, func(s string) bool { return s == k })
}

// order sorts the top-level keys as the schema lists them; fields it does not list (x-
// fields) follow in the order given, and the timeline comes last.
func (f *fields) order(schemaOrder []string) {
	rank := func(k string) int {
		if k == "timeline" {
			return len(schemaOrder) + 1
		}
		if i := slices.Index(schemaOrder, k); i >= 0 {
			return i
		}
		return len(schemaOrder)
	}
	slices.SortStableFunc(f.keys, func(a, b string) int { return rank(a) - rank(b) })
}

// render writes the record as YAML in the style of the examples: block mappings and lists
// indented by two, timestamps plain, multi-line text as literal blocks.
func render(f *fields) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f.node()); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (f *fields) node() *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range f.keys {
		n.Content = append(n.Content, scalar(k), valueNode(f.vals[k]))
	}
	return n
}

func valueNode(v any) *yaml.Node {
	switch v := v.(type) {
	case *fields:
		return v.node()
	case []yamledit.KV:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, kv := range v {
			n.Content = append(n.Content, scalar(kv.Key), valueNode(kv.Value))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		width := 0
		for _, x := range v {
			item := valueNode(x)
			n.Content = append(n.Content, item)
			width += len(item.Value) + 2
			if item.Kind != yaml.ScalarNode || item.Style != 0 {
				width = 1 << 20
			}
		}
		// Short lists of plain values read best on one line, as gitsm set writes them too.
		if len(v) > 0 && width <= 60 {
			n.Style = yaml.FlowStyle
		}
		return n
	case []string:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, x := range v {
			n.Content = append(n.Content, scalar(x))
		}
		return n
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v, 'g', -1, 64)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case string:
		return scalar(v)
	}
	return scalar(fmt.Sprint(v))
}

// oldBools are the YAML 1.1 booleans; gitsm reads them as strings, other tools may not, so
// they are quoted.
var oldBools = []string{"y", "yes", "n", "no", "on", "off"}

var clock = regexp.MustCompile(`^[0-9]+(:[0-5]?[0-9])+$`)

func scalar(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case isTimestamp(s):
		// gitsm reads a plain !!timestamp as the string it is written as.
		n.Tag = "!!timestamp"
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case slices.Contains(oldBools, strings.ToLower(s)), clock.MatchString(s):
		// YAML 1.1 tools read these as booleans and sexagesimal numbers.
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func isTimestamp(s string) bool {
	if len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

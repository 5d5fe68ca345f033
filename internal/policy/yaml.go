package policy

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxDepth bounds the nesting of a policy document; a real policy is a handful of levels deep.
const maxDepth = 64

// position is a 1-based line and column in the policy file.
type position struct{ line, column int }

// decoded is a YAML document as plain JSON-like data, with the position of every value by its
// JSON pointer ("" is the document itself).
type decoded struct {
	value any
	pos   map[string]position
}

// decodeYAML reads exactly one YAML document into JSON-like values (string, bool, int64,
// float64, nil, []any, map[string]any). It refuses what a policy never needs and what would make
// the data ambiguous: several documents, duplicate or non-string keys, anchors, aliases and
// merge keys, and unknown tags.
func decodeYAML(data []byte) (*decoded, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problem{Line: 1, Column: 1, Message: "the policy file is empty"}
		}
		return nil, yamlProblem(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Problem{Line: extra.Line, Column: extra.Column, Message: "more than one YAML document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlProblem(err)
	}
	d := &decoded{pos: map[string]position{}}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) != 1 {
			return nil, &Problem{Line: 1, Column: 1, Message: "the policy file is empty"}
		}
		root = root.Content[0]
	}
	v, err := d.convert(root, "", 0)
	if err != nil {
		return nil, err
	}
	d.value = v
	return d, nil
}

func (d *decoded) convert(n *yaml.Node, ptr string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &Problem{Line: n.Line, Column: n.Column, Message: "nested too deeply"}
	}
	d.pos[ptr] = position{n.Line, n.Column}
	if n.Anchor != "" {
		return nil, &Problem{Line: n.Line, Column: n.Column, Message: "anchors are not allowed in the policy"}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, &Problem{Line: n.Line, Column: n.Column, Message: "aliases are not allowed in the policy"}
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
				if k.Tag == "!!merge" {
					return nil, &Problem{Line: k.Line, Column: k.Column, Message: "merge keys (<<) are not allowed in the policy"}
				}
				return nil, &Problem{Line: k.Line, Column: k.Column, Message: fmt.Sprintf("key %q is not a string", k.Value)}
			}
			if _, dup := m[k.Value]; dup {
				return nil, &Problem{Line: k.Line, Column: k.Column, Message: fmt.Sprintf("duplicate key %q", k.Value)}
			}
			cv, err := d.convert(v, ptr+"/"+escapePointer(k.Value), depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = cv
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			cv, err := d.convert(c, ptr+"/"+strconv.Itoa(i), depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, cv)
		}
		return s, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, &Problem{Line: n.Line, Column: n.Column, Message: "unsupported YAML node"}
}

func scalar(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!!str", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &Problem{Line: n.Line, Column: n.Column, Message: err.Error()}
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, &Problem{Line: n.Line, Column: n.Column, Message: fmt.Sprintf("integer %s out of range", n.Value)}
		}
		return i, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, &Problem{Line: n.Line, Column: n.Column, Message: err.Error()}
		}
		return f, nil
	}
	return nil, &Problem{Line: n.Line, Column: n.Column, Message: fmt.Sprintf("unsupported tag %s", n.Tag)}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// yamlProblem turns a yaml.v3 error ("yaml: line 3: mapping values are not allowed…") into a
// Problem carrying the line.
func yamlProblem(err error) *Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := &Problem{Message: msg}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ":"); ok {
			if line, convErr := strconv.Atoi(num); convErr == nil {
				p.Line = line
				p.Message = strings.TrimSpace(tail)
			}
		}
	}
	return p
}

// at returns the position of the value at ptr, or of its nearest ancestor that has one.
func (d *decoded) at(ptr string) position {
	for {
		if p, ok := d.pos[ptr]; ok {
			return p
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return d.pos[""]
		}
		ptr = ptr[:i]
	}
}

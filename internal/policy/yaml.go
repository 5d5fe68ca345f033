package policy

import (
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/yamldoc"
)

// position is a 1-based line and column in the policy file.
type position struct{ line, column int }

// decoded is the policy document as plain JSON-like data, with its node tree for positions.
type decoded struct {
	value any
	root  *yaml.Node
}

// decodeYAML reads the policy through yamldoc, the project's one path from YAML to the schema:
// one document, no duplicate or non-string keys, no anchors, aliases or custom tags.
func decodeYAML(data []byte) (*decoded, []Problem) {
	root, err := yamldoc.Parse(data)
	if err != nil {
		var ye *yamldoc.Error
		if errors.As(err, &ye) {
			return nil, []Problem{{Line: ye.Line, Column: ye.Column, Message: ye.Msg}}
		}
		return nil, []Problem{{Message: err.Error()}}
	}
	v, errs := yamldoc.Value(root)
	if len(errs) > 0 {
		problems := make([]Problem, len(errs))
		for i, e := range errs {
			problems[i] = Problem{Line: e.Line, Column: e.Column, Message: e.Msg}
		}
		return nil, problems
	}
	return &decoded{value: v, root: root}, nil
}

// at returns the position of the value at a JSON pointer, or of its nearest existing ancestor.
func (d *decoded) at(ptr string) position {
	n := yamldoc.Locate(d.root, ptr)
	return position{n.Line, n.Column}
}

// keyAt returns the position of the key name in the mapping at ptr, or of the mapping.
func (d *decoded) keyAt(ptr, name string) position {
	if k := yamldoc.Key(yamldoc.Locate(d.root, ptr), name); k != nil {
		return position{k.Line, k.Column}
	}
	return d.at(ptr)
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

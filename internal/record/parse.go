package record

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/yamldoc"
)

// APIVersion is the only record apiVersion gitsm reads.
const APIVersion = "gitsm/v1"

// Parsed is one record file read into its node tree and its JSON-like value.
type Parsed struct {
	Path string
	Root *yaml.Node
	Data map[string]any
	Kind Kind
	ID   string
}

// Node returns the value node of a top-level field, or the root mapping when it is absent.
func (p *Parsed) Node(field string) *yaml.Node {
	return yamldoc.Locate(p.Root, "/"+field)
}

// Finding makes a finding of this record at node n.
func (p *Parsed) Finding(n *yaml.Node, sev finding.Severity, rule, format string, args ...any) finding.Finding {
	f := finding.Finding{Path: p.Path, Severity: sev, Rule: rule, Message: fmt.Sprintf(format, args...), ID: p.ID}
	if n != nil {
		f.Line, f.Column = n.Line, n.Column
	}
	return f
}

// Parse reads record file content. folder is the kind whose folder holds the file ("" when the
// file lies outside the kind folders and was named on the command line). It returns nil and the
// findings when the content is not a record at all (rules yaml, file, kind); a non-nil Parsed may
// still come with findings (id.mismatch) and goes on to the schema and the rules.
func Parse(rel string, folder Kind, prefixes map[string]string, src []byte) (*Parsed, []finding.Finding) {
	if f := CheckText(rel, src); f != nil {
		return nil, []finding.Finding{*f}
	}
	root, err := yamldoc.Parse(src)
	if err != nil {
		f := finding.Finding{Path: rel, Line: 1, Column: 1, Severity: finding.Error, Rule: "yaml", Message: err.Error()}
		if ye, ok := err.(*yamldoc.Error); ok {
			f.Line, f.Column, f.Message = ye.Line, ye.Column, ye.Msg
		}
		f.Line, f.Column = within(src, f.Line, f.Column)
		return nil, []finding.Finding{f}
	}
	p := &Parsed{Path: rel, Root: root}
	if root.Kind != yaml.MappingNode {
		f := p.Finding(root, finding.Error, "yaml", "a record is a YAML mapping of fields, not a %s", nodeKind(root))
		f.Line, f.Column = within(src, f.Line, f.Column)
		return nil, []finding.Finding{f}
	}
	v, errs := yamldoc.Value(root)
	if len(errs) > 0 {
		out := make([]finding.Finding, 0, len(errs))
		for _, e := range errs {
			out = append(out, finding.Finding{Path: rel, Line: e.Line, Column: e.Column, Severity: finding.Error, Rule: "yaml", Message: e.Msg})
		}
		return nil, out
	}
	p.Data = v.(map[string]any)
	p.ID, _ = p.Data["id"].(string)

	var out []finding.Finding
	if api, ok := p.Data["apiVersion"]; !ok {
		out = append(out, p.Finding(root, finding.Error, "kind", "missing apiVersion; add `apiVersion: %s`", APIVersion))
	} else if api != APIVersion {
		out = append(out, p.Finding(p.Node("apiVersion"), finding.Error, "kind", "unknown apiVersion %v; gitsm reads %s", api, APIVersion))
	}
	kindValue, present := p.Data["kind"]
	kind, _ := kindValue.(string)
	kindInfo, known := Lookup(Kind(kind))
	if !known {
		if !present {
			out = append(out, p.Finding(root, finding.Error, "kind", "missing kind; add one of %s", kindList()))
		} else {
			out = append(out, p.Finding(p.Node("kind"), finding.Error, "kind", "unknown kind %v; use one of %s", kindValue, kindList()))
		}
		return nil, out
	}
	p.Kind = kindInfo.Kind // the constant, not a slice of the file's content
	if len(out) > 0 {
		return nil, out
	}
	if folder != "" && folder != p.Kind {
		info, _ := Lookup(p.Kind)
		out = append(out, p.Finding(p.Node("kind"), finding.Error, "id.mismatch",
			"a %s record lies under %s/; move it under %s/", p.Kind, mustFolder(folder), info.Folder))
	}
	if p.ID != "" {
		if stem := Stem(rel); stem != p.ID {
			out = append(out, p.Finding(p.Node("id"), finding.Error, "id.mismatch",
				"id %s does not match the file name %s.yaml; rename the file to %s.yaml or fix the id", p.ID, stem, p.ID))
		}
		info, _ := Lookup(p.Kind)
		if m := NumberedPattern.FindStringSubmatch(p.ID); info.Numbered && m != nil && m[1] != prefixes[info.Key] {
			out = append(out, p.Finding(p.Node("id"), finding.Error, "id.mismatch",
				"id %s has prefix %s, but %s IDs start with %s- (prefixes in .gitsm/config.yaml)", p.ID, m[1], p.Kind, prefixes[info.Key]))
		}
	}
	return p, out
}

func mustFolder(k Kind) string {
	info, _ := Lookup(k)
	return info.Folder
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k.Kind)
	}
	return strings.Join(names, ", ")
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	}
	return "node"
}

// refSpec says which fields of a kind reference what.
type refSpec struct {
	pointer string // JSON pointer of a string or a list of strings
	kinds   []Kind
	class   string
	except  string // a value that is not a reference (the calendar 24x7)
}

var refSpecs = map[Kind][]refSpec{
	Incident: {
		{pointer: "/service", kinds: []Kind{CI}, class: "service"},
		{pointer: "/cis", kinds: []Kind{CI}},
		{pointer: "/sla", kinds: []Kind{SLA}},
		{pointer: "/caused_by", kinds: []Kind{Change}},
		{pointer: "/problem", kinds: []Kind{Problem}},
		{pointer: "/parent", kinds: []Kind{Incident}},
	},
	Problem: {
		{pointer: "/service", kinds: []Kind{CI}, class: "service"},
		{pointer: "/cis", kinds: []Kind{CI}},
		{pointer: "/fix_change", kinds: []Kind{Change}},
	},
	Change: {
		{pointer: "/service", kinds: []Kind{CI}, class: "service"},
		{pointer: "/cis", kinds: []Kind{CI}},
		{pointer: "/fixes", kinds: []Kind{Incident, Problem}},
		{pointer: "/template", kinds: []Kind{Template}},
	},
	CI: {
		{pointer: "/depends_on", kinds: []Kind{CI}},
		{pointer: "/runs_on", kinds: []Kind{CI}},
		{pointer: "/sla", kinds: []Kind{SLA}},
		{pointer: "/maintenance_window", kinds: []Kind{Window}},
	},
	SLA: {
		{pointer: "/applies_to/services", kinds: []Kind{CI}, class: "service"},
		{pointer: "/applies_to/cis", kinds: []Kind{CI}},
		{pointer: "/calendar", kinds: []Kind{Calendar}, except: "24x7"},
	},
}

// Summary extracts the record summary: identity, listing fields and references. The summary
// outlives the parsed document, so it copies the strings it keeps: they may be slices of the
// whole file's content, which it must not hold on to.
func (p *Parsed) Summary() *Record {
	r := &Record{Path: p.Path, Kind: p.Kind, ID: strings.Clone(p.ID)}
	title, _ := p.Data["title"].(string)
	r.Title = strings.Clone(title)
	if n, ok := yamldoc.Find(p.Root, "/id"); ok {
		r.Line, r.Column = n.Line, n.Column
	}
	for _, f := range positioned {
		if n, ok := yamldoc.Find(p.Root, "/"+f); ok {
			r.Pos = append(r.Pos, FieldPos{Field: f, Line: n.Line, Column: n.Column})
		}
	}
	// The encoding copies every string it keeps: they may be slices of the whole file's
	// content, which the summary must not hold on to.
	keys := make([]string, 0, len(p.Data))
	for k := range p.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var enc []byte
	for _, k := range keys {
		switch v := p.Data[k].(type) {
		case string, int64, float64, bool:
			enc, _ = appendField(enc, k, v)
		case []any:
			if ss, ok := stringList(v); ok {
				enc, _ = appendField(enc, k, ss)
			}
		}
	}
	r.Fields = Fields{string(enc)}
	r.Facts = extractFacts(p.Data)
	for _, spec := range refSpecs[p.Kind] {
		n, ok := yamldoc.Find(p.Root, spec.pointer)
		if !ok {
			continue
		}
		var items []*yaml.Node
		switch n.Kind {
		case yaml.ScalarNode:
			items = []*yaml.Node{n}
		case yaml.SequenceNode:
			items = n.Content
		}
		field := strings.ReplaceAll(strings.TrimPrefix(spec.pointer, "/"), "/", ".")
		for _, item := range items {
			if item.Kind != yaml.ScalarNode || item.Tag != "!!str" || item.Value == "" || item.Value == spec.except {
				continue
			}
			// Kinds is shared between the refs of one spec (and clipped, so that an append
			// copies): a copy for each of 100,000 records' references costs megabytes.
			r.Refs = append(r.Refs, Ref{Field: field, Target: strings.Clone(item.Value), Kinds: slices.Clip(spec.kinds),
				Class: spec.class, Line: item.Line, Column: item.Column})
		}
	}
	return r
}

func stringList(v []any) ([]string, bool) {
	out := make([]string, 0, len(v))
	for _, x := range v {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// within keeps a position inside src: the YAML parser places an empty document, and some
// errors at the end of the input, on the line after the last one (a file of just `---` would
// get a finding at line 2 of 1). A position past the last line becomes the end of the last
// line. Lines end as YAML ends them (LF, CR LF, CR, NEL, LS or PS), and as in an editor a
// break at the very end starts no new line.
func within(src []byte, line, col int) (int, int) {
	lines, start, end := 1, 0, len(src) // the last line is src[start:end]
	for i := 0; i < len(src); {
		j := i
		r, size := utf8.DecodeRune(src[i:])
		i += size
		switch r {
		case '\r':
			if i < len(src) && src[i] == '\n' {
				i++
			}
			fallthrough
		case '\n', '\u0085', '\u2028', '\u2029':
			if i == len(src) {
				end = j
				break
			}
			lines++
			start = i
		}
	}
	if line <= lines {
		return line, col
	}
	return lines, utf8.RuneCount(src[start:end]) + 1
}

package authoring

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/output"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/yamledit"
)

// Editor edits one record file in place through yamledit, so that everything the edit is not
// about stays byte for byte, and writes it back only when the result validates.
type Editor struct {
	Engine *check.Engine
	Fields *Fields
	Root   string
	Rel    string          // the file, relative to Root
	Old    []byte          // the file as read
	Record *record.Parsed  // the record as read
	Doc    *yamledit.Doc   // the edited document
	Notes  []string        // what the edit did besides what was asked, for the user
	given  map[string]bool // top-level fields the user set
	unlock func()
}

// ErrChanged says the record file changed between reading and writing it (someone edited it
// by hand meanwhile): nothing was written. The command exits 2; run it again.
var ErrChanged = errors.New("changed while editing")

// Open finds the record with this ID and reads it for editing. A file that is not a record
// at all (bad YAML, unknown kind) cannot be edited: fix it by hand first.
func Open(root, id string) (*Editor, error) {
	engine, err := check.New(root)
	if err != nil {
		return nil, fmt.Errorf("%w; fix the file and run again", err)
	}
	fields, err := LoadFields(engine.Config)
	if err != nil {
		return nil, err
	}
	rel, err := Find(root, id, engine.Config.Prefixes)
	if err != nil {
		return nil, err
	}
	unlock, err := Lock(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	ed, err := open(engine, fields, root, rel)
	if err != nil {
		unlock()
		return nil, err
	}
	ed.unlock = unlock
	return ed, nil
}

// Close releases the record's edit lock. Call it when done, after Save.
func (e *Editor) Close() {
	if e.unlock != nil {
		e.unlock()
		e.unlock = nil
	}
}

func open(engine *check.Engine, fields *Fields, root, rel string) (*Editor, error) {
	src, ff := record.ReadFile(root, rel, engine.Config.MaxFileSize)
	if ff != nil {
		return nil, &command.CheckFailedError{Msg: FindingsText([]finding.Finding{*ff})}
	}
	file, p := engine.Analyze(rel, src)
	if p == nil {
		return nil, &command.CheckFailedError{Msg: FindingsText(file.Findings) + "\ngitsm cannot edit this file until it is a readable record"}
	}
	doc, err := yamledit.Parse(src)
	if err != nil {
		return nil, &command.CheckFailedError{Msg: fmt.Sprintf("%s: gitsm cannot edit this file in place: %v", rel, err)}
	}
	return &Editor{Engine: engine, Fields: fields, Root: root, Rel: rel, Old: src, Record: p, Doc: doc,
		given: map[string]bool{}}, nil
}

// Kind is the kind of the record being edited.
func (e *Editor) Kind() record.Kind { return e.Record.Kind }

// Str returns a top-level string field of the record as read.
func (e *Editor) Str(field string) string {
	s, _ := e.Record.Data[field].(string)
	return s
}

// Has reports whether the edited document holds a top-level field.
func (e *Editor) Has(field string) bool {
	n, ok := e.Doc.Get(field)
	return ok && !(n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// Given reports whether the user set a top-level field (or a field below it).
func (e *Editor) Given(field string) bool { return e.given[field] }

// Apply makes one `field=value` edit, typed by the schema.
func (e *Editor) Apply(a Assignment) error {
	shape, err := e.Fields.Lookup(e.Kind(), a.Path)
	if err != nil {
		return &command.CheckFailedError{Msg: fmt.Sprintf("%s: %v", a.Field(), err)}
	}
	e.given[a.Path[0]] = true
	if a.Clear {
		if _, ok := e.Doc.Get(a.Path...); !ok {
			return nil
		}
		if err := e.Doc.Delete(a.Path...); err != nil {
			return fmt.Errorf("%s: remove %s: %w", e.Rel, a.Field(), err)
		}
		return nil
	}
	v, err := shape.Parse(a.Raw)
	if err != nil {
		return &command.CheckFailedError{Msg: fmt.Sprintf("%s: %v", a.Field(), err)}
	}
	if a.Append || a.Remove {
		if shape.Type != "array" {
			return &command.CheckFailedError{Msg: fmt.Sprintf("%s: not a list; use %s=", a.Field(), a.Field())}
		}
		list, ok := e.list(a.Path, shape)
		if !ok {
			return &command.CheckFailedError{Msg: fmt.Sprintf("%s: += and -= work on lists of plain values; give the whole list with %s=", a.Field(), a.Field())}
		}
		for _, item := range v.([]any) {
			i := slices.Index(list, item)
			switch {
			case a.Append && i < 0:
				list = append(list, item)
			case a.Remove && i >= 0:
				list = slices.Delete(list, i, i+1)
			}
		}
		if len(list) == 0 {
			return e.Delete(a.Path...)
		}
		v = list
	}
	return e.Set(a.Path, v)
}

// list returns the items of the list at path as it is now, typed as the schema types the
// list's items (so that 50 in a list of numbers is the number an edit compares with). It
// reports false for a list with an item that is not a plain value, such as an SLA's goals:
// an edit of single items would lose them.
func (e *Editor) list(path []string, shape *Shape) ([]any, bool) {
	n, ok := e.Doc.Get(path...)
	if !ok || n.Kind != yaml.SequenceNode {
		return nil, true
	}
	out := make([]any, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			return nil, false
		}
		if v, err := shape.item().parseItem(item.Value); err == nil {
			out = append(out, v)
		} else {
			out = append(out, item.Value)
		}
	}
	return out, true
}

// Set writes v at path, a new top-level field going where the schema lists it.
func (e *Editor) Set(path []string, v any) error {
	if err := e.Doc.SetAfter(path, v, e.after(path)...); err != nil {
		return fmt.Errorf("%s: set %s: %w", e.Rel, strings.Join(path, "."), err)
	}
	return nil
}

// Delete removes the field at path when it is there.
func (e *Editor) Delete(path ...string) error {
	if _, ok := e.Doc.Get(path...); !ok {
		return nil
	}
	if err := e.Doc.Delete(path...); err != nil {
		return fmt.Errorf("%s: remove %s: %w", e.Rel, strings.Join(path, "."), err)
	}
	return nil
}

// after lists the keys a new key at path goes after, nearest first: the fields the schema
// lists before it. A field the schema does not list (x- fields) goes before the timeline.
func (e *Editor) after(path []string) []string {
	parent := e.Fields.Kind(e.Kind())
	for _, k := range path[:len(path)-1] {
		if parent == nil {
			break
		}
		parent = parent.Props[k]
	}
	// When path's intermediate mappings are missing, the outermost missing one is inserted.
	depth := 0
	for depth < len(path)-1 {
		if _, ok := e.Doc.Get(path[:depth+1]...); !ok {
			break
		}
		depth++
	}
	key := path[depth]
	var order []string
	if depth == 0 {
		order = e.Fields.Kind(e.Kind()).Order
	} else if parent != nil {
		order = parent.Order
	}
	if i := slices.Index(order, key); i >= 0 {
		before := slices.Clone(order[:i])
		slices.Reverse(before)
		return before
	}
	if depth == 0 {
		if root, ok := e.Doc.Get(); ok {
			for i := 2; i < len(root.Content); i += 2 {
				if root.Content[i].Value == "timeline" {
					return []string{root.Content[i-2].Value}
				}
			}
		}
	}
	return nil
}

// Priority keeps an incident's or problem's priority in step with the matrix when impact or
// urgency changed and the user neither gave a priority nor explains an override.
func (e *Editor) Priority() error {
	if e.Kind() != record.Incident && e.Kind() != record.Problem {
		return nil
	}
	if e.given["priority"] || !(e.given["impact"] || e.given["urgency"]) || !e.Has("priority") || e.Has("priority_reason") {
		return nil
	}
	impact, ok1 := e.intField("impact")
	urgency, ok2 := e.intField("urgency")
	if !ok1 || !ok2 {
		return nil
	}
	want := e.Engine.Config.Priority(impact, urgency)
	old := e.Str("priority")
	if want == "" || want == old {
		return nil
	}
	if err := e.Set([]string{"priority"}, want); err != nil {
		return err
	}
	e.Notes = append(e.Notes, fmt.Sprintf("priority %s → %s (impact %d × urgency %d)", old, want, impact, urgency))
	return nil
}

func (e *Editor) intField(name string) (int, bool) {
	n, ok := e.Doc.Get(name)
	if !ok || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, false
	}
	var i int
	_, err := fmt.Sscan(n.Value, &i)
	return i, err == nil
}

// Result checks the edited record on its own. It returns the new content, the parsed record
// (nil when it is not one) and the findings of severity error.
func (e *Editor) Result() ([]byte, *record.Parsed, []finding.Finding) {
	src := e.Doc.Bytes()
	file, p := e.Engine.Analyze(e.Rel, src)
	var errs []finding.Finding
	for _, f := range file.Findings {
		if f.Severity == finding.Error {
			errs = append(errs, f)
		}
	}
	if p != nil && len(errs) == 0 {
		errs = RefFindings(e.Engine, e.Record.Summary(), p.Summary())
	}
	return src, p, errs
}

// Save checks the edited record and writes it atomically, or refuses (exit 1, the findings in
// the message) and writes nothing. It reports whether the file changed.
func (e *Editor) Save() (bool, error) {
	src, _, errs := e.Result()
	if len(errs) > 0 {
		return false, &command.CheckFailedError{Msg: FindingsText(errs) + "\nnothing written: " + e.Rel + " would not validate"}
	}
	if string(src) == string(e.Old) {
		return false, nil
	}
	// The edit lock keeps other gitsm runs out; this catches an edit by hand meanwhile.
	now, ff := record.ReadFile(e.Root, e.Rel, e.Engine.Config.MaxFileSize)
	if ff != nil || string(now) != string(e.Old) {
		return false, fmt.Errorf("%s: %w; nothing written, run the command again", e.Rel, ErrChanged)
	}
	if err := WriteFile(filepath.Join(e.Root, filepath.FromSlash(e.Rel)), src); err != nil {
		return false, fmt.Errorf("write %s: %w", e.Rel, err)
	}
	return true, nil
}

// Missing lists what the schema requires of the edited record's state or type that it lacks,
// as `--set` flags to pass: "--set resolution.code=VALUE".
func (e *Editor) Missing(p *record.Parsed) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, v := range e.Engine.Schemas.Validate(string(p.Kind), p.Data) {
		if v.Keyword != "required" {
			continue
		}
		base := strings.ReplaceAll(strings.TrimPrefix(v.Pointer, "/"), "/", ".")
		if strings.Trim(strings.ReplaceAll(base, ".", ""), "0123456789") == "" && base != "" {
			continue // inside a list: not something --set writes
		}
		for _, m := range v.Missing {
			field := m
			if base != "" {
				field = base + "." + m
			}
			out = append(out, e.flagFor(field))
		}
	}
	return out
}

// flagFor shows the --set flag that supplies a field: its choices or type, and for a mapping
// its required fields.
func (e *Editor) flagFor(field string) string {
	path := strings.Split(field, ".")
	s, err := e.Fields.Lookup(e.Kind(), path)
	if err != nil {
		return "--set " + field + "=VALUE"
	}
	if s.Type == "object" && len(s.Required) > 0 {
		var parts []string
		for _, r := range s.Required {
			parts = append(parts, "--set "+field+"."+r+"="+s.Props[r].Hint())
		}
		return strings.Join(parts, " ")
	}
	return "--set " + field + "=" + s.Hint()
}

// FindingsText renders findings as `gitsm validate` prints them, one a line.
func FindingsText(fs []finding.Finding) string {
	var b strings.Builder
	_ = output.Text(&b, output.Report{Findings: fs}, output.Options{})
	return strings.TrimRight(b.String(), "\n")
}

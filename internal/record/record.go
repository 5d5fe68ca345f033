// Package record knows what a record file is: the kinds and their folders, how a file is read
// safely from the work tree, and the summary of a record that indexes, references and listings
// need without keeping the whole document.
package record

import (
	"github.com/gitsm/gitsm/internal/finding"

	"path"
	"regexp"
	"strings"
)

// Kind is a record kind as written in the `kind` field.
type Kind string

// The record kinds.
const (
	Incident Kind = "Incident"
	Problem  Kind = "Problem"
	Change   Kind = "Change"
	CI       Kind = "CI"
	SLA      Kind = "SLA"
	Calendar Kind = "Calendar"
)

// Pseudo-kinds that references can point to: they live in .gitsm/config.yaml, not in files.
const (
	Template Kind = "template"
	Window   Kind = "maintenance window"
)

// Info describes one kind: its folder, its config key and whether its IDs are numbered.
type Info struct {
	Kind     Kind
	Folder   string
	Key      string // lower-case name used in config and on the command line
	Numbered bool
}

// Kinds lists every record kind in a stable order.
var Kinds = []Info{
	{Incident, "incidents", "incident", true},
	{Problem, "problems", "problem", true},
	{Change, "changes", "change", true},
	{CI, "cis", "ci", false},
	{SLA, "slas", "sla", false},
	{Calendar, "calendars", "calendar", false},
}

// Lookup returns the Info of a kind.
func Lookup(k Kind) (Info, bool) {
	for _, i := range Kinds {
		if i.Kind == k {
			return i, true
		}
	}
	return Info{}, false
}

// FolderKind returns the kind whose folder a repository-relative slash path lies under.
func FolderKind(rel string) (Kind, bool) {
	top, _, _ := strings.Cut(rel, "/")
	for _, i := range Kinds {
		if i.Folder == top {
			return i.Kind, true
		}
	}
	return "", false
}

// SlugPattern is the form of CI, SLA and Calendar IDs.
var SlugPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// NumberedPattern is the form of Incident, Problem and Change IDs.
var NumberedPattern = regexp.MustCompile(`^([A-Z][A-Z0-9]{0,9})-([0-9]{1,12})$`)

// ValidID reports whether s has the form of an ID of any kind. Commands check IDs given on the
// command line with it before they use them in a path.
func ValidID(s string) bool {
	return SlugPattern.MatchString(s) || NumberedPattern.MatchString(s)
}

// Describe names what a record is, for messages: "an incident", "a CI", "a normal change"
// (or "a change" when the type is unknown).
func Describe(kind Kind, changeType string) string {
	if kind == Change && changeType != "" {
		return Article(changeType) + " " + changeType + " change"
	}
	name := strings.ToLower(string(kind))
	if kind == CI {
		name = "CI"
	}
	return Article(name) + " " + name
}

// Article returns the indefinite article for word: "an" before a vowel, else "a".
func Article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

// Stem returns a file name without folder and extension.
func Stem(p string) string {
	return strings.TrimSuffix(path.Base(p), path.Ext(p))
}

// Ref is one reference from a record to another record (or to a template or window of the
// config), with the position of the referencing value.
type Ref struct {
	Field  string `json:"field"`
	Target string `json:"target"`
	Kinds  []Kind `json:"kinds"`           // shared between records: read it, never write to it
	Class  string `json:"class,omitempty"` // the CI class the target must have, if any
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// Record is the summary of one record that everything after per-file checking works from.
// Fields holds the top-level scalar and scalar-list fields, which listings filter and sort on.
type Record struct {
	Path   string `json:"path"`
	Kind   Kind   `json:"kind"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Fields Fields `json:"fields"`
	Refs   []Ref  `json:"refs,omitempty"`
	// Pos holds the line and column of the few fields that rules across records point at
	// (planned_start, planned_end), in the order of positioned.
	Pos []FieldPos `json:"pos,omitempty"`
	// Facts holds the nested values that reports and SLA clocks need (see facts.go):
	// "timeline[].at", "timeline[].state", an SLA's "goals[].priority" …
	Facts Fields `json:"-"`
}

// FieldPos is where a top-level field's value is.
type FieldPos struct {
	Field  string `json:"field"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// positioned are the fields whose positions a Record keeps.
var positioned = []string{"planned_start", "planned_end"}

// PosOf returns the line and column of a field's value, if the record keeps it.
func (r *Record) PosOf(field string) (line, column int, ok bool) {
	for _, p := range r.Pos {
		if p.Field == field {
			return p.Line, p.Column, true
		}
	}
	return 0, 0, false
}

// String returns a field of the summary as a string, or "".
func (r *Record) String(field string) string { return r.Fields.String(field) }

// Strings returns a list field of the summary, or nil.
func (r *Record) Strings(field string) []string { return r.Fields.Strings(field) }

// File is the outcome of checking one file on its own: its blob hash, its summary when it could
// be read as a record, and its per-file findings. It depends only on the file's content, the
// repository settings and the gitsm version, so it can be cached by blob hash.
type File struct {
	Path     string            `json:"path"`
	Hash     string            `json:"hash"`
	Record   *Record           `json:"record,omitempty"`
	Findings []finding.Finding `json:"findings,omitempty"`
}

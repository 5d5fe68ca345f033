// Package finding holds the one result vocabulary that every gitsm check produces: a Finding
// names a file position, a severity, a stable rule ID and a message.
package finding

import (
	"cmp"
	"slices"
)

// Severity says whether a finding fails a check on its own.
type Severity string

// The severities. Warnings fail a run only under --strict.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one problem found in one file. Line and Column are 1-based; 0 means the finding
// concerns the file as a whole.
type Finding struct {
	Path     string   `json:"path"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	ID       string   `json:"id"`
}

// Sort orders findings by path, position, rule and message, so that every output is stable
// whatever order the checks ran in.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Count returns how many findings have each severity.
func Count(fs []Finding) (errors, warnings int) {
	for _, f := range fs {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Rules maps each rule ID to a one-line description; SARIF and JUnit output name them.
var Rules = map[string]string{
	"yaml":            "The file is not a single plain YAML mapping (syntax error, several documents, duplicate key, alias or anchor).",
	"file":            "The file cannot be read as a record (too large, not UTF-8, binary, a symlink, or outside the repository).",
	"schema":          "The record does not satisfy the JSON Schema of its kind.",
	"kind":            "The record's kind or apiVersion is missing or unknown.",
	"id.mismatch":     "The file name does not match the record's id, or the file is under another kind's folder.",
	"id.duplicate":    "Two files carry the same id.",
	"ref.missing":     "The record references an id that does not exist.",
	"ref.kind":        "The record references a record of the wrong kind.",
	"ref.cycle":       "The CI depends_on/runs_on graph has a cycle.",
	"priority.matrix": "The priority disagrees with impact × urgency and no priority_reason is given.",
	"time.order":      "Timestamps are out of order.",
	"state.required":  "A field that the record's state requires is missing.",
	"timeline":        "The timeline disagrees with the state or with a timestamp field, or takes a step the state machine does not allow.",
	"transition":      "Since the base revision the record changed state in a way the state machine does not allow.",
	"immutable":       "Since the base revision a field that may never change was changed.",
	"deleted":         "A record file was deleted; records are canceled, never deleted.",
	"window":          "A change is planned inside a freeze window or outside its CIs' maintenance window.",
	"conflict":        "Two active changes have overlapping planned windows on the same or dependent CIs.",
}

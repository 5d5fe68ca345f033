package output

import "strings"

// DocsURL is where the rules are explained; each rule has a heading there, and SARIF's helpUri
// points at it.
const DocsURL = "https://github.com/gitsm/gitsm/blob/main/docs/ci-formats.md"

// ruleDoc is what SARIF viewers (GitHub code scanning among them) show about a rule beside its
// one-line description: what it checks in full, and how to fix a finding.
type ruleDoc struct {
	Full string
	Fix  string
}

var ruleDocs = map[string]ruleDoc{
	"yaml": {
		"A record is one YAML document holding one mapping. Syntax errors, a second document, a duplicate key, and anchors or aliases (which records never need, and which could expand into an alias bomb) are refused.",
		"Fix the YAML at the position given: remove the second document or the repeated key, and write out any aliased value in full.",
	},
	"file": {
		"The file cannot be read as a record: it is larger than the size limit, not UTF-8, binary, a symlink, not a regular file, or outside the repository.",
		"Replace the file with a regular UTF-8 YAML file inside the repository, under the size limit, or move it out of the records folders.",
	},
	"schema": {
		"The record does not satisfy the JSON Schema of its kind: a required field is missing, a field has the wrong type or value, or a top-level field is unknown (only x- fields and declared custom fields may be added).",
		"Correct the field named in the message; the schemas of each kind are described in docs/format.md.",
	},
	"kind": {
		"Every record starts with apiVersion gitsm/v1 and a kind gitsm knows (Incident, Problem, Change, CI, SLA, Calendar, and the later kinds).",
		"Set apiVersion: gitsm/v1 and the record's kind.",
	},
	"id.mismatch": {
		"A record's file name stem must equal its id, and the file must sit under its kind's folder.",
		"Rename the file to <id>.yaml under the kind's folder, or correct the id.",
	},
	"id.duplicate": {
		"Two or more files carry the same id; every file of the set is reported.",
		"Give one of the records a new id (gitsm new allocates free ones) and rename its file.",
	},
	"ref.missing": {
		"A field refers by id to a record that does not exist in the repository.",
		"Correct the id, or add the record it names.",
	},
	"ref.kind": {
		"A field refers to a record of the wrong kind, for example an SLA id in a list of CIs.",
		"Refer to a record of the kind the field expects.",
	},
	"ref.cycle": {
		"The graph formed by the CIs' depends_on and runs_on must have no cycle.",
		"Remove one of the dependencies named in the message to break the cycle.",
	},
	"priority.matrix": {
		"The priority must be the one the impact × urgency matrix gives (configurable in .gitsm/config.yaml) unless priority_reason explains an override.",
		"Set the priority the matrix gives, or add priority_reason.",
	},
	"time.order": {
		"Timestamps must be in order: for example resolved_at after opened_at, planned_end after planned_start, timeline entries chronological.",
		"Correct the timestamp named in the message.",
	},
	"state.required": {
		"The record's state requires a field that is missing, for example resolution once an incident is resolved.",
		"Add the field named in the message, or use gitsm transition, which sets the state's fields.",
	},
	"timeline": {
		"The timeline is the true sequence of state changes: its last state must equal state, timestamp fields must agree with the entries they name, and each step must be one the state machine allows.",
		"Append the missing timeline entries, or use gitsm transition, which keeps state and timeline in step.",
	},
	"transition": {
		"With --base, a state change since the base revision that the state machine does not allow, or one that skips a step.",
		"Record each step of the path named in the message, one timeline entry each.",
	},
	"immutable": {
		"With --base, a field that may never change (id, kind, opened_at, or a timeline entry already recorded) was changed since the base revision.",
		"Restore the field's value from the base revision; append to the timeline instead of editing it.",
	},
	"deleted": {
		"With --base, a record file that existed at the base revision was removed. Records are canceled or closed, never deleted, so that the audit trail stays complete.",
		"Restore the file and move the record to a canceled or closed state instead.",
	},
	"window": {
		"A change is planned inside a freeze window that does not allow its type (an error), or outside the maintenance window of a CI it touches (a warning).",
		"Move the change's planned window, or use a change type the freeze window allows.",
	},
	"conflict": {
		"Two active changes have overlapping planned windows on the same CI, or on CIs one of which depends on the other.",
		"Reschedule one of the changes, or confirm that they can run together.",
	},
}

// ruleAnchor is the fragment GitHub gives the rule's heading in DocsURL: lower case, with
// characters other than letters, digits, spaces, hyphens and underscores dropped.
func ruleAnchor(id string) string {
	return "rule-" + strings.ReplaceAll(strings.ToLower(id), ".", "")
}

// ruleName is the rule ID in Pascal case, as SARIF's reportingDescriptor.name suggests:
// id.duplicate → IdDuplicate.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '.' || r == '-' || r == '_' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

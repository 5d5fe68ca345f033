package rules_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/rules"
)

// example reads a record of the project's examples/ repository.
func example(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func edit(s string, oldNew ...string) string {
	for i := 0; i+1 < len(oldNew); i += 2 {
		if !strings.Contains(s, oldNew[i]) {
			panic("fixture lacks " + oldNew[i])
		}
		s = strings.Replace(s, oldNew[i], oldNew[i+1], 1)
	}
	return s
}

// Validation without --base: each record alone, through the schema and the per-record rules.
// Every case is a valid example record with one defect; the control proves the example valid.
func TestValidateWithoutBase(t *testing.T) {
	e, err := check.New(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	change := example(t, "changes/2026/CHG-000002.yaml")
	problem := example(t, "problems/2026/PRB-000001.yaml")
	incident := example(t, "incidents/2026/INC-000020.yaml")
	tests := []struct {
		name, path, src string
		// want is "rule: part of the message"; "" wants no error.
		want string
	}{
		{"control: the change", "changes/2026/CHG-000002.yaml", change, ""},
		{"control: the problem", "problems/2026/PRB-000001.yaml", problem, ""},
		{"control: the incident", "incidents/2026/INC-000020.yaml", incident, ""},
		{"a forbidden step inside the timeline", "changes/2026/CHG-000002.yaml",
			edit(change, "    state: assess\n    by: grace", "    state: scheduled\n    by: grace", "    state: authorize\n    by: grace\n    note: Ready", "    state: implement\n    by: grace\n    note: Ready"),
			"timeline: the timeline moves from new to scheduled"},
		{"a timeline that does not start at new", "changes/2026/CHG-000002.yaml",
			edit(change, "  - at: 2026-01-26T10:00:00Z\n    state: new\n    by: victor\n", ""),
			"timeline: the timeline starts in assess; it must start with new"},
		{"planned_end before planned_start", "changes/2026/CHG-000002.yaml",
			edit(change, "planned_end: 2026-02-08T03:00:00Z", "planned_end: 2026-02-07T23:00:00Z"), "time.order: planned_end"},
		{"planned_end equal to planned_start", "changes/2026/CHG-000002.yaml",
			edit(change, "planned_end: 2026-02-08T03:00:00Z", "planned_end: 2026-02-08T00:00:00Z"), "time.order: planned_end"},
		{"a problem closed after resolved drops its resolution", "problems/2026/PRB-000001.yaml",
			edit(problem, "resolution:\n  code: solved_permanently\n", "x-old-resolution:\n  code: solved_permanently\n"),
			"a problem closed after being resolved keeps resolution"},
		{"a problem closed after resolved drops its resolved_at", "problems/2026/PRB-000001.yaml",
			edit(problem, "resolved_at: 2026-06-20T10:00:00Z\n", ""), "resolved_at"},
		{"a whitespace-only priority_reason", "incidents/2026/INC-000020.yaml",
			editPriorityReason(incident), "priority.matrix: priority P2 disagrees"},
		{"a standard change in a state only other types have", "changes/2026/CHG-000001.yaml",
			edit(example(t, "changes/2026/CHG-000001.yaml"), "state: closed", "state: authorize", "    state: implement", "    state: authorize"),
			"transition: state is authorize, which a standard change does not have"},
		{"a change without type", "changes/2026/CHG-000002.yaml", edit(change, "type: normal\n", ""), "schema: "},
		{"a change of an unknown type", "changes/2026/CHG-000002.yaml", edit(change, "type: normal", "type: routine"), "schema: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := e.Analyze(tt.path, []byte(tt.src))
			var errs []string
			for _, fd := range f.Findings {
				if fd.Severity == finding.Error {
					errs = append(errs, fd.Rule+": "+fd.Message)
				}
			}
			if tt.want == "" {
				if len(errs) > 0 {
					t.Fatalf("got errors %q, want none", errs)
				}
				return
			}
			if !slices.ContainsFunc(errs, func(s string) bool { return strings.Contains(s, tt.want) }) {
				t.Errorf("got errors %q, want one containing %q", errs, tt.want)
			}
		})
	}
}

// editPriorityReason keeps the incident's override of the matrix but empties its reason.
func editPriorityReason(incident string) string {
	start := strings.Index(incident, "priority_reason:")
	end := start + strings.Index(incident[start:], "\n")
	return incident[:start] + "priority_reason: \"   \\t \"" + incident[end:]
}

func parse(t *testing.T, rel, src string) *record.Parsed {
	t.Helper()
	folder, _ := record.FolderKind(rel)
	p, fs := record.Parse(rel, folder, map[string]string{"incident": "INC", "problem": "PRB", "change": "CHG"}, []byte(src))
	if p == nil {
		t.Fatalf("%s does not parse: %v", rel, fs)
	}
	return p
}

// Bypass 4: a normal change in authorize retyped to standard and scheduled. A standard change
// has no authorize state, so the move is not one its state machine allows: --base reports it
// rather than skipping a state the new type lacks.
func TestTransitionAcrossTypes(t *testing.T) {
	const rel = "changes/2026/CHG-000002.yaml"
	full := example(t, rel)
	upTo := func(state string) string {
		i := strings.Index(full, "    state: "+state+"\n")
		end := i + strings.Index(full[i:], "  - at:")
		return edit(full[:end], "state: closed", "state: "+state)
	}
	authorize := upTo("authorize")
	scheduled := upTo("scheduled")
	standard := func(s string) string { return edit(s, "type: normal", "type: standard\ntemplate: std-cert-rotation") }
	tests := []struct {
		name       string
		base, head string
		want       string
	}{
		{"control: normal authorize → scheduled", authorize, scheduled, ""},
		{"retyped to standard and scheduled", authorize, standard(scheduled), "authorize"},
		{"retyped to standard in authorize", authorize, standard(authorize), "authorize"},
		{"retyped to emergency: emergency has authorize", authorize, edit(scheduled, "type: normal", "type: emergency\njustification: outage"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range rules.Compare(parse(t, rel, tt.base), parse(t, rel, tt.head)) {
				if f.Rule == "transition" {
					got = append(got, f.Message)
				}
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("got transition findings %q, want none", got)
			case tt.want != "" && !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tt.want) }):
				t.Errorf("got transition findings %q, want one naming %q", got, tt.want)
			}
		})
	}
}

package history

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name       string
		old, new   string
		wantFields []FieldChange
		wantEvents []Event
	}{
		{
			name:       "scalar and nested fields",
			old:        "id: INC-1\nstate: new\nresolution:\n  code: a\n",
			new:        "id: INC-1\nstate: resolved\nresolution:\n  code: b\n  notes: n\n",
			wantFields: []FieldChange{{"resolution.code", "a", "b"}, {"resolution.notes", nil, "n"}, {"state", "new", "resolved"}},
		},
		{
			name:       "list by position",
			old:        "cis: [a, b]\n",
			new:        "cis: [a, c, d]\n",
			wantFields: []FieldChange{{"cis[1]", "b", "c"}, {"cis[2]", nil, "d"}},
		},
		{
			name: "timeline entries are events; an edited past entry is a field",
			old:  "timeline:\n  - {at: '2026-01-01T09:00:00Z', state: new, by: a}\n",
			new: "timeline:\n  - {at: '2026-01-01T09:00:00Z', state: new, by: b}\n" +
				"  - {at: '2026-01-01T10:00:00Z', state: in_progress, by: b, note: on it}\n",
			wantFields: []FieldChange{{"timeline[2026-01-01T09:00:00Z].by", "a", "b"}},
			wantEvents: []Event{{At: "2026-01-01T10:00:00Z", State: "in_progress", By: "b", Note: "on it"}},
		},
		{
			name:       "a list keyed by at, not a timeline",
			old:        "x-calls:\n  - {at: '2026-01-01T09:00:00Z', who: a}\n",
			new:        "x-calls:\n  - {at: '2026-01-01T09:00:00Z', who: b}\n",
			wantFields: []FieldChange{{"x-calls[2026-01-01T09:00:00Z].who", "a", "b"}},
		},
		{
			name:       "deleted",
			old:        "id: INC-1\n",
			wantFields: []FieldChange{{"id", "INC-1", nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var old, new []byte
			if tt.old != "" {
				old = []byte(tt.old)
			}
			if tt.new != "" {
				new = []byte(tt.new)
			}
			fields, events, err := Diff(old, new)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.wantFields, fields); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantEvents, events); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
		})
	}
}

func TestDiffRefusesHostileYAML(t *testing.T) {
	bomb := "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
	if _, _, err := Diff(nil, []byte(bomb)); err == nil {
		t.Error("got no error for a document with aliases, want one")
	}
}

func TestSubjectPR(t *testing.T) {
	for subject, want := range map[string]int{
		"Merge pull request #42 from org/branch": 42,
		"INC-000001: on hold (#7)":               7,
		"Merge branch 'x'":                       0,
		"fix #3 later":                           0,
	} {
		if got := SubjectPR(subject); got != want {
			t.Errorf("SubjectPR(%q) = %d, want %d", subject, got, want)
		}
	}
}

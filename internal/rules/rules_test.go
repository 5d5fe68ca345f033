package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/lifecycle"
	"github.com/gitsm/gitsm/internal/record"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWindowOccurrences(t *testing.T) {
	sunday := config.Window{Name: "sun", Type: "maintenance",
		Recurrence: &config.Recurrence{Days: []string{"sun"}, Start: "01:00", End: "06:00", Timezone: "Europe/Berlin"}}
	overnight := config.Window{Name: "night", Type: "maintenance",
		Recurrence: &config.Recurrence{Days: []string{"fri"}, Start: "22:00", End: "02:00", Timezone: "UTC"}}
	fixed := config.Window{Name: "freeze", Type: "freeze", Start: "2026-11-26T00:00:00Z", End: "2026-12-01T00:00:00Z"}
	tests := []struct {
		name        string
		w           config.Window
		from, to    string
		within, hit bool
	}{
		{"inside on a winter Sunday (UTC+1)", sunday, "2026-12-06T00:15:00Z", "2026-12-06T04:00:00Z", true, true},
		{"before the window opens", sunday, "2026-12-05T23:30:00Z", "2026-12-06T01:00:00Z", false, true},
		{"summer time shifts the window (UTC+2)", sunday, "2026-07-04T23:30:00Z", "2026-07-05T03:30:00Z", true, true},
		{"summer, an hour too late", sunday, "2026-07-05T03:30:00Z", "2026-07-05T04:30:00Z", false, true},
		{"a Monday", sunday, "2026-12-07T01:00:00Z", "2026-12-07T02:00:00Z", false, false},
		{"across midnight, inside", overnight, "2026-11-27T23:00:00Z", "2026-11-28T01:30:00Z", true, true},
		{"across midnight, past the end", overnight, "2026-11-27T23:00:00Z", "2026-11-28T02:30:00Z", false, true},
		{"fixed window, overlapping its start", fixed, "2026-11-25T22:00:00Z", "2026-11-26T01:00:00Z", false, true},
		{"fixed window, ending as it starts", fixed, "2026-11-25T22:00:00Z", "2026-11-26T00:00:00Z", false, false},
		{"fixed window, inside", fixed, "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := ts(tt.from), ts(tt.to)
			if got := within(tt.w, from, to); got != tt.within {
				t.Errorf("within: got %v, want %v", got, tt.within)
			}
			if _, got := overlaps(tt.w, from, to); got != tt.hit {
				t.Errorf("overlaps: got %v, want %v", got, tt.hit)
			}
		})
	}
}

func change(id, typ, state, start, end string, cis ...string) *record.Record {
	return &record.Record{Path: "changes/" + id + ".yaml", Kind: record.Change, ID: id,
		Fields: record.MustFields(map[string]any{"type": typ, "state": state, "planned_start": start, "planned_end": end, "cis": cis}),
		Pos:    []record.FieldPos{{Field: "planned_start", Line: 10, Column: 16}}}
}

func ci(id, env string, deps ...string) *record.Record {
	return ciWith(id, map[string]any{"environment": env, "depends_on": deps})
}

func ciWith(id string, fields map[string]any) *record.Record {
	return &record.Record{Path: "cis/" + id + ".yaml", Kind: record.CI, ID: id, Fields: record.MustFields(fields)}
}

func rulesAt(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s:%d", f.ID, f.Severity, f.Rule, f.Line))
	}
	return out
}

func all(*record.Record) bool { return true }

func TestWindows(t *testing.T) {
	cfg := config.Default()
	cfg.Windows = []config.Window{
		{Name: "freeze", Type: "freeze", Start: "2026-11-26T00:00:00Z", End: "2026-12-01T00:00:00Z",
			Scope: config.Scope{Environments: []string{"production"}}, AllowTypes: []string{"emergency"}},
		{Name: "sun", Type: "maintenance", Recurrence: &config.Recurrence{Days: []string{"sun"}, Start: "01:00", End: "06:00", Timezone: "UTC"}},
	}
	db := ciWith("db", map[string]any{"environment": "production", "depends_on": []string(nil), "maintenance_window": "sun"})
	recs := []*record.Record{
		ci("web", "production"), ci("lab", "test"), db,
		change("CHG-1", "normal", "scheduled", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", "web"),    // in freeze
		change("CHG-2", "emergency", "scheduled", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", "web"), // allowed type
		change("CHG-3", "normal", "scheduled", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", "lab"),    // out of scope
		change("CHG-4", "normal", "closed", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", "web"),       // history
		change("CHG-5", "normal", "scheduled", "2026-12-02T10:00:00Z", "2026-12-02T11:00:00Z", "db"),     // a Wednesday
		change("CHG-6", "normal", "scheduled", "2026-12-06T02:00:00Z", "2026-12-06T03:00:00Z", "db"),     // Sunday, inside
		change("CHG-7", "emergency", "implement", "2026-12-02T10:00:00Z", "2026-12-02T11:00:00Z", "db"),  // emergency: exempt
	}
	got := rulesAt(windows(activeChanges(recs), indexIDs(recs), cfg, all))
	want := []string{"CHG-1 error window:10", "CHG-5 warning window:10"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestConflicts(t *testing.T) {
	recs := []*record.Record{
		ci("app", "production", "db"), ci("db", "production"), ci("other", "production"),
		change("CHG-1", "normal", "scheduled", "2026-12-02T10:00:00Z", "2026-12-02T12:00:00Z", "db"),
		change("CHG-2", "normal", "scheduled", "2026-12-02T11:00:00Z", "2026-12-02T13:00:00Z", "app"),   // app depends on db
		change("CHG-3", "normal", "scheduled", "2026-12-02T12:00:00Z", "2026-12-02T13:00:00Z", "db"),    // touches CHG-1's end only; overlaps CHG-2
		change("CHG-4", "normal", "scheduled", "2026-12-02T10:00:00Z", "2026-12-02T13:00:00Z", "other"), // unrelated CI
		change("CHG-5", "normal", "canceled", "2026-12-02T10:00:00Z", "2026-12-02T13:00:00Z", "db"),     // not active
	}
	got := rulesAt(conflicts(recs, activeChanges(recs), all))
	want := []string{
		"CHG-1 warning conflict:10", "CHG-2 warning conflict:10",
		"CHG-2 warning conflict:10", "CHG-3 warning conflict:10",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestCycles(t *testing.T) {
	ref := func(target string) record.Ref {
		return record.Ref{Field: "depends_on", Target: target, Kinds: []record.Kind{record.CI}, Line: 9, Column: 14}
	}
	mk := func(id string, deps ...string) *record.Record {
		r := ci(id, "production", deps...)
		for _, d := range deps {
			r.Refs = append(r.Refs, ref(d))
		}
		return r
	}
	// a → b → c → a is a cycle; d → a hangs off it; e → e loops on itself.
	recs := []*record.Record{mk("a", "b"), mk("b", "c"), mk("c", "a"), mk("d", "a"), mk("e", "e")}
	var got []string
	for _, f := range Repo(recs, config.Default(), nil) {
		got = append(got, f.ID+" "+f.Rule)
	}
	want := []string{"a ref.cycle", "b ref.cycle", "c ref.cycle", "e ref.cycle"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestDeepChainHasNoStackTrouble(t *testing.T) {
	const n = 200000
	edges := make([][]int, n)
	for i := 0; i+1 < n; i++ {
		edges[i] = []int{i + 1}
	}
	edges[n-1] = []int{0}
	comp := scc(n, edges)
	for i, c := range comp {
		if c != comp[0] {
			t.Fatalf("node %d: got component %d, want %d (one cycle through all)", i, c, comp[0])
		}
	}
}

func TestShortestPath(t *testing.T) {
	normal, _ := lifecycle.For("Change", "normal")
	tests := []struct{ from, to, want string }{
		{"new", "scheduled", "new → assess → authorize → scheduled"},
		{"new", "closed", "new → assess → authorize → scheduled → implement → review → closed"},
		{"closed", "new", ""},
	}
	for _, tt := range tests {
		if got := path(normal, tt.from, tt.to); got != tt.want {
			t.Errorf("path(%s, %s): got %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}

package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/record"
)

func TestSummarize(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		name string
		in   []float64
		want Stats
	}{
		{"none", nil, Stats{}},
		{"one", []float64{3}, Stats{N: 1, Mean: f(3), Median: f(3), P90: f(3)}},
		{"even count: median is the mean of the two middle", []float64{4, 1, 3, 2}, Stats{N: 4, Mean: f(2.5), Median: f(2.5), P90: f(4)}},
		{"odd count", []float64{5, 1, 3}, Stats{N: 3, Mean: f(3), Median: f(3), P90: f(5)}},
		{"p90 is the nearest rank", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Stats{N: 11, Mean: f(6), Median: f(6), P90: f(10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, summarize(tt.in)); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBucket(t *testing.T) {
	tests := []struct {
		age  time.Duration
		want string
	}{
		{0, "<1d"}, {23 * time.Hour, "<1d"}, {24 * time.Hour, "1-5d"}, {5*24*time.Hour + 23*time.Hour, "1-5d"},
		{6 * 24 * time.Hour, "6-30d"}, {30 * 24 * time.Hour, "6-30d"}, {31 * 24 * time.Hour, "31-90d"},
		{90 * 24 * time.Hour, "31-90d"}, {91 * 24 * time.Hour, ">90d"},
	}
	for _, tt := range tests {
		if got := bucket(tt.age); got != tt.want {
			t.Errorf("bucket(%v): got %s, want %s", tt.age, got, tt.want)
		}
	}
}

// rec makes a summary: fields, then the timeline as "at state" pairs.
func rec(kind record.Kind, id string, fields map[string]any, timeline ...string) *record.Record {
	var ats, states []string
	for _, s := range timeline {
		at, state, _ := strings.Cut(s, " ")
		ats = append(ats, at)
		states = append(states, state)
	}
	facts := map[string]any{}
	if len(ats) > 0 {
		facts["timeline[].at"], facts["timeline[].state"] = ats, states
	}
	return &record.Record{Kind: kind, ID: id, Path: id + ".yaml", Title: id, Fields: record.MustFields(fields), Facts: record.MustFields(facts)}
}

func fixture() []*record.Record {
	return []*record.Record{
		{Kind: record.SLA, ID: "resolve", Fields: record.MustFields(map[string]any{"target": "resolution", "calendar": "24x7"}),
			Facts: record.MustFields(map[string]any{"applies_to.kind": "Incident", "goals[].priority": []string{"P1"}, "goals[].duration": []string{"4h"}})},
		rec(record.Incident, "INC-1", map[string]any{"state": "closed", "priority": "P1", "service": "shop", "cis": []string{"db"},
			"opened_at": "2026-03-02T10:00:00Z", "acknowledged_at": "2026-03-02T10:06:00Z", "resolved_at": "2026-03-02T14:00:00Z", "caused_by": "CHG-2", "major": true},
			"2026-03-02T10:00:00Z new", "2026-03-02T10:06:00Z in_progress", "2026-03-02T11:00:00Z on_hold", "2026-03-02T12:00:00Z in_progress",
			"2026-03-02T14:00:00Z resolved", "2026-03-03T10:00:00Z closed"),
		rec(record.Incident, "INC-2", map[string]any{"state": "in_progress", "impact": int64(1), "urgency": int64(1), "service": "shop",
			"opened_at": "2026-03-01T10:00:00Z", "acknowledged_at": "2026-03-01T11:00:00Z"},
			"2026-03-01T10:00:00Z new", "2026-03-01T11:00:00Z in_progress"),
		// impossible: resolved before opened
		rec(record.Incident, "INC-3", map[string]any{"state": "resolved", "priority": "P1",
			"opened_at": "2026-03-02T10:00:00Z", "resolved_at": "2026-03-01T10:00:00Z"},
			"2026-03-02T10:00:00Z resolved"),
		// a clock that never starts
		rec(record.Incident, "INC-4", map[string]any{"state": "new", "priority": "P2"}),
		rec(record.Incident, "INC-5", map[string]any{"state": "new", "priority": "P2", "cis": []string{"db"}, "opened_at": "2026-04-01T10:00:00Z"},
			"2026-04-01T10:00:00Z new"),
		rec(record.Change, "CHG-1", map[string]any{"type": "normal", "state": "closed", "outcome": "successful",
			"actual_start": "2026-02-10T10:00:00Z", "actual_end": "2026-02-10T12:00:00Z"},
			"2026-02-01T10:00:00Z new", "2026-02-10T10:00:00Z implement", "2026-02-10T12:00:00Z review", "2026-02-11T10:00:00Z closed"),
		rec(record.Change, "CHG-2", map[string]any{"type": "emergency", "state": "closed", "outcome": "successful",
			"actual_start": "2026-03-01T10:00:00Z", "actual_end": "2026-03-01T11:00:00Z"},
			"2026-03-01T09:00:00Z new", "2026-03-01T10:00:00Z implement", "2026-03-01T11:00:00Z review", "2026-03-02T10:00:00Z closed"),
		rec(record.Change, "CHG-3", map[string]any{"type": "normal", "state": "closed", "outcome": "backed_out",
			"actual_start": "2026-03-05T10:00:00Z", "actual_end": "2026-03-05T11:00:00Z"},
			"2026-03-04T10:00:00Z new", "2026-03-05T10:00:00Z implement", "2026-03-05T11:00:00Z review", "2026-03-06T10:00:00Z closed"),
		rec(record.Change, "CHG-4", map[string]any{"type": "normal", "state": "canceled"}, "2026-03-04T10:00:00Z new", "2026-03-04T11:00:00Z canceled"),
		rec(record.Problem, "PRB-1", map[string]any{"state": "resolved", "known_error": true, "cis": []string{"db"},
			"opened_at": "2026-03-02T15:00:00Z", "resolved_at": "2026-03-10T10:00:00Z"}, "2026-03-02T15:00:00Z new", "2026-03-10T10:00:00Z resolved"),
	}
}

func TestBuild(t *testing.T) {
	prio := func(i, u int) string {
		if i == 1 && u == 1 {
			return "P1"
		}
		return ""
	}
	rep := Build(fixture(), Options{AsOf: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC), Priority: prio})

	var dq []string
	for _, f := range rep.DataQuality {
		dq = append(dq, f.ID+": "+f.Problem)
	}
	wantDQ := []string{"INC-3: resolved_at is before opened_at", "INC-4: no opened_at: no clock can start"}
	if diff := cmp.Diff(wantDQ, dq); diff != "" {
		t.Errorf("data quality (-want +got):\n%s", diff)
	}

	in := rep.Incidents
	p1 := in.ByPriority["P1"]
	if p1 == nil || p1.Count != 2 || p1.Open != 1 || p1.Resolved != 1 {
		t.Fatalf("P1: got %+v, want count 2 (INC-3 left out, INC-2 by the matrix), open 1, resolved 1", p1)
	}
	// INC-1: 4 hours wall clock, 3 net of the hour on hold; TTA 0.1 h and 1 h → mean 0.55.
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("P1 ttr mean", p1.TimeToResolve.Mean, 4)
	check("P1 ttr net of hold", p1.TimeToResolveNetOfHold.Mean, 3)
	check("P1 ttr business (24x7)", p1.TimeToResolveBusiness.Mean, 4)
	check("P1 tta median", p1.TimeToAcknowledge.Median, 0.55)
	wantBacklog := []Count{{"<1d", 0}, {"1-5d", 1}, {"6-30d", 0}, {"31-90d", 1}, {">90d", 0}}
	if diff := cmp.Diff(wantBacklog, in.Backlog); diff != "" {
		t.Errorf("backlog (-want +got):\n%s", diff)
	}
	if len(in.Major) != 1 || in.Major[0].ID != "INC-1" {
		t.Errorf("major: got %+v, want INC-1", in.Major)
	}

	c := rep.Changes
	// Implemented: CHG-1, CHG-2, CHG-3. Failed: CHG-3 backed out, CHG-2 caused INC-1.
	if diff := cmp.Diff([]string{"CHG-2", "CHG-3"}, c.Failures); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	check("change failure rate", c.FailureRate, 66.7)
	check("success rate", c.SuccessRate, 66.7) // 2 successful of 3 closed; the canceled one is not closed
	check("emergency ratio", c.EmergencyRatio, 25)
	check("lead time median", c.LeadTime.Median, 25) // 218h, 2h, 25h
	check("time to restore", c.DORA.TimeToRestore.Median, 4)

	p := rep.Problems
	if p.Count != 1 || p.Open != 0 || p.KnownErrors != 1 || p.Recurring != 1 {
		t.Errorf("problems: got %+v", p)
	}
	if diff := cmp.Diff([]string{"INC-5"}, p.Problems[0].RecurringIncidents); diff != "" {
		t.Errorf("recurrence (-want +got):\n%s", diff)
	}

	s := rep.SLA
	// INC-1 met (3h net of hold), INC-2 breached (running since 1 March); INC-5 (P2),
	// PRB-1 and the four changes have no SLA.
	want := []SLARow{{SLA: "resolve", Target: "resolution", Priority: "P1",
		Compliance: Compliance{Count: 2, Met: 1, Breached: 1, Percent: ptr(50)}}}
	if diff := cmp.Diff(want, s.BySLA); diff != "" {
		t.Errorf("sla (-want +got):\n%s", diff)
	}
	if s.Unmeasured != 6 {
		t.Errorf("unmeasured: got %d, want 6", s.Unmeasured)
	}
}

func TestTextHasNoControlCharacters(t *testing.T) {
	rs := fixture()
	rs[1].Title = "evil\x1b[2J\x9b31m title\tand\nmore"
	rep := Build(rs, Options{AsOf: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)})
	for _, format := range []string{"text", "markdown"} {
		var b bytes.Buffer
		if err := Write(&b, format, rep, ""); err != nil {
			t.Fatal(err)
		}
		out := strings.ReplaceAll(b.String(), "\n", "")
		if strings.ContainsFunc(out, func(c rune) bool { return c < 0x20 || (c >= 0x7f && c <= 0x9f) }) {
			t.Errorf("%s: control characters in %q", format, out)
		}
		want := `evil\x1b[2J\x9b31m title\tand\nmore`
		if format == "markdown" {
			want = `evil\\x1b\[2J\\x9b31m title\\tand\\nmore`
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: the title is not there, cleaned", format)
		}
	}
}

func TestCSVTable(t *testing.T) {
	rep := Build(fixture(), Options{AsOf: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC), Sections: []string{"changes"}})
	var b bytes.Buffer
	if err := CSV(&b, rep, "changes_by_type"); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "type,count\nnormal,3\nemergency,1\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := CSV(&b, rep, "nope"); err == nil {
		t.Errorf("an unknown table was accepted")
	}
}

package sla

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var weekdaysOnly = [7]bool{false, true, true, true, true, true, false}
var everyDay = [7]bool{true, true, true, true, true, true, true}

// berlin is Monday to Friday 08:00-18:00 Berlin time, with Good Friday and Easter Monday 2026 off.
func berlin(t *testing.T) *Calendar {
	return NewCalendar(mustZone(t, "Europe/Berlin"), []Span{{Days: weekdaysOnly, Start: 8 * 60, End: 18 * 60}}, []string{"2026-04-03", "2026-04-06"})
}

func TestBetween(t *testing.T) {
	allDay := NewCalendar(mustZone(t, "Europe/Berlin"), []Span{{Days: everyDay, Start: 0, End: 24 * 60}}, nil)
	overlapping := NewCalendar(time.UTC, []Span{{Days: everyDay, Start: 9 * 60, End: 12 * 60}, {Days: everyDay, Start: 11 * 60, End: 13 * 60}}, nil)
	tests := []struct {
		name     string
		cal      *Calendar
		from, to string
		want     time.Duration
	}{
		{"24x7 is wall time", nil, "2026-03-02T09:00:00Z", "2026-03-03T10:30:00Z", 25*time.Hour + 30*time.Minute},
		{"inside one day", berlin(t), "2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z", 3 * time.Hour},
		{"over a night", berlin(t), "2026-03-02T16:00:00Z", "2026-03-03T08:00:00Z", 2 * time.Hour},
		{"over a weekend", berlin(t), "2026-03-06T16:00:00Z", "2026-03-09T08:00:00Z", 2 * time.Hour},
		{"over Easter holidays", berlin(t), "2026-04-02T15:00:00Z", "2026-04-07T07:00:00Z", 2 * time.Hour},
		{"all outside hours", berlin(t), "2026-03-07T10:00:00Z", "2026-03-08T10:00:00Z", 0},
		{"backwards is nothing", berlin(t), "2026-03-03T10:00:00Z", "2026-03-02T10:00:00Z", 0},
		{"the spring-forward day has 23 hours", allDay, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 23 * time.Hour},
		{"the fall-back day has 25 hours", allDay, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 25 * time.Hour},
		{"overlapping spans count once", overlapping, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", 4 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Between(at(tt.from), at(tt.to)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	none := NewCalendar(time.UTC, nil, nil)
	tests := []struct {
		name   string
		cal    *Calendar
		from   string
		d      time.Duration
		want   string
		wantOK bool
	}{
		{"24x7", nil, "2026-03-02T09:00:00Z", 90 * time.Minute, "2026-03-02T10:30:00Z", true},
		{"inside one day", berlin(t), "2026-03-02T09:00:00Z", time.Hour, "2026-03-02T10:00:00Z", true},
		{"over a weekend", berlin(t), "2026-03-06T16:00:00Z", 2 * time.Hour, "2026-03-09T08:00:00Z", true},
		{"from a Saturday", berlin(t), "2026-03-07T10:00:00Z", 30 * time.Minute, "2026-03-09T07:30:00Z", true},
		{"exactly to closing", berlin(t), "2026-03-02T16:00:00Z", time.Hour, "2026-03-02T17:00:00Z", true},
		{"over Easter", berlin(t), "2026-04-02T15:00:00Z", 2 * time.Hour, "2026-04-07T07:00:00Z", true},
		{"nothing to add", berlin(t), "2026-03-07T10:00:00Z", 0, "2026-03-07T10:00:00Z", true},
		{"a calendar without hours never gets there", none, "2026-03-02T09:00:00Z", time.Hour, "0001-01-01T00:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.cal.Add(at(tt.from), tt.d)
			if !got.Equal(at(tt.want)) || ok != tt.wantOK {
				t.Errorf("got %v %v, want %v %v", got.UTC(), ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"30m", 30 * time.Minute, false},
		{"4h", 4 * time.Hour, false},
		{"2d", 48 * time.Hour, false},
		{"1d4h30m", 28*time.Hour + 30*time.Minute, false},
		{"", 0, true},
		{"4h2d", 0, true},
		{"1.5h", 0, true},
		{"-4h", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func steps(pairs ...string) []Step {
	var out []Step
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Step{At: at(pairs[i]), State: pairs[i+1]})
	}
	return out
}

func TestMeasure(t *testing.T) {
	response := Clock{Target: Response, Goal: 15 * time.Minute, WarnAt: []float64{50, 75}}
	resolution := Clock{Target: Resolution, Goal: 4 * time.Hour, PauseStates: []string{"on_hold"}, WarnAt: []float64{50, 75}}
	business := resolution
	business.Calendar = berlin(t)
	const opened = "2026-03-02T10:00:00Z"
	tests := []struct {
		name     string
		clock    Clock
		opened   string
		timeline []Step
		asOf     string
		want     Status
		result   string
	}{
		{
			name: "response met", clock: response, opened: opened,
			timeline: steps(opened, "new", "2026-03-02T10:10:00Z", "in_progress"),
			asOf:     "2026-03-03T00:00:00Z",
			want:     Status{Stage: Stopped, Elapsed: 10 * time.Minute, Goal: 15 * time.Minute, Percent: 200.0 / 3, Warning: 50, StoppedAt: at("2026-03-02T10:10:00Z")},
			result:   "met",
		},
		{
			name: "response breached", clock: response, opened: opened,
			timeline: steps(opened, "new", "2026-03-02T10:20:00Z", "on_hold", "2026-03-02T10:30:00Z", "in_progress"),
			asOf:     "2026-03-03T00:00:00Z",
			want:     Status{Stage: Stopped, Elapsed: 20 * time.Minute, Goal: 15 * time.Minute, Percent: 400.0 / 3, Breached: true, Warning: 75, StoppedAt: at("2026-03-02T10:20:00Z")},
			result:   "breached",
		},
		{
			name: "response running and at risk", clock: response, opened: opened,
			timeline: steps(opened, "new"),
			asOf:     "2026-03-02T10:12:00Z",
			want:     Status{Stage: Running, Elapsed: 12 * time.Minute, Goal: 15 * time.Minute, Percent: 80, Warning: 75, BreachAt: at("2026-03-02T10:15:00Z")},
			result:   "at_risk",
		},
		{
			name: "resolution minus time on hold", clock: resolution, opened: opened,
			timeline: steps(opened, "new", "2026-03-02T10:05:00Z", "in_progress", "2026-03-02T11:00:00Z", "on_hold",
				"2026-03-02T13:00:00Z", "in_progress", "2026-03-02T14:00:00Z", "resolved", "2026-03-05T14:00:00Z", "closed"),
			asOf: "2026-03-10T00:00:00Z",
			// closing a resolved incident does not move where its clock stopped
			want:   Status{Stage: Stopped, Elapsed: 2 * time.Hour, Goal: 4 * time.Hour, Percent: 50, Warning: 50, StoppedAt: at("2026-03-02T14:00:00Z")},
			result: "met",
		},
		{
			name: "paused on hold", clock: resolution, opened: opened,
			timeline: steps(opened, "new", "2026-03-02T11:00:00Z", "on_hold"),
			asOf:     "2026-03-02T20:00:00Z",
			want:     Status{Stage: Paused, Elapsed: time.Hour, Goal: 4 * time.Hour, Percent: 25},
			result:   "paused",
		},
		{
			name: "a reopen restarts the clock", clock: resolution, opened: opened,
			timeline: steps(opened, "new", "2026-03-02T12:00:00Z", "resolved", "2026-03-02T13:00:00Z", "in_progress"),
			asOf:     "2026-03-02T14:00:00Z",
			want:     Status{Stage: Running, Elapsed: 3 * time.Hour, Goal: 4 * time.Hour, Percent: 75, Warning: 75, BreachAt: at("2026-03-02T15:00:00Z")},
			result:   "at_risk",
		},
		{
			name: "steps after as-of have not happened", clock: resolution, opened: opened,
			timeline: steps(opened, "new", "2026-03-02T12:00:00Z", "resolved"),
			asOf:     "2026-03-02T11:00:00Z",
			want:     Status{Stage: Running, Elapsed: time.Hour, Goal: 4 * time.Hour, Percent: 25, BreachAt: at("2026-03-02T14:00:00Z")},
			result:   "on_track",
		},
		{
			name: "canceled", clock: resolution, opened: opened,
			timeline: steps(opened, "new", "2026-03-02T10:30:00Z", "canceled"),
			asOf:     "2026-03-03T00:00:00Z",
			want:     Status{Stage: Canceled, Elapsed: 30 * time.Minute, Goal: 4 * time.Hour, Percent: 12.5, StoppedAt: at("2026-03-02T10:30:00Z")},
			result:   "canceled",
		},
		{
			name: "running past the goal", clock: resolution, opened: opened,
			timeline: steps(opened, "new"),
			asOf:     "2026-03-02T15:00:00Z",
			want:     Status{Stage: Running, Elapsed: 5 * time.Hour, Goal: 4 * time.Hour, Percent: 125, Breached: true, Warning: 75},
			result:   "breached",
		},
		{
			name: "business hours over a weekend", clock: business, opened: "2026-03-06T16:00:00Z",
			timeline: steps("2026-03-06T16:00:00Z", "new"),
			asOf:     "2026-03-09T08:00:00Z",
			want:     Status{Stage: Running, Elapsed: 2 * time.Hour, Goal: 4 * time.Hour, Percent: 50, Warning: 50, BreachAt: at("2026-03-09T10:00:00Z")},
			result:   "at_risk",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Measure(tt.clock, at(tt.opened), tt.timeline, at(tt.asOf))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
			if r := got.Result(); r != tt.result {
				t.Errorf("result: got %s, want %s", r, tt.result)
			}
		})
	}
}

func TestParse(t *testing.T) {
	def, err := Parse(map[string]any{
		"id": "business-resolution", "target": "resolution", "calendar": "24x5-business",
		"applies_to": map[string]any{"kind": "Incident", "priorities": []any{"P3", "P4"}},
		"goals":      []any{map[string]any{"priority": "P3", "duration": "20h"}, map[string]any{"priority": "P4", "duration": "2d"}},
		"warn_at":    []any{int64(50), int64(90)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &Definition{ID: "business-resolution", Target: Resolution, Kind: "Incident", Priorities: []string{"P3", "P4"},
		Services: []string{}, CIs: []string{}, Calendar: "24x5-business",
		Goals: map[string]time.Duration{"P3": 20 * time.Hour, "P4": 48 * time.Hour}, PauseStates: []string{"on_hold"}, WarnAt: []float64{50, 90}}
	if diff := cmp.Diff(want, def); diff != "" {
		t.Errorf("definition (-want +got):\n%s", diff)
	}
	applies := []struct {
		kind, priority string
		want           bool
	}{
		{"Incident", "P3", true},
		{"Incident", "P1", false},
		{"Problem", "P3", false},
	}
	for _, a := range applies {
		if got := def.Applies(a.kind, a.priority, "", nil); got != a.want {
			t.Errorf("Applies(%s, %s): got %v, want %v", a.kind, a.priority, got, a.want)
		}
	}
}

func TestParseCalendar(t *testing.T) {
	cal, err := ParseCalendar(map[string]any{
		"id": "b", "timezone": "Europe/Berlin",
		"hours":    []any{map[string]any{"days": []any{"mon", "tue", "wed", "thu", "fri"}, "start": "08:00", "end": "18:00"}},
		"holidays": []any{map[string]any{"date": "2026-04-03", "name": "Karfreitag"}, map[string]any{"date": "2026-04-06"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cal.Between(at("2026-04-02T15:00:00Z"), at("2026-04-07T07:00:00Z")), 2*time.Hour; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := ParseCalendar(map[string]any{"id": "x", "timezone": "Mars/Olympus"}); err == nil {
		t.Errorf("an unknown zone was accepted")
	}
}

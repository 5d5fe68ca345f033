package sla

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/record"
)

// TestMeasureByHand checks the clock against cases computed by hand, hour by hour, in the
// calendar's own zone. Berlin is CET (UTC+1) until 29 March 2026 and CEST (UTC+2) from then
// until 25 October; New York is EST (UTC−5) until 8 March 2026, EDT (UTC−4) until 1 November.
func TestMeasureByHand(t *testing.T) {
	berlinHours := berlin(t) // Mon–Fri 08:00–18:00, Good Friday and Easter Monday off
	newYork := NewCalendar(mustZone(t, "America/New_York"), []Span{{Days: weekdaysOnly, Start: 9 * 60, End: 17 * 60}}, nil)
	resolution := func(goal time.Duration, cal *Calendar) Clock {
		return Clock{Target: Resolution, Goal: goal, Calendar: cal, PauseStates: []string{"on_hold"}, WarnAt: []float64{50, 75}}
	}
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
			// Fri 17:00–18:00 CET, then Mon 08:00–10:00: 3 business hours.
			name: "across a weekend", clock: resolution(4*time.Hour, berlinHours), opened: "2026-03-06T16:00:00Z",
			timeline: steps("2026-03-06T16:00:00Z", "new", "2026-03-09T09:00:00Z", "resolved"),
			asOf:     "2026-03-10T00:00:00Z",
			want:     Status{Stage: Stopped, Elapsed: 3 * time.Hour, Goal: 4 * time.Hour, Percent: 75, Warning: 75, StoppedAt: at("2026-03-09T09:00:00Z")},
			result:   "met",
		},
		{
			// Thu 2 April 17:00–18:00 CEST; Good Friday, the weekend and Easter Monday are
			// off; Tue 08:00–09:00: 2 hours. The 2 hours left run out Tue 11:00 CEST.
			name: "across Easter holidays", clock: resolution(4*time.Hour, berlinHours), opened: "2026-04-02T15:00:00Z",
			timeline: steps("2026-04-02T15:00:00Z", "new"),
			asOf:     "2026-04-07T07:00:00Z",
			want:     Status{Stage: Running, Elapsed: 2 * time.Hour, Goal: 4 * time.Hour, Percent: 50, Warning: 50, BreachAt: at("2026-04-07T09:00:00Z")},
			result:   "at_risk",
		},
		{
			// Fri 27 March 17:00–18:00 CET (16:00Z); Sunday the clocks go forward; Mon
			// 08:00–09:00 CEST is 06:00Z–07:00Z: 2 hours. Breach Mon 11:00 CEST = 09:00Z.
			name: "spring forward in Europe/Berlin", clock: resolution(4*time.Hour, berlinHours), opened: "2026-03-27T16:00:00Z",
			timeline: steps("2026-03-27T16:00:00Z", "new"),
			asOf:     "2026-03-30T07:00:00Z",
			want:     Status{Stage: Running, Elapsed: 2 * time.Hour, Goal: 4 * time.Hour, Percent: 50, Warning: 50, BreachAt: at("2026-03-30T09:00:00Z")},
			result:   "at_risk",
		},
		{
			// Fri 23 October 17:00–18:00 CEST (15:00Z); Sunday the clocks go back; Mon
			// 08:00–09:00 CET is 07:00Z–08:00Z: 2 hours.
			name: "fall back in Europe/Berlin", clock: resolution(4*time.Hour, berlinHours), opened: "2026-10-23T15:00:00Z",
			timeline: steps("2026-10-23T15:00:00Z", "new", "2026-10-26T08:00:00Z", "resolved"),
			asOf:     "2026-10-27T00:00:00Z",
			want:     Status{Stage: Stopped, Elapsed: 2 * time.Hour, Goal: 4 * time.Hour, Percent: 50, Warning: 50, StoppedAt: at("2026-10-26T08:00:00Z")},
			result:   "met",
		},
		{
			// Fri 6 March 16:00–17:00 EST (21:00Z); Sunday the clocks go forward; Mon
			// 09:00–10:00 EDT is 13:00Z–14:00Z: 2 hours. 6 left: Mon 16:00 EDT = 20:00Z.
			name: "spring forward in America/New_York", clock: resolution(8*time.Hour, newYork), opened: "2026-03-06T21:00:00Z",
			timeline: steps("2026-03-06T21:00:00Z", "new"),
			asOf:     "2026-03-09T14:00:00Z",
			want:     Status{Stage: Running, Elapsed: 2 * time.Hour, Goal: 8 * time.Hour, Percent: 25, BreachAt: at("2026-03-09T20:00:00Z")},
			result:   "on_track",
		},
		{
			// Fri 30 October 16:30–17:00 EDT (20:30Z); Sunday the clocks go back; Mon
			// 09:00–09:30 EST is 14:00Z–14:30Z: 1 hour.
			name: "fall back in America/New_York", clock: resolution(8*time.Hour, newYork), opened: "2026-10-30T20:30:00Z",
			timeline: steps("2026-10-30T20:30:00Z", "new", "2026-11-02T14:30:00Z", "resolved"),
			asOf:     "2026-11-03T00:00:00Z",
			want:     Status{Stage: Stopped, Elapsed: time.Hour, Goal: 8 * time.Hour, Percent: 12.5, StoppedAt: at("2026-11-02T14:30:00Z")},
			result:   "met",
		},
		{
			// Mon 16:00–17:00 CET runs; on hold from 17:00 to Tue 09:00 (which holds the
			// business hours Mon 17–18 and Tue 08–09); Tue 09:00–11:00 runs: 3 hours.
			name: "a pause spanning the end of business hours", clock: resolution(4*time.Hour, berlinHours), opened: "2026-03-02T15:00:00Z",
			timeline: steps("2026-03-02T15:00:00Z", "new", "2026-03-02T15:00:00Z", "in_progress", "2026-03-02T16:00:00Z", "on_hold",
				"2026-03-03T08:00:00Z", "in_progress", "2026-03-03T10:00:00Z", "resolved"),
			asOf:   "2026-03-04T00:00:00Z",
			want:   Status{Stage: Stopped, Elapsed: 3 * time.Hour, Goal: 4 * time.Hour, Percent: 75, Warning: 75, StoppedAt: at("2026-03-03T10:00:00Z")},
			result: "met",
		},
		{
			// 3 hours run, then on hold for 7 hours: the 4-hour goal is not breached while
			// the clock is paused, and a paused clock has no breach time.
			name: "no breach during a pause", clock: resolution(4*time.Hour, nil), opened: "2026-03-02T10:00:00Z",
			timeline: steps("2026-03-02T10:00:00Z", "new", "2026-03-02T13:00:00Z", "on_hold"),
			asOf:     "2026-03-02T20:00:00Z",
			want:     Status{Stage: Paused, Elapsed: 3 * time.Hour, Goal: 4 * time.Hour, Percent: 75, Warning: 75},
			result:   "paused",
		},
		{
			// 1 hour runs, 2 hours on hold, 30 minutes run: 2h30m are left at 13:30, so the
			// breach moves from 14:00 to 16:00.
			name: "a pause moves breach_at", clock: resolution(4*time.Hour, nil), opened: "2026-03-02T10:00:00Z",
			timeline: steps("2026-03-02T10:00:00Z", "new", "2026-03-02T11:00:00Z", "on_hold", "2026-03-02T13:00:00Z", "in_progress"),
			asOf:     "2026-03-02T13:30:00Z",
			want:     Status{Stage: Running, Elapsed: 90 * time.Minute, Goal: 4 * time.Hour, Percent: 37.5, BreachAt: at("2026-03-02T16:00:00Z")},
			result:   "on_track",
		},
		{
			// Around the clock, a weekend night counts: Sat 22:00Z to Sun 03:00Z is 5 hours.
			name: "24x7", clock: resolution(4*time.Hour, nil), opened: "2026-03-07T22:00:00Z",
			timeline: steps("2026-03-07T22:00:00Z", "new", "2026-03-07T22:10:00Z", "in_progress"),
			asOf:     "2026-03-08T03:00:00Z",
			want:     Status{Stage: Running, Elapsed: 5 * time.Hour, Goal: 4 * time.Hour, Percent: 125, Breached: true, Warning: 75},
			result:   "breached",
		},
		{
			// 2 hours to the first resolution, reopened the next morning for 1h30m: 3h30m,
			// stopped at the second resolution; closing later does not move it.
			name: "a reopened incident", clock: resolution(4*time.Hour, nil), opened: "2026-03-02T10:00:00Z",
			timeline: steps("2026-03-02T10:00:00Z", "new", "2026-03-02T10:05:00Z", "in_progress", "2026-03-02T12:00:00Z", "resolved",
				"2026-03-03T09:00:00Z", "in_progress", "2026-03-03T10:30:00Z", "resolved", "2026-03-05T10:00:00Z", "closed"),
			asOf:   "2026-03-06T00:00:00Z",
			want:   Status{Stage: Stopped, Elapsed: 210 * time.Minute, Goal: 4 * time.Hour, Percent: 87.5, Warning: 75, StoppedAt: at("2026-03-03T10:30:00Z")},
			result: "met",
		},
		{
			// The response to the same incident was given once, at 10:05, whatever follows.
			name: "a reopen does not restart the response clock", clock: Clock{Target: Response, Goal: 15 * time.Minute, WarnAt: []float64{50, 75}},
			opened: "2026-03-02T10:00:00Z",
			timeline: steps("2026-03-02T10:00:00Z", "new", "2026-03-02T10:05:00Z", "in_progress", "2026-03-02T12:00:00Z", "resolved",
				"2026-03-03T09:00:00Z", "in_progress"),
			asOf:   "2026-03-03T10:00:00Z",
			want:   Status{Stage: Stopped, Elapsed: 5 * time.Minute, Goal: 15 * time.Minute, Percent: 100.0 / 3, StoppedAt: at("2026-03-02T10:05:00Z")},
			result: "met",
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

// summary makes a record summary as the index keeps it.
func summary(kind record.Kind, id string, fields, facts map[string]any) *record.Record {
	return &record.Record{Kind: kind, ID: id, Fields: record.MustFields(fields), Facts: record.MustFields(facts)}
}

func TestSetSelect(t *testing.T) {
	rs := []*record.Record{
		summary(record.Calendar, "berlin", map[string]any{"timezone": "Europe/Berlin"}, map[string]any{
			"hours[].days": []string{"mon,tue,wed,thu,fri"}, "hours[].start": []string{"08:00"}, "hours[].end": []string{"18:00"},
			"holidays[].date": []string{"2026-04-03"}}),
		summary(record.SLA, "response", map[string]any{"target": "response", "calendar": "24x7"}, map[string]any{
			"applies_to.kind": "Incident", "goals[].priority": []string{"P1", "P3"}, "goals[].duration": []string{"15m", "4h"}}),
		summary(record.SLA, "business", map[string]any{"target": "resolution", "calendar": "berlin"}, map[string]any{
			"applies_to.kind": "Incident", "applies_to.services": []string{"shop"},
			"goals[].priority": []string{"P3"}, "goals[].duration": []string{"20h"}, "warn_at": []string{"80"}}),
		summary(record.SLA, "broken", map[string]any{"target": "resolution", "calendar": "nowhere"}, map[string]any{
			"goals[].priority": []string{"P3"}, "goals[].duration": []string{"1h"}}),
	}
	set := NewSet(rs)
	if got, want := len(set.Errors), 1; got != want {
		t.Errorf("errors: got %d (%v), want %d", got, set.Errors, want)
	}
	ids := func(ds []*Definition) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	tests := []struct {
		name string
		sub  Subject
		want []string
	}{
		{"every SLA whose applies_to matches", Subject{Kind: "Incident", Priority: "P3", Service: "shop"}, []string{"business", "response"}},
		{"a service filter", Subject{Kind: "Incident", Priority: "P3", Service: "other"}, []string{"response"}},
		{"no goal for the priority", Subject{Kind: "Incident", Priority: "P1", Service: "shop"}, []string{"response"}},
		{"another kind", Subject{Kind: "Problem", Priority: "P3", Service: "shop"}, nil},
		{"an SLA named by the record wins", Subject{Kind: "Incident", Priority: "P3", Service: "other", SLA: "business"}, []string{"business"}},
		{"a named SLA without a goal for the priority", Subject{Kind: "Incident", Priority: "P1", SLA: "business"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(set.Select(tt.sub))); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
		})
	}
	// The business SLA's calendar came from the summary: Thu 17–18, Good Friday off (the
	// only holiday it lists), Easter Monday 08–18, Tue 08–09 make 12 hours; warn_at is 80.
	ms := set.Measure(Subject{Kind: "Incident", Priority: "P3", Service: "shop", Opened: at("2026-04-02T15:00:00Z"),
		Timeline: steps("2026-04-02T15:00:00Z", "new")}, at("2026-04-07T07:00:00Z"))
	if len(ms) != 2 || ms[0].Def.ID != "business" {
		t.Fatalf("got %d clocks, want business and response", len(ms))
	}
	if got, want := ms[0].Status.Elapsed, 12*time.Hour; got != want {
		t.Errorf("business elapsed: got %v, want %v", got, want)
	}
	if got, want := ms[0].Def.WarnAt, []float64{80}; !cmp.Equal(got, want) {
		t.Errorf("warn_at: got %v, want %v", got, want)
	}
}

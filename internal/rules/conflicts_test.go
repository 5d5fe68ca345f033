package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// TestConflictsMatchesEveryPair holds conflicts, which finds overlapping changes by binary
// search, to the plain comparison of every pair of changes on related CIs, on random plans.
func TestConflictsMatchesEveryPair(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for round := range 50 {
		var recs []*record.Record
		ncis := 1 + rng.IntN(12)
		for c := range ncis {
			var deps []string
			for range rng.IntN(3) {
				deps = append(deps, fmt.Sprintf("ci-%d", rng.IntN(ncis))) // cycles too
			}
			recs = append(recs, ci(fmt.Sprintf("ci-%d", c), "production", deps...))
		}
		for n := range 1 + rng.IntN(120) {
			start := base.Add(time.Duration(rng.IntN(10*24*60)) * time.Minute)
			end := start.Add(time.Duration(rng.IntN(48*60)) * time.Minute) // may be empty: not active
			var cis []string
			for range 1 + rng.IntN(2) {
				cis = append(cis, fmt.Sprintf("ci-%d", rng.IntN(ncis)))
			}
			recs = append(recs, change(fmt.Sprintf("CHG-%d", n), "normal", "scheduled",
				start.Format(time.RFC3339), end.Format(time.RFC3339), cis...))
		}
		active := activeChanges(recs)
		got := conflicts(recs, active, all)
		want := everyPair(recs, active)
		if diff := cmp.Diff(messages(want), messages(got)); diff != "" {
			t.Fatalf("round %d (-every pair +conflicts):\n%s", round, diff)
		}
	}
}

func messages(fs []finding.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.ID+": "+f.Message)
	}
	return out
}

// everyPair is conflicts as first written: every change against every change on each CI it
// reaches.
func everyPair(recs []*record.Record, changes []planned) []finding.Finding {
	byCI := map[string][]int{}
	for i, ch := range changes {
		for _, id := range ch.cis {
			byCI[id] = append(byCI[id], i)
		}
	}
	deps := map[string][]string{}
	for _, r := range recs {
		if r.Kind == record.CI {
			deps[r.ID] = append(r.Strings("depends_on"), r.Strings("runs_on")...)
		}
	}
	reach := func(id string) []string {
		seen := map[string]bool{id: true}
		stack := []string{id}
		var out []string
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			out = append(out, x)
			for _, d := range deps[x] {
				if !seen[d] {
					seen[d] = true
					stack = append(stack, d)
				}
			}
		}
		return out
	}
	type pair struct{ a, b int }
	found := map[pair]string{}
	for i, ch := range changes {
		for _, id := range ch.cis {
			for _, dep := range reach(id) {
				for _, j := range byCI[dep] {
					if j == i || !(ch.start.Before(changes[j].end) && changes[j].start.Before(ch.end)) {
						continue
					}
					p := pair{min(i, j), max(i, j)}
					if _, ok := found[p]; ok {
						continue
					}
					if dep == id {
						found[p] = "on CI " + id
					} else if i < j {
						found[p] = fmt.Sprintf("on CI %s, which depends on %s", id, dep)
					} else {
						found[p] = fmt.Sprintf("on CI %s, which %s depends on", dep, id)
					}
				}
			}
		}
	}
	var out []finding.Finding
	for a := range changes {
		for b := a + 1; b < len(changes); b++ {
			desc, ok := found[pair{a, b}]
			if !ok {
				continue
			}
			for _, side := range [][2]int{{a, b}, {b, a}} {
				me, other := changes[side[0]], changes[side[1]]
				out = append(out, me.finding(finding.Warning, "conflict",
					"planned %s – %s overlaps %s (%s – %s) %s; reschedule one of them or confirm they can run together",
					me.r.String("planned_start"), me.r.String("planned_end"), other.r.ID,
					other.r.String("planned_start"), other.r.String("planned_end"), desc))
			}
		}
	}
	return out
}

// TestRepoSelectedConflicts holds Repo with a selection (validate --base), which reads the
// planned windows of the selected changes and of those near them only, to Repo over every
// change with its window and conflict findings then limited to the selection.
func TestRepoSelectedConflicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cfg := &config.Config{Windows: []config.Window{
		{Name: "year-end", Type: "freeze", Start: "2026-12-04T00:00:00Z", End: "2026-12-06T00:00:00Z", Scope: config.Scope{CIs: []string{"ci-1", "ci-2"}}},
		{Name: "nights", Type: "maintenance", Recurrence: &config.Recurrence{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "00:00", End: "06:00"}, Scope: config.Scope{All: true}},
	}}
	pick := func(fs []finding.Finding, sel map[string]bool) []string {
		out := []string{}
		for _, f := range fs {
			if (f.Rule == "conflict" || f.Rule == "window") && (sel == nil || sel[f.Path]) {
				out = append(out, f.Path+": "+f.Message)
			}
		}
		return out
	}
	for round := range 200 {
		var recs []*record.Record
		ncis := 1 + rng.IntN(15)
		for c := range ncis {
			var deps []string
			for range rng.IntN(3) {
				deps = append(deps, fmt.Sprintf("ci-%d", rng.IntN(ncis)))
			}
			recs = append(recs, ci(fmt.Sprintf("ci-%d", c), "production", deps...))
		}
		for n := range 1 + rng.IntN(80) {
			start := base.Add(time.Duration(rng.IntN(10*24*60)) * time.Minute)
			end := start.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
			var cis []string
			for range 1 + rng.IntN(2) {
				cis = append(cis, fmt.Sprintf("ci-%d", rng.IntN(ncis)))
			}
			state := []string{"scheduled", "implement", "closed"}[rng.IntN(3)]
			r := change(fmt.Sprintf("CHG-%d", n), "normal", state, start.Format(time.RFC3339), end.Format(time.RFC3339), cis...)
			r.Path = fmt.Sprintf("changes/CHG-%d.yaml", n)
			recs = append(recs, r)
		}
		sel := map[string]bool{}
		for _, r := range recs {
			if r.Kind == record.Change && rng.IntN(10) == 0 {
				sel[r.Path] = true
			}
		}
		want := pick(Repo(recs, cfg, nil), sel)
		got := pick(Repo(recs, cfg, sel), nil)
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round %d, %d selected (-all, then limited +selected):\n%s", round, len(sel), diff)
		}
	}
}

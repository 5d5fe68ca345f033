package check

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gitsm/gitsm/internal/config"
)

// manyKeys is an otherwise valid incident with n unknown top-level fields, and as many
// duplicates of them when dups is set: the size of record that made reporting quadratic.
func manyKeys(n int, dups bool) []byte {
	var b strings.Builder
	b.WriteString(`apiVersion: gitsm/v1
kind: Incident
id: INC-000001
title: many keys
state: new
impact: 2
urgency: 2
opened_at: 2026-03-02T10:14:00Z
timeline:
  - at: 2026-03-02T10:14:00Z
    state: new
    by: someone
`)
	for i := range n {
		fmt.Fprintf(&b, "u%d: v\n", i)
	}
	if dups {
		for i := range n {
			fmt.Fprintf(&b, "u%d: w\n", i)
		}
	}
	return []byte(b.String())
}

func engine(tb testing.TB) *Engine {
	e, err := NewWithConfig(tb.TempDir(), config.Default())
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func analyzeKeys(e *Engine, src []byte) int {
	f, _ := e.Analyze("incidents/INC-000001.yaml", src)
	return len(f.Findings)
}

// BenchmarkUnknownKeys checks a 100,000-key record: one finding per unknown key, in time
// linear in the keys.
func BenchmarkUnknownKeys(b *testing.B) {
	src, e := manyKeys(100_000, false), engine(b)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		analyzeKeys(e, src)
	}
}

// BenchmarkDuplicateKeys checks a record with 50,000 keys each given twice.
func BenchmarkDuplicateKeys(b *testing.B) {
	src, e := manyKeys(50_000, true), engine(b)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		analyzeKeys(e, src)
	}
}

// TestManyKeysLinear checks that reporting unknown and duplicate keys grows linearly: four
// times the keys may take about four times as long, never the sixteen times of a quadratic
// search (which took 43 s for 100,000 keys). The fastest of three runs is compared, with room
// for a busy machine.
func TestManyKeysLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("times whole-record checks")
	}
	for _, dups := range []bool{false, true} {
		t.Run(fmt.Sprintf("duplicates=%v", dups), func(t *testing.T) {
			e := engine(t)
			small, large := manyKeys(10_000, dups), manyKeys(40_000, dups)
			if got, want := analyzeKeys(e, large), 40_000; got < want {
				t.Fatalf("got %d findings for 40,000 bad keys, want at least %d", got, want)
			}
			ts, tl := fastest(e, small), fastest(e, large)
			if ratio := float64(tl) / float64(ts); ratio > 10 {
				t.Errorf("4× the keys took %.1f× as long (%v against %v): reporting is not linear", ratio, tl, ts)
			}
		})
	}
}

func fastest(e *Engine, src []byte) time.Duration {
	best := time.Duration(math.MaxInt64)
	for range 3 {
		start := time.Now()
		analyzeKeys(e, src)
		best = min(best, time.Since(start))
	}
	return best
}

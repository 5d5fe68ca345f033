package check

import (
	"fmt"
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

// TestManyKeys checks records of 150,000 unknown keys, and of 75,000 keys each given twice:
// every key gets its finding, within 60 s. Linear reporting takes about a second on an idle
// 2-core machine (8 s at load average 10); the quadratic search it replaced took 43 s for
// 100,000 keys on the idle one, so about 100 s for these.
func TestManyKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("checks records of 150,000 keys")
	}
	e := engine(t)
	for _, tt := range []struct {
		name string
		src  []byte
		want int
	}{
		{"unknown", manyKeys(150_000, false), 150_000},
		{"duplicate", manyKeys(75_000, true), 75_000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan int, 1)
			go func() { done <- analyzeKeys(e, tt.src) }()
			select {
			case got := <-done:
				if got < tt.want {
					t.Errorf("got %d findings, want at least %d", got, tt.want)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("still reporting after 60 s: the work grows faster than the keys")
			}
		})
	}
}

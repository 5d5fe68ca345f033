package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gitsm/gitsm/internal/benchgen"
	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/record"
)

// BenchmarkWarm measures the index's purpose on a generated repository with a warm cache:
// after one record file changes, what `gitsm validate` does (refresh the index, run the rules
// across all records) and what `gitsm list incident --where state=in_progress` does (refresh
// the incidents, filter, sort). Each iteration starts from a collected heap; the whole-process
// figures, with start-up and a fresh heap, are in docs/benchmarks.md. The 100,000-record case is skipped with -short. See docs/benchmarks.md for
// the whole-process figures.
func BenchmarkWarm(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			if n > 10000 && testing.Short() {
				b.Skip("100,000 records take a while to generate and index; run without -short")
			}
			dir := b.TempDir()
			if err := benchgen.Generate(dir, n, 1); err != nil {
				b.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
				b.Fatal(err)
			}
			// Files written less than racyWindow before a cache are hashed again on every run
			// until they are older: a repository's files are, as a rule.
			time.Sleep(racyWindow)
			opts := Options{Version: "bench", Build: "bench"}
			e, err := check.New(dir)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Build(context.Background(), e, opts); err != nil {
				b.Fatal(err)
			}
			paths, _, err := record.Walk(dir)
			if err != nil {
				b.Fatal(err)
			}
			var victim string
			for _, p := range paths {
				if strings.HasPrefix(p, "incidents/") {
					victim = filepath.Join(dir, filepath.FromSlash(p))
					break
				}
			}
			original, err := os.ReadFile(victim)
			if err != nil {
				b.Fatal(err)
			}
			edits := 0
			// touch changes the victim's content (a comment line more or less), so that every
			// iteration starts with exactly one changed file, and collects the last iteration's
			// index, so that every iteration starts with a heap as small as a new process's.
			touch := func(b *testing.B) {
				b.Helper()
				runtime.GC()
				edits++
				content := original
				if edits%2 == 1 {
					content = append([]byte("# edited\n"), original...)
				}
				if err := os.WriteFile(victim, content, 0o644); err != nil {
					b.Fatal(err)
				}
			}

			b.Run("validate-after-one-change", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					touch(b)
					b.StartTimer()
					e, err := check.New(dir)
					if err != nil {
						b.Fatal(err)
					}
					src := &Source{Options: opts}
					res, err := e.Run(context.Background(), src, check.Options{})
					if err != nil {
						b.Fatal(err)
					}
					if src.Index.Stats.Analyzed != 1 || len(res.Findings) != 0 {
						b.Fatalf("got %d files analyzed and %d findings, want 1 and none", src.Index.Stats.Analyzed, len(res.Findings))
					}
				}
			})
			b.Run("list-incident-in-progress", func(b *testing.B) {
				cond, _ := ParseCond("state=in_progress")
				opts := opts
				opts.Kinds = []record.Kind{record.Incident} // as gitsm list KIND does
				for b.Loop() {
					b.StopTimer()
					touch(b)
					b.StartTimer()
					ix, _, err := Load(context.Background(), dir, opts)
					if err != nil {
						b.Fatal(err)
					}
					got := Filter(ix.Records(), record.Incident, []Cond{cond})
					Sort(got, nil)
					if len(got) == 0 {
						b.Fatal("no incident in progress")
					}
				}
			})
		})
	}
}

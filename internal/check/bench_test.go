package check_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/benchgen"
	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/record"
)

// BenchmarkValidate runs what `gitsm validate` runs — every record file read, parsed, checked
// against its schema and the per-record rules, then the rules across records — on generated
// repositories, and reports records per second. The 100,000-record case is skipped with -short.
func BenchmarkValidate(b *testing.B) {
	for _, n := range []int{1000, 20000, 100000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			if n > 20000 && testing.Short() {
				b.Skip("100,000 records take a while to generate; run without -short")
			}
			dir := b.TempDir()
			if err := benchgen.Generate(dir, n, 1); err != nil {
				b.Fatal(err)
			}
			total := benchgen.Count(n).Total()
			b.ResetTimer()
			for b.Loop() {
				e, err := check.New(dir)
				if err != nil {
					b.Fatal(err)
				}
				res, err := e.Run(context.Background(), nil, check.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Records != total || len(res.Findings) != 0 {
					b.Fatalf("got %d records and %d findings, want %d records and none", res.Records, len(res.Findings), total)
				}
			}
			b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkYAMLFloor is the least any validator built on yaml.v3 must do with the same
// records: read every file and parse it into a yaml.Node, on every core, and nothing else — no
// value for the schema, no schema, no rules. It is the floor under BenchmarkValidate:
// docs/benchmarks.md compares it with ajv-cli's whole run.
func BenchmarkYAMLFloor(b *testing.B) {
	for _, n := range []int{20000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := benchgen.Generate(dir, n, 1); err != nil {
				b.Fatal(err)
			}
			paths, _, err := record.Walk(dir)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				var wg sync.WaitGroup
				next := make(chan string)
				for range runtime.GOMAXPROCS(0) {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for p := range next {
							src, err := os.ReadFile(filepath.Join(dir, p))
							if err != nil {
								b.Error(err)
								continue
							}
							var doc yaml.Node
							if err := yaml.Unmarshal(src, &doc); err != nil {
								b.Error(err)
							}
						}
					}()
				}
				for _, p := range paths {
					next <- p
				}
				close(next)
				wg.Wait()
			}
			b.ReportMetric(float64(len(paths))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

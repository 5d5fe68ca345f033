package check_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gitsm/gitsm/internal/benchgen"
	"github.com/gitsm/gitsm/internal/check"
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

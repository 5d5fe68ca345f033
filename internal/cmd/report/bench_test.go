package report

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gitsm/gitsm/internal/benchgen"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/report"
)

// benchRecords returns the summaries of a benchgen repository of GITSM_BENCH_N records
// (default 20,000), from its index: what a warm `gitsm report` starts from.
func benchRecords(b *testing.B) ([]*record.Record, func(int, int) string) {
	b.Helper()
	n := 20000
	if s := os.Getenv("GITSM_BENCH_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("GITSM_BENCH_N=%q: %v", s, err)
		}
	}
	dir := b.TempDir()
	if err := benchgen.Generate(dir, n, 1); err != nil {
		b.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	ix, e, err := index.Load(context.Background(), dir, index.Options{Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return ix.Records(), e.Config.Priority
}

// BenchmarkReportAll is the part of a warm `gitsm report all` after the index is read:
// building every section from the summaries (loading them, measuring every SLA clock) and
// writing the text report. GITSM_BENCH_N=100000 gives the size of issue 12's benchmark.
func BenchmarkReportAll(b *testing.B) {
	rs, prio := benchRecords(b)
	opts := report.Options{AsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Priority: prio}
	for _, format := range []string{"text", "json", "html"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep := report.Build(rs, opts)
				if err := report.Write(io.Discard, format, rep, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			report.Build(rs, opts)
		}
	})
}

package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/report"
)

// TestWarmReportFromCache builds the report from a freshly analyzed index and from the
// cache alone (no record file read again): the summaries' facts — timelines, SLA goals,
// calendar hours — must come back from the cache intact, so both reports are the same.
func TestWarmReportFromCache(t *testing.T) {
	dir := examples(t)
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	build := func() (string, index.Stats) {
		ix, e, err := index.Load(context.Background(), dir, index.Options{Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		rep := report.Build(ix.Records(), report.Options{AsOf: asOf, Priority: e.Config.Priority})
		if err := report.JSON(&b, rep); err != nil {
			t.Fatal(err)
		}
		return b.String(), ix.Stats
	}
	cold, cs := build()
	if cs.Analyzed == 0 || !cs.Written {
		t.Fatalf("cold: analyzed %d, written %v; want every file analyzed and the cache written", cs.Analyzed, cs.Written)
	}
	// Files changed within two seconds of the run that cached them are hashed again
	// ("racily clean"): let that window pass, and let one run store them as settled.
	time.Sleep(2100 * time.Millisecond)
	build()
	warm, ws := build()
	if !ws.CacheHit || ws.Analyzed != 0 || ws.Rehashed != 0 {
		t.Fatalf("warm: cache hit %v, analyzed %d, rehashed %d; want every summary from the cache", ws.CacheHit, ws.Analyzed, ws.Rehashed)
	}
	if diff := cmp.Diff(cold, warm); diff != "" {
		t.Errorf("the report from the cache differs (-cold +warm):\n%s", diff)
	}
	if !bytes.Contains([]byte(warm), []byte(`"breached": 1`)) {
		t.Errorf("the warm report measured no breach: the clocks lost their data")
	}
}

package history

import (
	"context"
	"os"
	"runtime/debug"
	"testing"

	githistory "github.com/gitsm/gitsm/internal/history"
)

// BenchmarkWarmHistory is the whole of `gitsm history ID` on a warm index but the printing,
// with the garbage collector tuned as the gitsm binary tunes it (internal/cli), against a
// repository made by docs/bench/history-vs-git.sh (KEEP=1) and named by
// GITSM_BENCH_HISTORY_REPO, its cache already built; the record is GITSM_BENCH_HISTORY_ID
// (INC-001333 by default):
//
//	GITSM_BENCH_HISTORY_REPO=/tmp/…/records go test -run - -bench . -cpuprofile cpu.out ./internal/cmd/history
func BenchmarkWarmHistory(b *testing.B) {
	repo := os.Getenv("GITSM_BENCH_HISTORY_REPO")
	if repo == "" {
		b.Skip("set GITSM_BENCH_HISTORY_REPO to a repository made by docs/bench/history-vs-git.sh")
	}
	id := os.Getenv("GITSM_BENCH_HISTORY_ID")
	if id == "" {
		id = "INC-001333"
	}
	defer debug.SetGCPercent(debug.SetGCPercent(1000))
	for b.Loop() {
		ix, err := githistory.Open(repo, githistory.Options{})
		if err != nil {
			b.Fatal(err)
		}
		tip, ref, err := ix.Resolve("HEAD")
		if err != nil {
			b.Fatal(err)
		}
		if st, err := ix.Sync(context.Background(), ref, tip, nil); err != nil || st.Read != 0 {
			b.Fatalf("sync: %v, read %d commits (build the cache first)", err, st.Read)
		}
		res, err := Build(ix, tip, id)
		if err != nil || len(res.Commits) == 0 {
			b.Fatalf("build: %v", err)
		}
		ix.Close()
	}
}

package history

import (
	"context"
	"os"
	"testing"
)

// The benchmarks run against a repository made by docs/bench/history-vs-git.sh (KEEP=1), named
// by GITSM_BENCH_HISTORY_REPO, with its cache already built (one `gitsm history` run), and the
// record GITSM_BENCH_HISTORY_ID (INC-001333 by default):
//
//	GITSM_BENCH_HISTORY_REPO=/tmp/…/records go test -run - -bench . -cpuprofile cpu.out ./internal/history
func benchRepo(b *testing.B) (string, string) {
	repo := os.Getenv("GITSM_BENCH_HISTORY_REPO")
	if repo == "" {
		b.Skip("set GITSM_BENCH_HISTORY_REPO to a repository made by docs/bench/history-vs-git.sh")
	}
	id := os.Getenv("GITSM_BENCH_HISTORY_ID")
	if id == "" {
		id = "INC-001333"
	}
	return repo, id
}

// BenchmarkWarmHistory is what `gitsm history ID` does on a warm cache before the field diffs:
// open, sync (nothing to read), find the record and list its commits.
func BenchmarkWarmHistory(b *testing.B) {
	repo, id := benchRepo(b)
	for b.Loop() {
		ix, err := Open(repo, Options{})
		if err != nil {
			b.Fatal(err)
		}
		tip, ref, err := ix.Resolve("HEAD")
		if err != nil {
			b.Fatal(err)
		}
		st, err := ix.Sync(context.Background(), ref, tip, nil)
		if err != nil || st.Read != 0 {
			b.Fatalf("sync: %v, read %d commits (build the cache first)", err, st.Read)
		}
		p, ok, err := ix.FindPath(tip, id)
		if err != nil || !ok {
			b.Fatalf("find %s: %v %v", id, ok, err)
		}
		if _, err := ix.Log(tip, p); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ix.ReadNotes(); err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkColdBuild reads every commit again (--rebuild) and writes the cache whole; run it
// with -benchtime 1x. It leaves the cache built.
func BenchmarkColdBuild(b *testing.B) {
	repo, _ := benchRepo(b)
	for b.Loop() {
		ix, err := Open(repo, Options{Rebuild: true})
		if err != nil {
			b.Fatal(err)
		}
		tip, ref, err := ix.Resolve("HEAD")
		if err != nil {
			b.Fatal(err)
		}
		if st, err := ix.Sync(context.Background(), ref, tip, nil); err != nil || st.Read == 0 {
			b.Fatalf("sync: %v, read %d commits", err, st.Read)
		}
		ix.Close()
	}
}

// Command historygen writes a `git fast-import` stream of a records repository with a long
// history, for the history and audit benchmarks:
//
//	go run ./internal/benchgen/cmd/historygen -commits 20000 -records 50000 | git -C DIR fast-import
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gitsm/gitsm/internal/benchgen"
)

func main() {
	commits := flag.Int("commits", 20000, "number of commits")
	records := flag.Int("records", 50000, "number of record files at the end")
	seed := flag.Int64("seed", 1, "random seed; the same seed gives the same stream")
	flag.Parse()
	if err := benchgen.HistoryStream(os.Stdout, benchgen.HistoryOptions{Commits: *commits, Records: *records, Seed: *seed}); err != nil {
		fmt.Fprintln(os.Stderr, "historygen:", err)
		os.Exit(1)
	}
}

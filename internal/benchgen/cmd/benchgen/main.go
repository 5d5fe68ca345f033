// Command benchgen writes a generated records repository for benchmarks:
//
//	go run ./internal/benchgen/cmd/benchgen -n 100000 -seed 1 DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gitsm/gitsm/internal/benchgen"
)

func main() {
	n := flag.Int("n", 20000, "number of incidents, problems and changes")
	seed := flag.Int64("seed", 1, "random seed; the same seed gives the same files")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: benchgen [-n N] [-seed S] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := benchgen.Generate(flag.Arg(0), *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	c := benchgen.Count(*n)
	fmt.Printf("%s: %d record files (%d incidents, %d problems, %d changes, %d CIs, %d SLAs, %d calendars)\n",
		flag.Arg(0), c.Total(), c.Incidents, c.Problems, c.Changes, c.CIs, c.SLAs, c.Calendars)
}

// Package report is the `gitsm report` command.
package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/authoring"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/report"
)

// Options are the parsed flags and arguments of `gitsm report`.
type Options struct {
	Factory  *command.Factory
	Sections []string // empty: all
	Since    string
	Until    string
	AsOf     string
	Output   string
	Table    string
}

// NewCmdReport builds the command; runF replaces the run function in tests.
func NewCmdReport(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "report [sla|incidents|changes|problems|all]",
		Short: "Report SLA compliance and incident, change and problem metrics",
		Long: `Add up the records into the reports a service owner, a CAB chair and an auditor want:

  sla        per SLA and priority: count, met, breached, in progress, at risk, compliance %
             (met ÷ (met + breached)), by month, and the clocks at risk, soonest breach first
  incidents  by priority: count, open, resolved, time to acknowledge and to resolve (mean,
             median, p90 hours; wall clock, business hours, net of hold), backlog aging,
             counts by state, service and CI, a monthly trend, the major incidents
  changes    counts by type, state and outcome, success rate, emergency ratio, change
             failure rate, lead time and the DORA figures the records give
  problems   open problems, known errors, incidents per problem, recurrence
  all        every section (the default)

Records whose data cannot be right (resolved before opened, no opened_at …) are listed as
data-quality findings and left out of the figures. docs/reports.md states every formula.

--since and --until bound the records by opened_at (a change by planned_start): since is
inclusive, until exclusive; a bare date for --until includes that day. --as-of makes "now"
explicit (RFC 3339, or a date meaning its midnight UTC), so a report can be reproduced.

Formats: text (aligned tables), markdown (for $GITHUB_STEP_SUMMARY or a PR comment), json,
csv and html (one self-contained page with SVG charts, no script, prints on A4). csv writes
every table one after another, each row starting with its table's name; --table NAME writes
just that table as plain CSV. -o FILE writes to FILE (atomically) instead of stdout.

The report reads the index cache: a warm run does not read the record files again.`,
		Example: `  gitsm report
  gitsm report sla --as-of 2026-07-01
  gitsm report incidents --since 2026-01-01 --until 2026-03-31 --format json | jq .by_priority.P1
  gitsm report all --format html -o report.html
  gitsm report changes --format markdown >> "$GITHUB_STEP_SUMMARY"
  gitsm report incidents --format csv --table incidents_by_priority`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"sla", "incidents", "changes", "problems", "all"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] != "all" {
				switch args[0] {
				case "sla", "incidents", "changes", "problems":
					opts.Sections = []string{args[0]}
				default:
					return command.UsageErrorf("unknown report %q; use sla, incidents, changes, problems or all", args[0])
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Since, "since", "", "only records opened at or after `TIME` (RFC 3339 or YYYY-MM-DD)")
	fl.StringVar(&opts.Until, "until", "", "only records opened before `TIME` (a date includes that day)")
	fl.StringVar(&opts.AsOf, "as-of", "", "measure running clocks and ages up to `TIME` instead of now")
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report to `FILE` instead of stdout")
	fl.StringVar(&opts.Table, "table", "", "with --format csv, write only the table `NAME`")
	return command.OfferFormats(cmd, report.Formats...)
}

// parseTime reads a time flag: RFC 3339, or a date meaning its midnight UTC (with endOfDay,
// the midnight after it).
func parseTime(flag, s string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Time{}, command.UsageErrorf("%s %q: use RFC 3339 (2026-03-02T10:14:00Z) or a date (2026-03-02)", flag, s)
}

// Run runs `gitsm report`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", report.Formats...)
	if err != nil {
		return err
	}
	if opts.Table != "" && format != "csv" {
		return command.UsageErrorf("--table works with --format csv")
	}
	ropts := report.Options{AsOf: f.Now(), Sections: opts.Sections}
	if opts.AsOf != "" {
		if ropts.AsOf, err = parseTime("--as-of", opts.AsOf, false); err != nil {
			return err
		}
	}
	if opts.Since != "" {
		if ropts.Since, err = parseTime("--since", opts.Since, false); err != nil {
			return err
		}
	}
	if opts.Until != "" {
		if ropts.Until, err = parseTime("--until", opts.Until, true); err != nil {
			return err
		}
	}
	if !ropts.Since.IsZero() && !ropts.Until.IsZero() && !ropts.Until.After(ropts.Since) {
		return command.UsageErrorf("--until must be after --since")
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	var progress io.Writer
	if !f.Quiet && f.IO.Progress() {
		progress = f.IO.ErrOut
	}
	// A report shows no per-file finding: records are read for their summaries only (see
	// index.Options.SummariesOnly), which a cold report on a large repository feels.
	ix, e, err := index.Load(ctx, root, index.Options{Version: f.Version, Progress: progress, SummariesOnly: true})
	if err != nil {
		return err
	}
	ropts.Priority = e.Config.Priority
	rep := report.Build(ix.Records(), ropts)
	if opts.Output == "" {
		var buf bytes.Buffer
		if err := report.Write(&buf, format, rep, opts.Table); err != nil {
			return command.UsageErrorf("%v", err)
		}
		_, err := f.IO.Out.Write(buf.Bytes())
		return err
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, format, rep, opts.Table); err != nil {
		return command.UsageErrorf("%v", err)
	}
	path := opts.Output
	if !filepath.IsAbs(path) {
		path = filepath.Join(f.BaseDir(), path)
	}
	if err := writeFile(path, buf.Bytes()); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if !f.Quiet && len(rep.DataQuality) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "gitsm: %d records left out of the figures for impossible data; see the data-quality table\n", len(rep.DataQuality))
	}
	return nil
}

// writeFile writes a report file atomically: over an existing regular file with
// authoring.WriteFile (which keeps its mode), else as a new file through a temporary file in
// the same folder renamed into place, so a reader never sees half a report.
func writeFile(path string, data []byte) error {
	if _, err := os.Lstat(path); err == nil {
		return authoring.WriteFile(path, data)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+base+".gitsm-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

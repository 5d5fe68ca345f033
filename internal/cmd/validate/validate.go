// Package validate is the `gitsm validate` command.
package validate

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/output"
	"github.com/gitsm/gitsm/internal/record"
)

// Options are the parsed flags and arguments of `gitsm validate`.
type Options struct {
	Factory *command.Factory
	Paths   []string
	Base    string
	All     bool
	Strict  bool
	NoCache bool
	// Source overrides where per-file results come from; nil means the index, which reads
	// only the files changed since the last run.
	Source check.Source
}

// NewCmdValidate builds the command; runF replaces the run function in tests.
func NewCmdValidate(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check records against their schemas and the integrity rules",
		Long: `Check every record (or the files named) against the JSON Schema of its kind and the
integrity rules: IDs, references, cycles, the priority matrix, time order, state-dependent
fields and the timeline. References are always resolved against the whole repository.

With --base REV, also check what changed since REV against history (the rules transition,
immutable and deleted) and report only on records changed since REV, unless --all. Records
unchanged since REV are not checked again: those the rules across records need for the
changed ones (the records they name or share an ID with, all CIs, SLAs and calendars, and all
changes when a change changed) are read for their summaries, and the rest are not read at all
where git's own index vouches for their content.

Per-file results are cached in .git/gitsm/ by each file's path and content (its git blob
hash), so a second run reads only what changed; a fresh clone with a restored .git/gitsm/
reads only files that git's own index does not vouch for. A cached result is only ever used
for the exact content it was computed from. --no-cache reads and checks every file and
neither reads nor writes the cache.

Exit status: 0 valid (warnings alone pass unless --strict), 1 errors found, 2 could not run.`,
		Example: `  gitsm validate
  gitsm validate incidents/2026/INC-000123.yaml
  gitsm validate --base origin/main --format github   # in a pull request workflow
  gitsm validate --no-cache                           # ignore and do not write .git/gitsm/
  gitsm validate --format sarif > gitsm.sarif          # for code scanning
  gitsm validate -C path/to/records --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.All && opts.Base == "" {
				return command.UsageErrorf("--all goes with --base")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Base, "base", "", "also compare with revision `REV` (transition, immutable, deleted) and check only what changed since")
	cmd.Flags().BoolVar(&opts.All, "all", false, "with --base, check every record, not only those changed")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "fail on warnings too")
	cmd.Flags().BoolVar(&opts.NoCache, "no-cache", false, "neither read nor write the cache in .git/gitsm/")
	return command.OfferFormats(cmd, output.Formats...)
}

// Run runs `gitsm validate`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", output.Formats...)
	if err != nil {
		return err
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	engine, err := check.New(root)
	if err != nil {
		return fmt.Errorf("%w; fix the file and run again", err)
	}
	var paths []string
	for _, a := range opts.Paths {
		rel, err := record.Resolve(root, f.BaseDir(), a)
		if err != nil {
			return command.UsageErrorf("%v", err)
		}
		paths = append(paths, rel)
	}
	src := opts.Source
	if src == nil {
		src = &index.Source{Options: index.Options{Version: f.Version, Progress: progress(f), NoCache: opts.NoCache}}
	}
	res, err := engine.Run(ctx, src, check.Options{Paths: paths, Base: opts.Base, All: opts.All})
	if err != nil {
		return err
	}
	errs, warns := finding.Count(res.Findings)
	failed := errs > 0 || (opts.Strict && warns > 0)
	report := output.Report{Tool: "gitsm validate", Version: f.Version, Records: res.Records, Files: res.Files,
		Findings: res.Findings, Failed: failed, Strict: opts.Strict}
	if format == "text" {
		report.Findings = command.ShownFindings(f.BaseDir(), root, report.Findings)
	}
	if format == "github" || format == "sarif" {
		report.Prefix = gitPrefix(root)
		maxSize := engine.Config.MaxFileSize
		report.Source = func(rel string) ([]byte, error) {
			data, bad := record.ReadFile(root, rel, maxSize)
			if bad != nil {
				return nil, errors.New(bad.Message)
			}
			return data, nil
		}
	}
	if err := output.Write(f.IO.Out, format, report, output.Options{Color: f.IO.ColorOut()}); err != nil {
		return err
	}
	if format == "text" && !f.Quiet {
		fmt.Fprintln(f.IO.ErrOut, output.Summary(report))
	}
	if failed {
		return command.ErrCheckFailed
	}
	return nil
}

// gitPrefix is the records root's place in its git work tree ("ops/records" after
// `gitsm init ops/records` in a larger repository), which GitHub needs to place annotations;
// "" when the root is the top of the work tree or not in git at all.
func gitPrefix(root string) string {
	repo, err := gitrepo.Open(root)
	if err != nil {
		return ""
	}
	return repo.Prefix
}

// progress is where to show the progress of a long index build: stderr on a terminal.
func progress(f *command.Factory) io.Writer {
	if f.Quiet || !f.IO.Progress() {
		return nil
	}
	return f.IO.ErrOut
}

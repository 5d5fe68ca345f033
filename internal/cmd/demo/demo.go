// Package demo is the `gitsm demo DIR` command: it creates a records repository with a year of
// history from gitsm's examples, for trying every command.
package demo

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/examples"
	"github.com/gitsm/gitsm/internal/command"
	demorepo "github.com/gitsm/gitsm/internal/demo"
)

// Options are the parsed arguments of `gitsm demo`.
type Options struct {
	Factory *command.Factory
	Dir     string
}

// NewCmdDemo builds the command; runF replaces the run function in tests.
func NewCmdDemo(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "demo DIR",
		Short: "Create a records repository with a year of history, for trying gitsm",
		Long: `Create DIR (absent or empty) as a git repository holding the records of Northwind
Outfitters, gitsm's example shop, with a year of invented but consistent history:

  - settings and policy, then the CMDB (CIs, SLAs, calendars) through a pull request;
  - every incident, problem and change committed as it moved through its timeline, with the
    commit dates of its timeline entries, by several authors, through pull requests merged
    with merge commits ("Merge pull request #N from …") or squashed ("… (#N)"), with the
    pull requests' heads under refs/pull/N/head;
  - approval evidence notes under refs/notes/gitsm on every merge that moved a change or
    edited the settings, as 'gitsm approval record' writes them;
  - a freeze window over Black Friday added to .gitsm/config.yaml by a pull request, an SLA
    breach (INC-000014), one incident closed by a direct push to main and one duplicate
    incident deleted, so that 'gitsm audit' has something to find.

Every run makes the same commits, byte for byte. Main is checked out in DIR.`,
		Example: `  gitsm demo /tmp/northwind
  gitsm -C /tmp/northwind validate
  gitsm -C /tmp/northwind history INC-000014
  gitsm -C /tmp/northwind audit`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	return cmd
}

// Run runs `gitsm demo`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	dir := opts.Dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(f.BaseDir(), dir)
	}
	sum, err := demorepo.Build(ctx, dir, examples.FS)
	if errors.Is(err, demorepo.ErrNotEmpty) {
		return command.UsageErrorf("%s is not empty; give a new or empty folder", dir)
	}
	if err != nil {
		return fmt.Errorf("create the demo repository: %w", err)
	}
	fmt.Fprintln(f.IO.Out, dir)
	if !f.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "created a records repository with %d commits, %d pull requests and %d approval evidence notes; main is %s\n",
			sum.Commits, sum.PullRequests, sum.Notes, sum.Head.String()[:12])
		fmt.Fprintf(f.IO.ErrOut, "for the audit to find: a direct push to main (%s) and a deleted record (%s)\n",
			sum.DirectPush.String()[:12], sum.Deleted)
	}
	return nil
}

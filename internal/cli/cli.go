// Package cli assembles the gitsm command tree and maps a run's outcome to the exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/cmd/approval"
	auditcmd "github.com/gitsm/gitsm/internal/cmd/audit"
	democmd "github.com/gitsm/gitsm/internal/cmd/demo"
	historycmd "github.com/gitsm/gitsm/internal/cmd/history"
	"github.com/gitsm/gitsm/internal/cmd/impact"
	"github.com/gitsm/gitsm/internal/cmd/importcmd"
	indexcmd "github.com/gitsm/gitsm/internal/cmd/index"
	"github.com/gitsm/gitsm/internal/cmd/initcmd"
	"github.com/gitsm/gitsm/internal/cmd/list"
	"github.com/gitsm/gitsm/internal/cmd/newcmd"
	reportcmd "github.com/gitsm/gitsm/internal/cmd/report"
	"github.com/gitsm/gitsm/internal/cmd/set"
	"github.com/gitsm/gitsm/internal/cmd/show"
	"github.com/gitsm/gitsm/internal/cmd/transition"
	"github.com/gitsm/gitsm/internal/cmd/validate"
	"github.com/gitsm/gitsm/internal/command"
)

// Version is set at build time with -ldflags "-X github.com/gitsm/gitsm/internal/cli.Version=…".
var Version = "dev"

// Main runs gitsm with the process's arguments and returns the exit code.
func Main() int {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, command.New(Version), os.Args[1:])
}

// gitsm is a short-lived process that reads many small files and keeps little of each: it
// collects garbage ten times less often than Go's default, under a soft memory limit that
// keeps 100,000 records within 1 GiB, so that in a large repository the limit, not the
// percent, sets the pace. Against a percent of 400, a cold validate of 100,000 records takes
// about 10% less CPU and wall time (docs/benchmarks.md). GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(1000)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

// Run runs gitsm with args on the given Factory and returns the exit code.
func Run(ctx context.Context, f *command.Factory, args []string) int {
	root := NewRoot(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, command.ErrCheckFailed) {
		msg := err.Error()
		fmt.Fprintf(f.IO.ErrOut, "gitsm: %s\n", msg)
		var ue *command.UsageError
		switch {
		case strings.HasPrefix(msg, "unknown command "):
			fmt.Fprintln(f.IO.ErrOut, "Run 'gitsm --help' for the commands.")
			err = &command.UsageError{Err: err}
		case errors.As(err, &ue) && !strings.Contains(msg, "--help"):
			if c, _, ferr := root.Find(args); ferr == nil && c != root && errors.Is(err, errArity) {
				fmt.Fprintf(f.IO.ErrOut, "Usage: %s\n", c.UseLine())
			}
			fmt.Fprintf(f.IO.ErrOut, "Run 'gitsm %s --help' for usage.\n", commandPath(root, args))
		}
	}
	var cf *command.CheckFailedError
	if errors.As(err, &cf) {
		fmt.Fprintln(f.IO.ErrOut, cf.Msg)
	}
	return command.ExitCode(err)
}

func commandPath(root *cobra.Command, args []string) string {
	c, _, err := root.Find(args)
	if err != nil || c == nil || c == root {
		return "<command>"
	}
	return strings.TrimPrefix(c.CommandPath(), "gitsm ")
}

// NewRoot builds the root command with the global flags and every subcommand.
func NewRoot(f *command.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "gitsm",
		Short: "IT service management where the records are files in git",
		Long: `gitsm keeps incidents, problems, changes, configuration items, SLAs and calendars as
schema-validated YAML files in a git repository. It validates and indexes them, reports on them,
shows each record's audit trail from git history, and enforces change approval through
pull-request reviews.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if noColor, _ := cmd.Flags().GetBool("no-color"); noColor {
				f.IO.NoColor = true
			}
			return command.CheckFormat(cmd, f.Format)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&f.RepoFlag, "repo", "C", "", "run as if gitsm was started in `DIR` (the records repository or a folder in it)")
	pf.StringVar(&f.Format, "format", "", "output `FORMAT` (each command lists the formats it offers)")
	pf.Bool("no-color", false, "never colour the output (also: NO_COLOR=1)")
	pf.BoolVarP(&f.Quiet, "quiet", "q", false, "print only the data and errors, no summaries or progress")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &command.UsageError{Err: err}
	})

	root.AddCommand(
		validate.NewCmdValidate(f, nil),
		initcmd.NewCmdInit(f, nil),
		newcmd.NewCmdNew(f, nil),
		set.NewCmdSet(f, nil),
		transition.NewCmdTransition(f, nil),
		indexcmd.NewCmdIndex(f, nil),
		list.NewCmdList(f, nil),
		reportcmd.NewCmdReport(f, nil),
		show.NewCmdShow(f, nil),
		impact.NewCmdImpact(f, nil),
		approval.NewCmdApproval(f),
		democmd.NewCmdDemo(f, nil),
		importcmd.NewCmdImport(f),
		historycmd.NewCmdHistory(f, nil),
		auditcmd.NewCmdAudit(f, nil),
	)
	root.SetHelpCommand(helpCommand(root))
	defaultHelp := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if fl := root.PersistentFlags().Lookup("format"); fl != nil && c.Runnable() {
			fl.Usage = command.FormatUsage(c)
		}
		defaultHelp(c, args)
	})
	arityIsUsage(root)
	completions(f, root)
	return root
}

// errArity marks a wrong number of arguments, a usage error that also prints the usage line.
var errArity = errors.New("wrong number of arguments")

// arityIsUsage makes a wrong number of arguments a usage error (exit 2, with a hint) in every
// command below c.
func arityIsUsage(c *cobra.Command) {
	for _, sub := range c.Commands() {
		arityIsUsage(sub)
	}
	if c.Args == nil {
		return
	}
	check := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &command.UsageError{Err: fmt.Errorf("%w: %v", errArity, err)}
		}
		return nil
	}
}

// helpCommand is `gitsm help [command]`, which, unlike cobra's, fails (exit 2) on a topic
// that is not a command.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help shows the help of any command: gitsm help validate is gitsm validate --help.",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := root.Find(args)
			if err != nil || cmd == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				return command.UsageErrorf("no help topic %q; run 'gitsm --help' for the commands", strings.Join(args, " "))
			}
			cmd.InitDefaultHelpFlag()
			return cmd.Help()
		},
	}
}

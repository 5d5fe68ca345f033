// Package set is the `gitsm set` command: it edits fields of a record in place, keeping
// comments, key order, quoting and every untouched line as they were.
package set

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/authoring"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// Options are the parsed flags and arguments of `gitsm set`.
type Options struct {
	Factory *command.Factory
	ID      string
	Args    []string // field=value
}

// NewCmdSet builds the command; runF replaces the run function in tests.
func NewCmdSet(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "set ID field=value...",
		Short: "Change fields of a record in place",
		Long: `Change fields of the record ID in place. Only the values named change: comments, key
order, quoting and every other line stay byte for byte, so the diff shows exactly the edit.

  field=value        set a field; values are typed by the schema (impact=2, major=true)
  field=a,b          set a list field (cis, tags, fixes)
  field+=c           add items to a list field (those not in it yet)
  field-=c           remove items from a list field
  field.sub=value    set a field of a mapping (resolution.code=solved_permanently)
  field=             remove the field

A new field goes where the schema lists it. When impact or urgency changes and the record has
a priority (and no priority_reason), the priority follows the matrix.

id, kind, apiVersion and opened_at never change; state and timeline change only through
gitsm transition. The result must validate: otherwise nothing is written, the findings are
printed and gitsm exits with 1. The write is atomic (a temporary file renamed over the record).`,
		Example: `  gitsm set INC-000123 assignee=trent assignment_group=platform-ops
  gitsm set INC-000123 impact=1 urgency=1          # priority follows: P1
  gitsm set INC-000123 cis+=orders-db major=true
  gitsm set CHG-000045 planned_start=2026-03-10T22:00:00Z planned_end=2026-03-10T23:00:00Z
  gitsm set checkout-api support_group= owner=team-shop   # remove support_group`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID, opts.Args = args[0], args[1:]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	return cmd
}

// Refused says why a field may not be set with `gitsm set`, or "" when it may.
func Refused(kind record.Kind, field string) string {
	switch field {
	case "id", "kind", "apiVersion":
		return "it identifies the record and never changes"
	case "opened_at":
		return "it never changes once the record exists"
	case "state", "timeline":
		return "use gitsm transition, which checks the state machine and appends to the timeline"
	case "lifecycle":
		if kind == record.CI {
			return "use gitsm transition, which checks the CI lifecycle"
		}
	}
	return ""
}

// Refusal is the error for an edit whose result would not validate (exit 1, nothing written),
// with the findings and the record's path shown as the user reaches them from the working
// directory or the -C folder, as `gitsm validate` prints them; nil when errs is empty.
func Refusal(f *command.Factory, root, rel string, errs []finding.Finding) error {
	if len(errs) == 0 {
		return nil
	}
	base := f.BaseDir()
	return &command.CheckFailedError{Msg: authoring.FindingsText(command.ShownFindings(base, root, errs)) +
		"\nnothing written: " + authoring.Shown(base, root, rel) + " would not validate"}
}

// Run runs `gitsm set`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	assignments, err := authoring.ParseAssignments(opts.Args)
	if err != nil {
		return err
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	ed, err := authoring.Open(root, opts.ID)
	if err != nil {
		return err
	}
	defer ed.Close()
	for _, a := range assignments {
		if why := Refused(ed.Kind(), a.Path[0]); why != "" {
			return command.UsageErrorf("cannot set %s: %s", a.Path[0], why)
		}
	}
	for _, a := range assignments {
		if err := ed.Apply(a); err != nil {
			return err
		}
	}
	if err := ed.Priority(); err != nil {
		return err
	}
	_, _, errs := ed.Result()
	if err := Refusal(f, root, ed.Rel, errs); err != nil {
		return err
	}
	changed, err := ed.Save()
	if err != nil {
		return err
	}
	fmt.Fprintln(f.IO.Out, authoring.Shown(f.BaseDir(), root, ed.Rel))
	if !f.Quiet {
		msg := "nothing to change"
		if changed {
			var fields []string
			for _, a := range assignments {
				if !slices.Contains(fields, a.Field()) {
					fields = append(fields, a.Field())
				}
			}
			msg = "set " + strings.Join(fields, ", ")
		}
		fmt.Fprintf(f.IO.ErrOut, "%s: %s\n", opts.ID, msg)
		for _, n := range ed.Notes {
			fmt.Fprintf(f.IO.ErrOut, "%s: %s\n", opts.ID, n)
		}
	}
	return nil
}

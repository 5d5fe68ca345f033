// Package transition is the `gitsm transition` command: it moves a record to another state
// along its state machine, appending to the timeline and filling the state's timestamps.
package transition

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/authoring"
	"github.com/gitsm/gitsm/internal/cmd/set"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/lifecycle"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/yamledit"
)

// Options are the parsed flags and arguments of `gitsm transition`.
type Options struct {
	Factory *command.Factory
	ID      string
	State   string
	Note    string
	At      string   // when the move happened; now when empty
	By      string   // who made it; git's user when empty
	Sets    []string // field=value, for what the new state requires
}

// NewCmdTransition builds the command; runF replaces the run function in tests.
func NewCmdTransition(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "transition ID STATE [--note N] [--at TIME] [--by WHO] [--set field=value]...",
		Short: "Move a record to another state",
		Long: `Move the record ID to STATE, if its state machine allows the move:

  incident  new → in_progress | on_hold | resolved | canceled; in_progress → on_hold | resolved |
            canceled; on_hold → in_progress | resolved | canceled; resolved → closed | in_progress
  problem   new → assess → root_cause_analysis | closed; root_cause_analysis → fix_in_progress |
            resolved; fix_in_progress → resolved; resolved → closed | root_cause_analysis
  change    normal: new → assess → authorize → scheduled → implement → review → closed
            (assess and authorize → new when rejected; canceled from new … implement);
            standard: new → scheduled → …; emergency: new → authorize → scheduled → …
  CI        lifecycle: planned → implementation → production → deprecated → retired

The move sets the state, appends {at, state, by, note} to the timeline and fills the state's
timestamp: an incident's acknowledged_at when it first leaves new, resolved_at, closed_at and
canceled_at; a problem's resolved_at and closed_at; a change's actual_start on implement and
actual_end on review (unless already set). Leaving on_hold removes on_hold_reason.

Fields the new state requires come with --set (on_hold_reason, resolution.code, risk, plans,
planned window, outcome …); gitsm names the ones missing. A move the state machine does not
allow, or a result that does not validate, is refused with exit 1 and nothing is written.`,
		Example: `  gitsm transition INC-000123 in_progress --note "Looking at the load balancer logs"
  gitsm transition INC-000123 on_hold --set on_hold_reason=awaiting_vendor
  gitsm transition INC-000123 resolved --set resolution.code=solved_permanently \
      --set resolution.notes="Pool size raised to 50"
  gitsm transition CHG-000045 assess --set risk=moderate --set implementation_plan="…" --set backout_plan="…"
  gitsm transition CHG-000045 closed --set outcome=successful --at 2026-03-11T08:00:00Z`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID, opts.State = args[0], args[1]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Note, "note", "n", "", "a `NOTE` for the timeline entry")
	cmd.Flags().StringVar(&opts.At, "at", "", "when the move happened, RFC 3339 `TIME` (default now)")
	cmd.Flags().StringVar(&opts.By, "by", "", "`WHO` made the move (default git's user.name <user.email>)")
	cmd.Flags().StringArrayVarP(&opts.Sets, "set", "s", nil, "also set a field: `field=value` (what the new state requires); repeatable")
	return cmd
}

// stamps are the timestamp fields a transition writes itself, from --at.
var stamps = map[record.Kind][]string{
	record.Incident: {"acknowledged_at", "resolved_at", "closed_at", "canceled_at"},
	record.Problem:  {"resolved_at", "closed_at"},
}

// Run runs `gitsm transition`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	assignments, err := authoring.ParseAssignments(opts.Sets)
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
	kind := ed.Kind()
	for _, a := range assignments {
		if why := set.Refused(kind, a.Path[0]); why != "" && !(kind == record.CI && a.Path[0] == "lifecycle") {
			return command.UsageErrorf("--set %s: %s", a.Path[0], why)
		}
		for _, s := range stamps[kind] {
			if a.Path[0] == s {
				return command.UsageErrorf("--set %s: gitsm transition sets it from --at", s)
			}
		}
	}

	stateField := "state"
	if kind == record.CI {
		stateField = "lifecycle"
		if opts.Note != "" {
			return command.UsageErrorf("--note: CIs have no timeline; describe the move in the commit message")
		}
	}
	machine, ok := lifecycle.For(string(kind), ed.Str("type"))
	if !ok {
		if kind == record.Change {
			return &command.CheckFailedError{Msg: fmt.Sprintf("%s has type %q; set type to standard, normal or emergency first", opts.ID, ed.Str("type"))}
		}
		return command.UsageErrorf("%s is %s %s, which has no states", opts.ID, record.Article(string(kind)), kind)
	}
	what := record.Describe(kind, ed.Str("type"))
	target := strings.ReplaceAll(strings.ToLower(opts.State), "-", "_")
	known := machine.Known(target)
	if kind == record.Change {
		// Every change state is a state of a normal change; one that another type skips is a
		// move its machine does not allow, not an unknown word.
		normal, _ := lifecycle.For(string(record.Change), "normal")
		known = normal.Known(target)
	}
	if !known {
		return command.UsageErrorf("%q is not a state of %s; its states are %s", opts.State, what, strings.Join(states(machine), ", "))
	}
	current := ed.Str(stateField)
	if !machine.Known(current) {
		return &command.CheckFailedError{Msg: fmt.Sprintf("%s has %s %q, which %s does not have; fix it by hand first", opts.ID, stateField, current, what)}
	}
	if current == target {
		return &command.CheckFailedError{Msg: fmt.Sprintf("%s is already %s", opts.ID, current)}
	}
	if !machine.Allowed(current, target) {
		next := machine.Next[current]
		if len(next) == 0 {
			return &command.CheckFailedError{Msg: fmt.Sprintf("%s is %s; %s is final, %s may not leave it", opts.ID, current, current, what)}
		}
		return &command.CheckFailedError{Msg: fmt.Sprintf("%s is %s; from %s it may go to: %s", opts.ID, current, current, strings.Join(next, ", "))}
	}

	at := authoring.Timestamp(f.Now())
	if opts.At != "" {
		if at, _, err = authoring.ParseTime(opts.At); err != nil {
			return err
		}
	}
	by := opts.By
	if by == "" && kind != record.CI {
		if by, err = authoring.Author(root, f.Getenv); err != nil {
			return err
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
	if err := ed.Set([]string{stateField}, target); err != nil {
		return err
	}
	if err := fill(ed, current, target, at, machine.Initial); err != nil {
		return err
	}
	if kind != record.CI {
		entry := []yamledit.KV{{Key: "at", Value: at}, {Key: "state", Value: target}, {Key: "by", Value: by}}
		if opts.Note != "" {
			entry = append(entry, yamledit.KV{Key: "note", Value: opts.Note})
		}
		if err := ed.Doc.Append([]string{"timeline"}, entry); err != nil {
			return fmt.Errorf("%s: append to the timeline: %w", ed.Rel, err)
		}
	}

	_, p, errs := ed.Result()
	if missing := ed.Missing(p); len(missing) > 0 {
		return &command.CheckFailedError{Msg: fmt.Sprintf("%s cannot move to %s without more fields; pass %s\nnothing written",
			opts.ID, target, strings.Join(missing, " "))}
	}
	if err := set.Refusal(f, root, ed.Rel, errs); err != nil {
		return err
	}
	if _, err := ed.Save(); err != nil {
		return err
	}
	fmt.Fprintln(f.IO.Out, authoring.Shown(f.BaseDir(), root, ed.Rel))
	if !f.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "%s: %s → %s\n", opts.ID, current, target)
		for _, n := range ed.Notes {
			fmt.Fprintf(f.IO.ErrOut, "%s: %s\n", opts.ID, n)
		}
	}
	return nil
}

// fill writes the timestamps and clears the fields that a move from current to target implies.
func fill(ed *authoring.Editor, current, target, at, initial string) error {
	setAt := func(field string) error { return ed.Set([]string{field}, at) }
	switch ed.Kind() {
	case record.Incident:
		if current == initial && target != "canceled" && !ed.Has("acknowledged_at") {
			if err := setAt("acknowledged_at"); err != nil {
				return err
			}
		}
		if current == "on_hold" && !ed.Given("on_hold_reason") {
			if err := ed.Delete("on_hold_reason"); err != nil {
				return err
			}
		}
		switch target {
		case "resolved", "closed", "canceled":
			// The last entry of a state gives its timestamp: a resolve after a reopen moves
			// resolved_at on.
			return setAt(target + "_at")
		}
	case record.Problem:
		if target == "resolved" || target == "closed" {
			return setAt(target + "_at")
		}
	case record.Change:
		field := map[string]string{"implement": "actual_start", "review": "actual_end"}[target]
		if field != "" && !ed.Has(field) {
			return setAt(field)
		}
	}
	return nil
}

func states(m lifecycle.Machine) []string {
	out := make([]string, 0, len(m.Next))
	seen := map[string]bool{}
	var walk func(s string)
	walk = func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, n := range m.Next[s] {
			walk(n)
		}
	}
	walk(m.Initial)
	return out
}

// Package impact is the `gitsm impact` command.
package impact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/iostreams"
	"github.com/gitsm/gitsm/internal/record"
)

// Options are the parsed flags and arguments of `gitsm impact`.
type Options struct {
	Factory *command.Factory
	ID      string
	Depth   int
}

// NewCmdImpact builds the command; runF replaces the run function in tests.
func NewCmdImpact(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "impact CI_ID",
		Short: "Show the CIs and services that depend on a CI, with their open work",
		Long: `Show what a CI takes down with it: every CI that depends on it (depends_on) or runs on it
(runs_on), directly or transitively, as a tree, with the open incidents, problems and changes
that name each CI (in service or cis). Open means: an incident not resolved, closed or
canceled; a problem not closed; a change not closed or canceled.

Each CI is listed in full once, where it is closest to the root; further paths to it are
marked "(see above)", so a cycle cannot loop. --depth N stops after N levels (0: no limit).

--format json gives
  {"root": NODE, "cis": N, "open": {"incidents", "problems", "changes"}}
where NODE is {"id", "title", "class", "environment", "via": ["depends_on"|"runs_on"],
"incidents": [ITEM], "problems": [ITEM], "changes": [ITEM], "dependents": [NODE],
"repeat", "truncated"} and ITEM is {"id", "kind", "state", "priority", "title", "open"}.`,
		Example: `  gitsm impact orders-db
  gitsm impact k8s-prod-eu --depth 1
  gitsm impact orders-db --format json | jq '.open'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if !record.ValidID(opts.ID) {
				return command.UsageErrorf("%q is not a CI ID (such as checkout-api)", opts.ID)
			}
			if opts.Depth < 0 {
				return command.UsageErrorf("--depth must be 0 (no limit) or more, got %d", opts.Depth)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Depth, "depth", "d", 0, "follow dependents at most `N` levels deep (0: no limit)")
	return command.OfferFormats(cmd, "text", "json")
}

// Run runs `gitsm impact`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json")
	if err != nil {
		return err
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	ix, _, err := index.Load(ctx, root, index.Options{Version: f.Version, Progress: progress(f)})
	if err != nil {
		return err
	}
	if ix.Record(opts.ID) == nil {
		return fmt.Errorf("no record %s (see gitsm list ci)", opts.ID)
	}
	res, err := ix.Impact(opts.ID, opts.Depth)
	var notCI *index.NotCIError
	if errors.As(err, &notCI) {
		return command.UsageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return WriteTree(f.IO.Out, res)
}

// WriteTree draws the impact as a tree, one CI a line, its open records on the line below.
// Control characters in titles and IDs are escaped (iostreams.SanitizeLine).
func WriteTree(w io.Writer, res *index.Impact) error {
	var b strings.Builder
	var draw func(n *index.Node, prefix, childPrefix string)
	draw = func(n *index.Node, prefix, childPrefix string) {
		b.WriteString(prefix)
		b.WriteString(iostreams.SanitizeLine(label(n)))
		b.WriteByte('\n')
		if open := iostreams.SanitizeLine(openItems(n)); open != "" {
			bar := "    "
			if len(n.Dependents) > 0 {
				bar = "│   "
			}
			fmt.Fprintf(&b, "%s%sopen: %s\n", childPrefix, bar, open)
		}
		for i, d := range n.Dependents {
			if i == len(n.Dependents)-1 {
				draw(d, childPrefix+"└── ", childPrefix+"    ")
			} else {
				draw(d, childPrefix+"├── ", childPrefix+"│   ")
			}
		}
	}
	draw(res.Root, "", "")
	fmt.Fprintf(&b, "\n%d %s on %s; open: %s, %s, %s\n", res.CIs, plural(res.CIs, "CI depends", "CIs depend"), res.Root.ID,
		count(res.Open.Incidents, "incident"), count(res.Open.Problems, "problem"), count(res.Open.Changes, "change"))
	_, err := io.WriteString(w, b.String())
	return err
}

func label(n *index.Node) string {
	s := n.ID
	if n.Title != "" {
		s += "  " + n.Title
	}
	var attrs []string
	for _, a := range []string{n.Class, n.Environment} {
		if a != "" {
			attrs = append(attrs, a)
		}
	}
	if len(attrs) > 0 {
		s += "  [" + strings.Join(attrs, ", ") + "]"
	}
	if len(n.Via) > 0 {
		s += " via " + strings.Join(n.Via, ", ")
	}
	switch {
	case n.Repeat:
		s += " (see above)"
	case n.Truncated:
		s += " (more beyond --depth)"
	}
	return s
}

func openItems(n *index.Node) string {
	var parts []string
	for _, list := range [][]index.Item{n.Incidents, n.Problems, n.Changes} {
		for _, it := range list {
			desc := strings.ToLower(string(it.Kind)) + ", " + it.State
			if it.Priority != "" {
				desc += ", " + it.Priority
			}
			parts = append(parts, fmt.Sprintf("%s (%s)", it.ID, desc))
		}
	}
	return strings.Join(parts, ", ")
}

func count(n int, noun string) string {
	return fmt.Sprintf("%d %s", n, plural(n, noun, noun+"s"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func progress(f *command.Factory) io.Writer {
	if f.Quiet || !f.IO.Progress() {
		return nil
	}
	return f.IO.ErrOut
}

// Package list is the `gitsm list` command.
package list

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/iostreams"
	"github.com/gitsm/gitsm/internal/record"
)

// Options are the parsed flags and arguments of `gitsm list`.
type Options struct {
	Factory *command.Factory
	Kind    string // as typed; "" for every kind
	Where   []string
	Sort    string
	Limit   int
	Columns string
}

// NewCmdList builds the command; runF replaces the run function in tests.
func NewCmdList(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "list [KIND]",
		Short: "List records, filtered and sorted",
		Long: `List the records of one kind, or of every kind, from the index.

KIND is incident, problem, change, ci, sla or calendar, in any case, also plural (incidents)
or the kind's ID prefix (inc, prb, chg).

--where field=value keeps the records whose field has that value; repeat it to require several
(all must hold). Other operators: != (differs or is absent), <, <=, >, >= (numbers compare as
numbers, timestamps and dates as instants, other text alphabetically). A list field (cis, tags)
matches = when it contains the value. field= matches records without the field. Text compares
without regard to case. The fields are the record's top-level fields plus id, kind, path and
title.

--sort takes a comma-separated list of fields, each with a leading - for descending order;
records without the field come last. The default order is by kind, then by ID.

Output: an aligned table (the columns suit the kind; --columns chooses others), or
--format json|csv|yaml. JSON and YAML give every field of each record:
  [{"id", "kind", "path", "title", "fields": {…}}]
An empty result is not an error.`,
		Example: `  gitsm list incident --where state=in_progress
  gitsm list inc --where priority=P1 --where state!=closed --sort -opened_at
  gitsm list changes --where cis=orders-db --where planned_start>=2026-03-01 --sort planned_start
  gitsm list ci --where environment=production --columns id,class,owner,criticality
  gitsm list problem --where known_error=true --format json | jq -r '.[].id'
  gitsm list --where assignee=trent --limit 20`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Kind = args[0]
			}
			if opts.Limit < 0 {
				return command.UsageErrorf("--limit must be 0 (no limit) or more, got %d", opts.Limit)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Where, "where", "w", nil, "keep records where `field=value` (also !=, <, <=, >, >=); repeatable, all must hold")
	cmd.Flags().StringVarP(&opts.Sort, "sort", "s", "", "sort by `FIELDS`, comma-separated, - for descending (-opened_at)")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", 0, "print at most `N` records (0: all)")
	cmd.Flags().StringVar(&opts.Columns, "columns", "", "table and CSV `COLUMNS`, comma-separated (default: suited to the kind)")
	return command.OfferFormats(cmd, Formats...)
}

// Formats are the output formats of list.
var Formats = []string{"text", "json", "csv", "yaml"}

// Query is a parsed list request.
type Query struct {
	Kind    record.Kind
	Conds   []index.Cond
	Sort    []index.SortKey
	Limit   int
	Columns []string
}

// Parse checks the options against the repository's prefixes and parses them.
func (o *Options) Parse(cfg *config.Config) (*Query, error) {
	q := &Query{Limit: o.Limit}
	if o.Kind != "" {
		k, ok := index.ParseKind(o.Kind, cfg.Prefixes)
		if !ok {
			return nil, command.UsageErrorf("unknown kind %q; use one of incident, problem, change, ci, sla, calendar (or inc, prb, chg)", o.Kind)
		}
		q.Kind = k
	}
	for _, w := range o.Where {
		c, err := index.ParseCond(w)
		if err != nil {
			return nil, command.UsageErrorf("%v", err)
		}
		q.Conds = append(q.Conds, c)
	}
	if o.Sort != "" {
		keys, err := index.ParseSort(o.Sort)
		if err != nil {
			return nil, command.UsageErrorf("%v", err)
		}
		q.Sort = keys
	}
	q.Columns = Columns(q.Kind)
	if o.Columns != "" {
		q.Columns = nil
		for _, c := range strings.Split(o.Columns, ",") {
			if c = strings.TrimSpace(c); c != "" {
				q.Columns = append(q.Columns, c)
			}
		}
	}
	return q, nil
}

// Columns returns the table columns that suit a kind ("" for a mix of kinds).
func Columns(k record.Kind) []string {
	switch k {
	case record.Incident:
		return []string{"id", "state", "priority", "service", "assignee", "opened_at", "title"}
	case record.Problem:
		return []string{"id", "state", "priority", "service", "known_error", "assignment_group", "title"}
	case record.Change:
		return []string{"id", "type", "state", "risk", "planned_start", "assignment_group", "title"}
	case record.CI:
		return []string{"id", "class", "environment", "lifecycle", "owner", "title"}
	case record.SLA:
		return []string{"id", "target", "calendar", "title"}
	case record.Calendar:
		return []string{"id", "timezone", "title"}
	}
	return []string{"id", "kind", "state", "title"}
}

// Select filters, sorts and limits records.
func (q *Query) Select(recs []*record.Record) []*record.Record {
	out := index.Filter(recs, q.Kind, q.Conds)
	index.Sort(out, q.Sort)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// Run runs `gitsm list`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", Formats...)
	if err != nil {
		return err
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	cfg, err := config.Load(root)
	if err != nil {
		return fmt.Errorf("%w; fix the file and run again", err)
	}
	q, err := opts.Parse(cfg)
	if err != nil {
		return err
	}
	// Listing one kind needs only its folder: the index checks and decodes no other.
	var kinds []record.Kind
	if q.Kind != "" {
		kinds = []record.Kind{q.Kind}
	}
	ix, _, err := index.Load(ctx, root, index.Options{Version: f.Version, Progress: progress(f), Kinds: kinds})
	if err != nil {
		return err
	}
	recs := ix.Records()
	if !f.Quiet {
		for _, c := range q.Conds {
			if !hasField(recs, q.Kind, c.Field) {
				fmt.Fprintf(f.IO.ErrOut, "gitsm: warning: no %s has a field %s\n", kindNoun(q.Kind), c.Field)
			}
		}
	}
	sel := q.Select(recs)
	out := bufio.NewWriterSize(f.IO.Out, 1<<16)
	if err := Write(out, format, q.Columns, sel); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if len(sel) == 0 && format == "text" && !f.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "no %s matches\n", kindNoun(q.Kind))
	}
	return nil
}

func kindNoun(k record.Kind) string {
	if info, ok := record.Lookup(k); ok {
		return info.Key
	}
	return "record"
}

func hasField(recs []*record.Record, kind record.Kind, field string) bool {
	for _, r := range recs {
		if kind != "" && r.Kind != kind {
			continue
		}
		if _, ok := index.Value(r, field); ok {
			return true
		}
	}
	return false
}

// Listed is a record as the json and yaml formats give it.
type Listed struct {
	ID     string         `json:"id" yaml:"id"`
	Kind   record.Kind    `json:"kind" yaml:"kind"`
	Path   string         `json:"path" yaml:"path"`
	Title  string         `json:"title" yaml:"title"`
	Fields map[string]any `json:"fields" yaml:"fields"`
}

// Write writes records in a format: text (an aligned table), csv (the same columns), json or
// yaml (every field).
func Write(w io.Writer, format string, columns []string, recs []*record.Record) error {
	switch format {
	case "json", "yaml":
		out := make([]Listed, len(recs))
		for i, r := range recs {
			out[i] = Listed{ID: r.ID, Kind: r.Kind, Path: r.Path, Title: r.Title, Fields: r.Fields.Map()}
		}
		if format == "yaml" {
			enc := yaml.NewEncoder(w)
			enc.SetIndent(2)
			if err := enc.Encode(out); err != nil {
				return err
			}
			return enc.Close()
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(columns); err != nil {
			return err
		}
		for _, r := range recs {
			if err := cw.Write(cells(r, columns, "", false)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	if len(recs) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := make([]string, len(columns))
	for i, c := range columns {
		head[i] = strings.ToUpper(c)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range recs {
		fmt.Fprintln(tw, strings.Join(cells(r, columns, "-", true), "\t"))
	}
	return tw.Flush()
}

// cells renders a record's columns; empty stands for a missing value. In a table (oneLine),
// runs of white space become one space so that every record stays one line, and control
// characters in the data are escaped (iostreams.SanitizeLine).
func cells(r *record.Record, columns []string, empty string, oneLine bool) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		v, _ := index.Value(r, c)
		s := index.Text(v)
		if oneLine {
			s = iostreams.SanitizeLine(strings.Join(strings.Fields(s), " "))
		}
		if s == "" {
			s = empty
		}
		out[i] = s
	}
	return out
}

func progress(f *command.Factory) io.Writer {
	if f.Quiet || !f.IO.Progress() {
		return nil
	}
	return f.IO.ErrOut
}

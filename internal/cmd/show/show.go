// Package show is the `gitsm show` command.
package show

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/iostreams"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/yamldoc"
)

// Options are the parsed flags and arguments of `gitsm show`.
type Options struct {
	Factory *command.Factory
	ID      string
	AsOf    string
}

// NewCmdShow builds the command; runF replaces the run function in tests.
func NewCmdShow(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one record with its links and SLA status",
		Long: `Show one record: its path and every field in file order, the records it refers to, the
records that refer to it (a problem's incidents, a CI's incidents, problems and changes, a
change's incidents caused, a parent incident's children …, with the open ones marked), and,
for an incident, the status of each SLA that applies to it as of now.

--as-of TIME makes "now" explicit (RFC 3339, or a date meaning its midnight UTC), so that the
SLA status is reproducible.

--format json gives
  {"id", "kind", "path", "title", "fields": {… in file order},
   "links": {"out": [{"relation", "field", "id", "kind", "title", "state", "open"}], "in": […]},
   "as_of", "sla": [{"sla", "title", "target", "priority", "calendar", "goal", "goal_seconds",
            "elapsed", "elapsed_seconds", "percent", "stage", "result", "breached",
            "warning", "stopped_at", "breach_at"}]}
and --format yaml the same as YAML.

Exit status 2 when there is no record with that ID.`,
		Example: `  gitsm show INC-000014
  gitsm show PRB-000001 --format json | jq '[.links.in[] | select(.relation == "incidents") | .id]'
  gitsm show checkout-api
  gitsm show INC-000031 --as-of 2026-06-01T12:00:00Z`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if !record.ValidID(opts.ID) {
				return command.UsageErrorf("%q is not a record ID (INC-000123, checkout-api …)", opts.ID)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "compute SLA status as of `TIME` (RFC 3339 or YYYY-MM-DD) instead of now")
	return command.OfferFormats(cmd, "text", "json", "yaml")
}

// ParseTime reads an --as-of value: RFC 3339, or a date meaning its midnight UTC.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--as-of %q: use RFC 3339 (2026-03-02T10:14:00Z) or a date (2026-03-02)", s)
}

// LinkView is a link with what the record at its other end is.
type LinkView struct {
	index.Link
	Title string `json:"title,omitempty" yaml:"title,omitempty"`
	State string `json:"state,omitempty" yaml:"state,omitempty"`
	Open  bool   `json:"open" yaml:"open"`
}

// Links are a record's links in both directions, for display.
type Links struct {
	Out []LinkView `json:"out" yaml:"out"`
	In  []LinkView `json:"in" yaml:"in"`
}

// View is what show prints.
type View struct {
	ID     string      `json:"id" yaml:"id"`
	Kind   record.Kind `json:"kind" yaml:"kind"`
	Path   string      `json:"path" yaml:"path"`
	Title  string      `json:"title" yaml:"title"`
	Fields *Fields     `json:"fields" yaml:"fields"`
	Links  Links       `json:"links" yaml:"links"`
	AsOf   *time.Time  `json:"as_of,omitempty" yaml:"as_of,omitempty"`
	SLA    []SLAView   `json:"sla,omitempty" yaml:"sla,omitempty"`
	// Duplicates are the other files with the same ID (a validation error).
	Duplicates []string `json:"duplicates,omitempty" yaml:"duplicates,omitempty"`
}

// Run runs `gitsm show`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json", "yaml")
	if err != nil {
		return err
	}
	asOf := f.Now()
	if opts.AsOf != "" {
		if asOf, err = ParseTime(opts.AsOf); err != nil {
			return command.UsageErrorf("%v", err)
		}
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	ix, e, err := index.Load(ctx, root, index.Options{Version: f.Version, Progress: progress(f)})
	if err != nil {
		return err
	}
	v, err := Build(ix, e, opts.ID, asOf)
	if err != nil {
		return err
	}
	if len(v.Duplicates) > 0 && !f.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "gitsm: warning: %s is also the ID of %s; run gitsm validate\n", v.ID, strings.Join(v.Duplicates, ", "))
	}
	switch format {
	case "json":
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "yaml":
		enc := yaml.NewEncoder(f.IO.Out)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return err
		}
		return enc.Close()
	}
	out := bufio.NewWriter(f.IO.Out)
	if err := v.WriteText(out); err != nil {
		return err
	}
	return out.Flush()
}

// Build assembles the view of the record with this ID as of an instant.
func Build(ix *index.Index, e *check.Engine, id string, asOf time.Time) (*View, error) {
	rs := ix.Lookup(id)
	if len(rs) == 0 && strings.ToUpper(id) != id {
		rs = ix.Lookup(strings.ToUpper(id)) // inc-000001 means INC-000001
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("no record %s (see gitsm list)", id)
	}
	r := rs[0]
	fields, data, err := readFields(e, r.Path)
	if err != nil {
		return nil, err
	}
	v := &View{ID: r.ID, Kind: r.Kind, Path: r.Path, Title: r.Title, Fields: fields}
	for _, d := range rs[1:] {
		v.Duplicates = append(v.Duplicates, d.Path)
	}
	for _, l := range ix.Out(r) {
		v.Links.Out = append(v.Links.Out, view(ix, l))
	}
	for _, l := range ix.In(r.ID) {
		v.Links.In = append(v.Links.In, view(ix, l))
	}
	if v.Links.Out == nil {
		v.Links.Out = []LinkView{}
	}
	if v.Links.In == nil {
		v.Links.In = []LinkView{}
	}
	if r.Kind == record.Incident || r.Kind == record.Problem {
		slas, err := Clocks(ix, e, r, data, asOf)
		if err != nil {
			return nil, err
		}
		v.SLA = slas
		if r.Kind == record.Incident || len(slas) > 0 {
			v.AsOf = &asOf
		}
	}
	return v, nil
}

func view(ix *index.Index, l index.Link) LinkView {
	lv := LinkView{Link: l}
	if t := ix.Record(l.ID); t != nil {
		lv.Title, lv.State, lv.Open = t.Title, t.String("state"), index.Open(t)
	}
	return lv
}

// readFields reads a record file again for its fields in file order.
func readFields(e *check.Engine, rel string) (*Fields, map[string]any, error) {
	src, ff := record.ReadFile(e.Root, rel, e.Config.MaxFileSize)
	if ff != nil {
		return nil, nil, fmt.Errorf("%s: %s", rel, ff.Message)
	}
	root, err := yamldoc.Parse(src)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w (run gitsm validate)", rel, err)
	}
	if root.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s: not a YAML mapping (run gitsm validate)", rel)
	}
	v, errs := yamldoc.Value(root)
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("%s:%d:%d: %s (run gitsm validate)", rel, errs[0].Line, errs[0].Column, errs[0].Msg)
	}
	stripComments(root)
	return &Fields{Node: root}, v.(map[string]any), nil
}

func stripComments(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		stripComments(c)
	}
}

// Fields are a record's fields in file order.
type Fields struct {
	Node *yaml.Node // the record's mapping, without comments
}

// MarshalYAML gives the mapping as it is.
func (f *Fields) MarshalYAML() (any, error) { return f.Node, nil }

// MarshalJSON writes the mapping as a JSON object with its keys in file order.
func (f *Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, f.Node); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, err := json.Marshal(n.Content[i].Value)
			if err != nil {
				return err
			}
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	v, errs := yamldoc.Value(n)
	if len(errs) > 0 {
		return fmt.Errorf("line %d: %s", errs[0].Line, errs[0].Msg)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(out)
	return nil
}

// WriteText writes the view for people: the fields as YAML, then the links and the SLA
// status. Control characters in the record's data are escaped (iostreams.Sanitize).
func (v *View) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%s  %s  %s\n\n", iostreams.SanitizeLine(v.ID), v.Kind, iostreams.SanitizeLine(v.Path))
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v.Fields.Node); err != nil {
		return err
	}
	enc.Close()
	io.WriteString(w, iostreams.Sanitize(buf.String()))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(v.Links.Out) > 0 {
		fmt.Fprintln(tw, "\nRefers to:")
		for _, l := range v.Links.Out {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Relation, iostreams.SanitizeLine(l.ID), describe(l))
		}
	}
	if len(v.Links.In) > 0 {
		fmt.Fprintln(tw, "\nReferred to by:")
		for _, l := range v.Links.In {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Relation, iostreams.SanitizeLine(l.ID), describe(l))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if v.AsOf != nil {
		fmt.Fprintf(w, "\nSLA as of %s:\n", v.AsOf.UTC().Format(time.RFC3339))
		if len(v.SLA) == 0 {
			fmt.Fprintln(w, "  no SLA applies")
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range v.SLA {
			fmt.Fprintf(tw, "  %s\t%s\t%s\tgoal %s\telapsed %s (%.0f%%)\t%s\n", s.SLA, s.Target, s.Priority, s.Goal, s.Elapsed, s.Percent, s.describe())
		}
		return tw.Flush()
	}
	return nil
}

func describe(l LinkView) string {
	var parts []string
	if l.Kind != "" {
		parts = append(parts, string(l.Kind))
	} else {
		parts = append(parts, "(not a record)")
	}
	if l.State != "" {
		s := iostreams.SanitizeLine(l.State)
		if l.Open {
			s += " (open)"
		}
		parts = append(parts, s)
	}
	if l.Title != "" {
		parts = append(parts, iostreams.SanitizeLine(l.Title))
	}
	return strings.Join(parts, "\t")
}

func progress(f *command.Factory) io.Writer {
	if f.Quiet || !f.IO.Progress() {
		return nil
	}
	return f.IO.ErrOut
}

// Package newcmd is the `gitsm new` command: it creates a record with the next free ID, valid
// by construction.
package newcmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/authoring"
	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/ids"
	"github.com/gitsm/gitsm/internal/lifecycle"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/yamledit"
)

// Options are the parsed flags and arguments of `gitsm new`.
type Options struct {
	Factory *command.Factory
	Kind    string
	Title   string
	ID      string   // the slug of a CI, SLA or calendar
	Sets    []string // field=value
	At      string   // when the record was opened; now when empty
	By      string   // who opened it; git's user when empty
}

// NewCmdNew builds the command; runF replaces the run function in tests.
func NewCmdNew(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "new KIND [--title T] [--set field=value]...",
		Short: "Create a record with the next free ID",
		Long: `Create a record of KIND (incident, problem, change, ci, sla, calendar; also the plural
folder name or the ID prefix, such as inc or chg) and print its path.

Incidents, problems and changes get the next free number: one more than the highest number used
in the work tree, on any local branch or on any remote-tracking branch, so that two pull requests
opened in parallel do not take the same ID. CIs, SLAs and calendars take the slug given by --id.
The file goes where the layout in .gitsm/config.yaml puts it.

The record is valid when it is written: the state machine's first state, opened_at and a first
timeline entry, the priority from impact and urgency (default 3 and 3), you as caller (incident)
or requester (change). Fields with no sensible default must be given with --set; values are typed
by the schema (impact=2, major=true, cis=a,b). When standard input is a terminal, gitsm asks for
what is missing instead. If the record would not validate, nothing is written and the findings
are printed (exit 1).`,
		Example: `  gitsm new incident --title "Checkout API returns 502" --set impact=1 --set urgency=1 --set service=checkout
  gitsm new change --title "Upgrade orders-db to PostgreSQL 16" --set cis=orders-db --set assignment_group=dba
  gitsm new change --title "Rotate the www certificate" --set type=standard --set template=std-cert-rotation \
      --set cis=lb-public --set assignment_group=platform-ops
  gitsm new problem --title "Connection pool exhaustion" --set assignment_group=platform-ops
  gitsm new ci --id orders-db --title "Orders database" --set class=database --set owner=dba --set environment=production
  git add "$(gitsm new inc --title 'VPN drops every hour')"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Title, "title", "t", "", "the record's `TITLE` (asked for on a terminal when missing)")
	cmd.Flags().StringVar(&opts.ID, "id", "", "the `SLUG` of a new CI, SLA or calendar (numbered kinds get the next free number)")
	cmd.Flags().StringArrayVarP(&opts.Sets, "set", "s", nil, "set a field: `field=value` (nested: field.sub=value; lists: field=a,b); repeatable")
	cmd.Flags().StringVar(&opts.At, "at", "", "when the record was opened, RFC 3339 `TIME` (default now)")
	cmd.Flags().StringVar(&opts.By, "by", "", "`WHO` opened it, for the timeline (default git's user.name <user.email>)")
	return cmd
}

// refused are fields that `gitsm new` fills itself.
var refused = map[string]string{
	"apiVersion": "gitsm writes it",
	"kind":       "it comes from KIND",
	"id":         "numbered IDs are allocated by gitsm, slugs come from --id",
	"state":      "a new record starts in the first state; move it with gitsm transition",
	"timeline":   "gitsm writes the first entry; gitsm transition appends the others",
	"opened_at":  "use --at",
}

// Run runs `gitsm new`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	root, err := f.Root()
	if err != nil {
		return err
	}
	engine, err := check.New(root)
	if err != nil {
		return fmt.Errorf("%w; fix the file and run again", err)
	}
	cfg := engine.Config
	info, ok := ids.ParseKind(opts.Kind, cfg.Prefixes)
	if !ok {
		return command.UsageErrorf("unknown kind %q; use one of %s", opts.Kind, ids.KindWords())
	}
	fieldTypes, err := authoring.LoadFields(cfg)
	if err != nil {
		return err
	}
	assignments, err := authoring.ParseAssignments(opts.Sets)
	if err != nil {
		return err
	}
	for _, a := range assignments {
		if why, ok := refused[a.Path[0]]; ok {
			return command.UsageErrorf("--set %s: not here; %s", a.Path[0], why)
		}
		if a.Append {
			return command.UsageErrorf("--set %s+=: a new record has no list to add to; write %s=a,b", a.Field(), a.Field())
		}
	}
	interactive := f.IO.StdinTTY
	if !info.Numbered && opts.ID == "" && !interactive {
		return command.UsageErrorf("a new %s needs its ID: pass --id SLUG (lower-case letters, digits and dashes)", info.Key)
	}
	if info.Numbered && opts.ID != "" {
		return command.UsageErrorf("--id is for CIs, SLAs and calendars; %s IDs are numbered by gitsm", info.Key)
	}

	now := f.Now()
	at := authoring.Timestamp(now)
	if opts.At != "" {
		if at, now, err = authoring.ParseTime(opts.At); err != nil {
			return err
		}
	}
	by := opts.By
	if by == "" && slices.Contains([]record.Kind{record.Incident, record.Problem, record.Change}, info.Kind) {
		if by, err = authoring.Author(root, f.Getenv); err != nil {
			return err
		}
	}

	var ask *prompter
	if interactive {
		ask = &prompter{in: bufio.NewReader(f.IO.In), out: f.IO.ErrOut}
	}
	title := strings.TrimSpace(opts.Title)
	if title == "" {
		if ask == nil {
			return command.UsageErrorf("--title is required")
		}
		if title, err = ask.line("Title"); err != nil {
			return err
		}
		if title == "" {
			return command.UsageErrorf("a record needs a title")
		}
	}
	id := opts.ID
	if !info.Numbered {
		if id == "" {
			if id, err = ask.line("ID (a slug such as checkout-api)"); err != nil {
				return err
			}
		}
		if !record.SlugPattern.MatchString(id) {
			return command.UsageErrorf("--id %q is not a slug: lower-case letters, digits and dashes, at most 63, starting and ending with a letter or digit", id)
		}
	}

	b := &builder{info: info, types: fieldTypes, cfg: engine, title: title, at: at, by: by}
	rec, err := b.build(assignments)
	if err != nil {
		return err
	}
	layout := cfg.Layout[info.Key]

	// The ID only changes the id field and the path: settle the content with a first
	// candidate, then allocate.
	candidate := id
	var next int64
	if info.Numbered {
		taken, err := authoring.HighestNumber(root, info.Folder, cfg.Prefixes[info.Key])
		if err != nil {
			return fmt.Errorf("find the IDs in use: %w", err)
		}
		next = taken.Max + 1
		candidate = ids.Format(cfg.Prefixes[info.Key], next, cfg.IDDigits)
	} else if err := b.checkSlugFree(root, id); err != nil {
		return err
	}
	rel, src, err := b.settle(rec, candidate, layout, now, ask)
	if err != nil {
		return err
	}

	for attempt := 0; ; attempt++ {
		if err := noSymlinks(root, rel); err != nil {
			return err
		}
		err = authoring.CreateFile(filepath.Join(root, filepath.FromSlash(rel)), src)
		if err == nil {
			break
		}
		if !authoring.IsExist(err) {
			return fmt.Errorf("write %s: %w", rel, err)
		}
		if !info.Numbered {
			return &command.CheckFailedError{Msg: fmt.Sprintf("%s already exists; pick another --id", rel)}
		}
		if attempt >= 1000 {
			return fmt.Errorf("no free %s ID after %d attempts; is another gitsm creating records in a loop?", info.Key, attempt)
		}
		next++
		candidate = ids.Format(cfg.Prefixes[info.Key], next, cfg.IDDigits)
		rec.put("id", candidate)
		if rel, err = ids.Path(layout, info, candidate, now); err != nil {
			return fmt.Errorf("%s: %w", "layout in .gitsm/config.yaml", err)
		}
		if src, err = render(rec); err != nil {
			return err
		}
	}
	fmt.Fprintln(f.IO.Out, authoring.Shown(f.BaseDir(), root, rel))
	if !f.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "Created %s %s: %s\n", info.Key, candidate, title)
	}
	return nil
}

// noSymlinks refuses to create a record through a symlinked folder: gitsm validate would not
// follow it, and it may lead out of the repository.
func noSymlinks(root, rel string) error {
	dir := root
	for _, seg := range strings.Split(path.Dir(rel), "/") {
		dir = filepath.Join(dir, seg)
		info, err := os.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 || !info.IsDir() {
			return fmt.Errorf("%s is not a plain folder (a symlink?); gitsm does not create records through it", dir)
		}
	}
	return nil
}

// builder assembles a new record.
type builder struct {
	info  record.Info
	types *authoring.Fields
	cfg   *check.Engine
	title string
	at    string
	by    string
	// explicit holds the top-level fields the user gave, which defaults never override.
	explicit map[string]bool
}

// build makes the record: defaults for the kind, then the user's fields over them.
func (b *builder) build(assignments []authoring.Assignment) (*fields, error) {
	rec := newFields()
	rec.put("apiVersion", record.APIVersion)
	rec.put("kind", string(b.info.Kind))
	rec.put("id", "")
	rec.put("title", b.title)
	machine, hasStates := lifecycle.For(string(b.info.Kind), "normal")
	switch b.info.Kind {
	case record.Incident:
		rec.put("state", machine.Initial)
		rec.put("impact", int64(3))
		rec.put("urgency", int64(3))
		rec.put("caller", b.by)
	case record.Problem:
		rec.put("state", machine.Initial)
		rec.put("impact", int64(3))
		rec.put("urgency", int64(3))
	case record.Change:
		rec.put("type", "normal")
		rec.put("state", machine.Initial)
		rec.put("requested_by", b.by)
	case record.CI:
		rec.put("lifecycle", machine.Initial)
	case record.SLA:
		rec.put("applies_to", &fields{keys: []string{"kind"}, vals: map[string]any{"kind": string(record.Incident)}})
		rec.put("calendar", "24x7")
	case record.Calendar:
		rec.put("hours", []any{[]yamledit.KV{
			{Key: "days", Value: []any{"mon", "tue", "wed", "thu", "fri"}},
			{Key: "start", Value: "09:00"},
			{Key: "end", Value: "17:00"},
		}})
	}
	if hasStates && b.info.Kind != record.CI {
		rec.put("opened_at", b.at)
	}
	b.explicit = map[string]bool{}
	for _, a := range assignments {
		if err := b.assign(rec, a.Path, a.Raw, a.Clear); err != nil {
			return nil, err
		}
	}
	if hasStates && b.info.Kind != record.CI {
		rec.put("timeline", []any{[]yamledit.KV{
			{Key: "at", Value: b.at},
			{Key: "state", Value: machine.Initial},
			{Key: "by", Value: b.by},
		}})
	}
	return rec, nil
}

// assign types a command-line value by the schema and puts it into the record.
func (b *builder) assign(rec *fields, path []string, raw string, clear bool) error {
	shape, err := b.types.Lookup(b.info.Kind, path)
	if err != nil {
		return &command.CheckFailedError{Msg: fmt.Sprintf("--set %s: %v", strings.Join(path, "."), err)}
	}
	b.explicit[path[0]] = true
	if clear {
		if len(path) == 1 {
			rec.del(path[0])
		}
		return nil
	}
	v, err := shape.Parse(raw)
	if err != nil {
		return &command.CheckFailedError{Msg: fmt.Sprintf("--set %s: %v", strings.Join(path, "."), err)}
	}
	if err := rec.set(path, v); err != nil {
		return &command.CheckFailedError{Msg: fmt.Sprintf("--set %s: %v", strings.Join(path, "."), err)}
	}
	return nil
}

// settle fills the priority, asks on a terminal for required fields still missing, and checks
// that the record validates at its path. It returns the path and content.
func (b *builder) settle(rec *fields, id, layout string, now time.Time, ask *prompter) (string, []byte, error) {
	rec.put("id", id)
	rel, err := ids.Path(layout, b.info, id, now)
	if err != nil {
		return "", nil, fmt.Errorf("layout in .gitsm/config.yaml: %w", err)
	}
	for round := 0; ; round++ {
		b.priority(rec)
		rec.order(b.types.Kind(b.info.Kind).Order)
		src, err := render(rec)
		if err != nil {
			return "", nil, err
		}
		file, p := b.cfg.Analyze(rel, src)
		missing := b.missing(p)
		if len(missing) > 0 && ask != nil && round < 3 {
			for _, m := range missing {
				shape, _ := b.types.Lookup(b.info.Kind, []string{m})
				answer, err := ask.line(fmt.Sprintf("%s (%s)", m, shape.Hint()))
				if err != nil {
					return "", nil, err
				}
				if answer == "" {
					return "", nil, command.UsageErrorf("a new %s needs %s", b.info.Key, m)
				}
				if err := b.assign(rec, []string{m}, answer, false); err != nil {
					return "", nil, err
				}
			}
			continue
		}
		if len(missing) > 0 {
			return "", nil, &command.CheckFailedError{Msg: b.missingMessage(rec, missing)}
		}
		var errs []finding.Finding
		for _, fd := range file.Findings {
			if fd.Severity == finding.Error {
				errs = append(errs, fd)
			}
		}
		if len(errs) == 0 && p != nil {
			errs = authoring.RefFindings(b.cfg, nil, p.Summary())
		}
		if len(errs) > 0 {
			return "", nil, &command.CheckFailedError{Msg: authoring.FindingsText(errs) +
				fmt.Sprintf("\nnothing written: the new %s would not validate", b.info.Key)}
		}
		return rel, src, nil
	}
}

// priority sets an incident's or problem's priority from the matrix unless the user gave one.
func (b *builder) priority(rec *fields) {
	if b.info.Kind != record.Incident && b.info.Kind != record.Problem || b.explicit["priority"] {
		return
	}
	impact, ok1 := rec.vals["impact"].(int64)
	urgency, ok2 := rec.vals["urgency"].(int64)
	if p := b.cfg.Config.Priority(int(impact), int(urgency)); ok1 && ok2 && p != "" {
		rec.put("priority", p)
	} else {
		rec.del("priority")
	}
}

// missing lists the top-level fields the schema requires (also those the type or state
// requires) that the record lacks.
func (b *builder) missing(p *record.Parsed) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, v := range b.cfg.Schemas.Validate(string(p.Kind), p.Data) {
		if v.Keyword == "required" && v.Pointer == "" {
			for _, m := range v.Missing {
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func (b *builder) missingMessage(rec *fields, missing []string) string {
	var flags []string
	for _, m := range missing {
		shape, err := b.types.Lookup(b.info.Kind, []string{m})
		if err != nil {
			flags = append(flags, "--set "+m+"=VALUE")
			continue
		}
		flags = append(flags, "--set "+m+"="+shape.Hint())
	}
	what := "a new " + b.info.Key
	if t, ok := rec.vals["type"].(string); ok && b.info.Kind == record.Change {
		what = "a new " + t + " change"
	}
	return fmt.Sprintf("%s needs %s; pass %s\nnothing written", what, strings.Join(missing, ", "), strings.Join(flags, " "))
}

// checkSlugFree refuses a slug that a record of the work tree already uses: IDs are unique
// across kinds.
func (b *builder) checkSlugFree(root, id string) error {
	rel, err := authoring.Find(root, id, b.cfg.Config.Prefixes)
	if err == nil {
		return &command.CheckFailedError{Msg: fmt.Sprintf("%s already exists: %s; pick another --id", id, rel)}
	}
	if errors.Is(err, authoring.ErrNotFound) {
		return nil
	}
	return err
}

// prompter asks for missing values on a terminal.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
}

func (p *prompter) line(label string) (string, error) {
	if p == nil {
		return "", command.UsageErrorf("%s is required", strings.ToLower(label))
	}
	fmt.Fprintf(p.out, "%s: ", label)
	s, err := p.in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	s = strings.TrimSpace(s)
	if s == "" && errors.Is(err, io.EOF) {
		fmt.Fprintln(p.out)
	}
	return s, nil
}

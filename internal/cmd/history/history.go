// Package history is the `gitsm history` command.
package history

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	githistory "github.com/gitsm/gitsm/internal/history"
	"github.com/gitsm/gitsm/internal/iostreams"
	"github.com/gitsm/gitsm/internal/record"
)

// Options are the parsed flags and arguments of `gitsm history`.
type Options struct {
	Factory *command.Factory
	ID      string
	Rev     string
	Rebuild bool
}

// NewCmdHistory builds the command; runF replaces the run function in tests.
func NewCmdHistory(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "history ID",
		Short: "Show a record's git history, field by field",
		Long: `Show every commit that changed a record, newest first: who, when, through which pull
request, whether it added, modified, deleted or moved (renamed) the record, and which fields
changed from what to what. Entries added to the timeline are shown as events.

The commits are those "git log --follow -- PATH" lists from the revision (HEAD by default): a
record that moved folders keeps its history. They come from the history index, one walk over
the commits cached under .git/gitsm/ and extended incrementally (see docs/history.md).

--format json gives
  {"id", "path", "commits": [{"commit", "author": {"name", "email"}, "date", "pr",
   "change": "added|modified|deleted|renamed", "path", "old_path", "subject",
   "fields": [{"field", "from", "to"}], "events": [{"at", "state", "by", "note"}]}]}
where "pr" is absent for a commit that did not come through a pull request.`,
		Example: `  gitsm history INC-000123
  gitsm history CHG-000014 --format markdown
  gitsm history orders-db --rev origin/main --format json | jq '.commits[].pr'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if !record.ValidID(opts.ID) {
				return command.UsageErrorf("%q is not a record ID (such as INC-000123 or orders-db)", opts.ID)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Rev, "rev", "HEAD", "show the history as of `REV` (a branch, tag or commit)")
	cmd.Flags().BoolVar(&opts.Rebuild, "rebuild", false, "ignore the cached history index and read every commit again")
	return command.OfferFormats(cmd, "text", "json", "markdown")
}

// Result is the JSON form of a record's history.
type Result struct {
	ID      string   `json:"id"`
	Path    string   `json:"path"`
	Commits []Commit `json:"commits"`
}

// Commit is one commit of a record's history.
type Commit struct {
	Commit  string                   `json:"commit"`
	Author  githistory.Person        `json:"author"`
	Date    time.Time                `json:"date"`
	PR      int                      `json:"pr,omitempty"`
	Change  string                   `json:"change"`
	Path    string                   `json:"path"`
	OldPath string                   `json:"old_path,omitempty"`
	Subject string                   `json:"subject"`
	Fields  []githistory.FieldChange `json:"fields"`
	Events  []githistory.Event       `json:"events"`
	// Error says why the fields could not be compared (a version that is not YAML).
	Error string `json:"error,omitempty"`
}

// Run runs `gitsm history`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json", "markdown")
	if err != nil {
		return err
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	ix, tip, err := OpenSynced(ctx, f, root, opts.Rev, opts.Rebuild)
	if err != nil {
		return err
	}
	defer ix.Close()
	res, err := Build(ix, tip, opts.ID)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "markdown":
		return writeMarkdown(f.IO.Out, res)
	}
	return writeText(f.IO.Out, res)
}

// OpenSynced opens the history index of the repository at root and brings it up to rev,
// showing progress on a terminal and saying on stderr when a rewritten history made it
// rebuild the cache. The audit command shares it.
func OpenSynced(ctx context.Context, f *command.Factory, root, rev string, rebuild bool) (*githistory.Index, plumbing.Hash, error) {
	ix, err := githistory.Open(root, githistory.Options{Rebuild: rebuild})
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	tip, ref, err := ix.Resolve(rev)
	if err != nil {
		ix.Close()
		return nil, plumbing.ZeroHash, command.UsageErrorf("%v", err)
	}
	var progress io.Writer
	if f.IO.Progress() && !f.Quiet {
		progress = f.IO.ErrOut
	}
	st, err := ix.Sync(ctx, ref, tip, progress)
	if err != nil {
		ix.Close()
		return nil, plumbing.ZeroHash, err
	}
	if st.Rebuilt && !f.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "gitsm: history cache rebuilt: %s\n", st.Why)
	}
	return ix, tip, nil
}

// Build assembles the history of the record with this ID as of tip.
func Build(ix *githistory.Index, tip plumbing.Hash, id string) (*Result, error) {
	p, ok, err := ix.FindPath(tip, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("no record %s in the history of %s (see gitsm list)", id, short(tip.String()))
	}
	entries, err := ix.Log(tip, p)
	if err != nil {
		return nil, err
	}
	notes, _, err := ix.ReadNotes()
	if err != nil {
		return nil, err
	}
	// Which merge brought each commit in is needed only for a commit that names no pull
	// request itself; it walks the whole branch, so it is computed once, when first needed.
	var introduced map[plumbing.Hash]plumbing.Hash
	prOf := func(c *githistory.Commit) int {
		if n := githistory.PR(c, notes, nil, ix.Commit); n != 0 {
			return n
		}
		if introduced == nil {
			introduced = ix.Introduced(tip)
		}
		return githistory.PR(c, notes, introduced, ix.Commit)
	}
	res := &Result{ID: id, Path: p, Commits: []Commit{}}
	for _, e := range entries {
		c := Commit{
			Commit: e.Commit.Hash.String(), Author: e.Commit.Author, Date: e.Commit.When(),
			PR:     prOf(e.Commit),
			Change: e.Change, Path: e.Path, Subject: e.Commit.Subject,
			Fields: []githistory.FieldChange{}, Events: []githistory.Event{},
		}
		if e.OldPath != e.Path {
			c.OldPath = e.OldPath
		}
		old, err := ix.Blob(e.Old)
		if err != nil {
			return nil, err
		}
		cur, err := ix.Blob(e.New)
		if err != nil {
			return nil, err
		}
		fields, events, err := githistory.Diff(old, cur)
		if err != nil {
			c.Error = err.Error()
		}
		if fields != nil {
			c.Fields = fields
		}
		if events != nil {
			c.Events = events
		}
		res.Commits = append(res.Commits, c)
	}
	return res, nil
}

func short(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// value renders a field's value on one line.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		x = iostreams.SanitizeLine(x)
		if r := []rune(x); len(r) > 80 {
			x = string(r[:77]) + "..."
		}
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return iostreams.SanitizeLine(fmt.Sprint(v))
	}
	return string(b)
}

func describe(c Commit) string {
	switch c.Change {
	case githistory.Renamed:
		return "moved from " + iostreams.SanitizeLine(c.OldPath) + " to " + iostreams.SanitizeLine(c.Path)
	case githistory.Deleted:
		return "deleted " + iostreams.SanitizeLine(c.Path)
	case githistory.Added:
		return "added " + iostreams.SanitizeLine(c.Path)
	}
	return "modified"
}

func writeText(w io.Writer, res *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  (%d %s)\n", res.ID, iostreams.SanitizeLine(res.Path), len(res.Commits), plural(len(res.Commits), "commit"))
	for _, c := range res.Commits {
		pr := "no pull request"
		if c.PR != 0 {
			pr = fmt.Sprintf("PR #%d", c.PR)
		}
		fmt.Fprintf(&b, "\n%s  %s  %s <%s>  %s\n", c.Date.Format("2006-01-02 15:04 -0700"), short(c.Commit), iostreams.SanitizeLine(c.Author.Name), iostreams.SanitizeLine(c.Author.Email), pr)
		fmt.Fprintf(&b, "  %s: %s\n", describe(c), iostreams.SanitizeLine(c.Subject))
		if c.Change != githistory.Added {
			for _, fc := range c.Fields {
				fmt.Fprintf(&b, "    %s: %s → %s\n", iostreams.SanitizeLine(fc.Field), value(fc.From), value(fc.To))
			}
		}
		for _, e := range c.Events {
			fmt.Fprintf(&b, "    ● %s  %s", iostreams.SanitizeLine(e.At), iostreams.SanitizeLine(e.State))
			if e.By != "" {
				fmt.Fprintf(&b, " by %s", iostreams.SanitizeLine(e.By))
			}
			if e.Note != "" {
				fmt.Fprintf(&b, ": %s", value(e.Note))
			}
			b.WriteByte('\n')
		}
		if c.Error != "" {
			fmt.Fprintf(&b, "    (fields not compared: %s)\n", iostreams.SanitizeLine(c.Error))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdown(w io.Writer, res *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## History of %s\n\n`%s`, %d %s.\n", res.ID, res.Path, len(res.Commits), plural(len(res.Commits), "commit"))
	for _, c := range res.Commits {
		pr := "no pull request"
		if c.PR != 0 {
			pr = fmt.Sprintf("PR #%d", c.PR)
		}
		fmt.Fprintf(&b, "\n### %s · `%s` · %s\n\n%s (%s) — %s: %s\n", c.Date.Format("2006-01-02 15:04 -0700"), short(c.Commit), pr,
			mdEscape(c.Author.Name), mdEscape(c.Author.Email), describe(c), mdEscape(c.Subject))
		if c.Change != githistory.Added && len(c.Fields) > 0 {
			b.WriteString("\n| field | from | to |\n|---|---|---|\n")
			for _, fc := range c.Fields {
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", fc.Field, mdEscape(value(fc.From)), mdEscape(value(fc.To)))
			}
		}
		if len(c.Events) > 0 {
			b.WriteByte('\n')
			for _, e := range c.Events {
				fmt.Fprintf(&b, "- %s **%s**", e.At, mdEscape(e.State))
				if e.By != "" {
					fmt.Fprintf(&b, " by %s", mdEscape(e.By))
				}
				if e.Note != "" {
					fmt.Fprintf(&b, ": %s", mdEscape(value(e.Note)))
				}
				b.WriteByte('\n')
			}
		}
		if c.Error != "" {
			fmt.Fprintf(&b, "\n_fields not compared: %s_\n", mdEscape(c.Error))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps text from a record (hostile input) from breaking out of a table cell or
// adding markup.
func mdEscape(s string) string {
	s = iostreams.SanitizeLine(s)
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Package importcmd is `gitsm import`: `gitsm import servicenow FILE` brings a ServiceNow
// incident history into a records repository as one commit.
package importcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/servicenow"
)

// NewCmdImport builds `gitsm import` and its subcommands.
func NewCmdImport(f *command.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import <source>",
		Short: "Import records from another service management tool",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return command.UsageErrorf("name the source: gitsm import servicenow FILE")
		},
	}
	cmd.AddCommand(NewCmdServiceNow(f, nil))
	return cmd
}

// Options are the parsed flags and arguments of `gitsm import servicenow`.
type Options struct {
	Factory  *command.Factory
	File     string // the export, or "-" for standard input
	Into     string // the records repository; the -C folder or the working directory when empty
	Timezone string // the zone of dates that have none
	Author   string // "Name <email>"; from git's configuration when empty
	Format   string // text or json (the summary)
}

// NewCmdServiceNow builds the command; runF replaces the run function in tests.
func NewCmdServiceNow(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "servicenow FILE",
		Short: "Import a ServiceNow incident export (CSV, .zip, .gz or -) as incidents in one commit",
		Long: `Import a ServiceNow incident export with the columns of the "incident_event_log" event log
(number, incident_state, sys_mod_count, sys_updated_at, sys_updated_by, opened_at, impact,
urgency, priority, assignment_group, cmdb_ci, resolved_at, closed_at, …; one row per update of an
incident). FILE may be the CSV, a .zip holding it, a gzip-compressed CSV, or - for standard input.

Each incident number becomes one Incident, INC0000045 as INC-0000045, under
incidents/YYYY/MM/ by its opened_at: its fields from its last row (by sys_mod_count, then
sys_updated_at), its timeline from the rows' changes of state. Priorities "1 - Critical" …
"4 - Low" are P1 … P4; "?" is empty. Each cmdb_ci becomes a CI record; problem_id, rfc,
caused_by and the other ServiceNow fields are kept under source, never as references to records
that do not exist. A repository without .gitsm/config.yaml gets one with the four-level
priority matrix; one without a priority_matrix gets it appended.

The records that changed are committed in one commit on the current branch (author: --author,
else GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, else git's user.name and user.email). Importing the same
export again changes nothing and makes no commit; a newer export updates the incidents it
changes. The summary says how many rows were read, records written, and rows skipped by reason.
See docs/import.md.`,
		Example: `  gitsm import servicenow incident_event_log.csv.zip --into records
  gunzip -c export.csv.gz | gitsm import servicenow - --timezone Europe/Berlin
  gitsm import servicenow export.csv --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			format, err := f.FormatOr("text", "text", "json")
			if err != nil {
				return err
			}
			opts.Format = format
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Into, "into", "", "the records repository `DIR` to import into (created when absent; default: the current one)")
	cmd.Flags().StringVar(&opts.Timezone, "timezone", "UTC", "the IANA time `ZONE` of the export's dates, which carry none")
	cmd.Flags().StringVar(&opts.Author, "author", "", "the commit's author, `\"NAME <EMAIL>\"` (default: from git's configuration)")
	return command.OfferFormats(cmd, "text", "json")
}

// Summary is the outcome, as --format json prints it.
type Summary struct {
	File     string `json:"file"`
	Timezone string `json:"timezone"`
	// RowsRead counts data rows; RowsSkipped those that could not be used, by reason.
	RowsRead    int            `json:"rows_read"`
	RowsSkipped map[string]int `json:"rows_skipped"`
	Incidents   int            `json:"incidents"`
	CIs         int            `json:"cis"`
	// Adjusted counts what the import changed so that timelines are valid, by kind.
	Adjusted map[string]int `json:"timeline_adjustments"`
	Added    int            `json:"records_added"`
	Updated  int            `json:"records_updated"`
	Commit   string         `json:"commit,omitempty"`
}

// Run runs `gitsm import servicenow`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	loc, err := time.LoadLocation(opts.Timezone)
	if err != nil {
		return command.UsageErrorf("--timezone %s: %v; give an IANA zone such as UTC or Europe/Berlin", opts.Timezone, err)
	}
	dir := f.BaseDir()
	if opts.Into != "" {
		dir = opts.Into
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(f.BaseDir(), dir)
		}
	}
	if opts.Author != "" {
		if _, err := mail.ParseAddress(opts.Author); err != nil {
			return command.UsageErrorf("--author %q: give \"Name <email>\"", opts.Author)
		}
	}
	file := opts.File
	if file != "-" && !filepath.IsAbs(file) {
		file = filepath.Join(f.WorkDir, file)
	}
	in, err := servicenow.Open(file, f.IO.In)
	if err != nil {
		return command.UsageErrorf("open the export: %v", err)
	}
	defer in.Close()

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	repo, workTree, prefix, err := openOrInit(dir)
	if err != nil {
		return err
	}
	cfgFile, cfg, err := settings(dir)
	if err != nil {
		return err
	}
	sig, err := author(opts, repo, f)
	if err != nil {
		return err
	}

	var progress servicenow.Progress
	if f.IO.Progress() && !f.Quiet {
		progress = func(rows int) { fmt.Fprintf(f.IO.ErrOut, "\rread %d rows…", rows) }
	}
	export, err := servicenow.Read(in, loc, progress)
	if progress != nil {
		fmt.Fprint(f.IO.ErrOut, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(opts.File), err)
	}
	prefixID := cfg.Prefixes["incident"]
	if prefixID == "" {
		prefixID = "INC"
	}
	files := export.Records(servicenow.Settings{Prefix: prefixID, Priority: cfg.Priority})
	if cfgFile != nil {
		files = append(files, *cfgFile)
	}
	st := export.Stats
	msg := fmt.Sprintf("Import %d incidents from ServiceNow (%s)\n\n%d rows read, %d skipped; dates without a zone taken as %s.\n",
		st.Incidents, displayName(opts.File), st.Rows, total(st.Skipped), loc)
	written, err := servicenow.Commit(ctx, repo, workTree, prefix, files, sig, msg)
	if err != nil {
		return fmt.Errorf("commit the import: %w", err)
	}
	sum := Summary{File: displayName(opts.File), Timezone: loc.String(), RowsRead: st.Rows, RowsSkipped: st.Skipped,
		Incidents: st.Incidents, CIs: st.CIs, Adjusted: st.Adjusted, Added: written.Added, Updated: written.Updated}
	if !written.Commit.IsZero() {
		sum.Commit = written.Commit.String()
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	if !f.Quiet {
		writeText(f.IO.Out, sum)
	}
	return nil
}

func displayName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return filepath.Base(file)
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func writeText(w io.Writer, s Summary) {
	fmt.Fprintf(w, "read %d rows of %s (dates without a zone taken as %s)\n", s.RowsRead, s.File, s.Timezone)
	fmt.Fprintf(w, "  %d incidents, %d CIs\n", s.Incidents, s.CIs)
	fmt.Fprintf(w, "  %d rows skipped\n", total(s.RowsSkipped))
	writeCounts(w, s.RowsSkipped)
	if n := total(s.Adjusted); n > 0 {
		fmt.Fprintf(w, "  %d timeline adjustments\n", n)
		writeCounts(w, s.Adjusted)
	}
	if s.Commit == "" {
		fmt.Fprintln(w, "nothing changed: every record already matches the export (no commit)")
		return
	}
	fmt.Fprintf(w, "wrote %d records (%d added, %d updated) in commit %s\n", s.Added+s.Updated, s.Added, s.Updated, s.Commit[:12])
}

func writeCounts(w io.Writer, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(w, "    %6d  %s\n", m[k], k)
	}
}

// openOrInit opens the git repository holding dir, or makes dir one (branch main).
func openOrInit(dir string) (*git.Repository, string, string, error) {
	r, err := gitrepo.Open(dir)
	if errors.Is(err, gitrepo.ErrNotGit) {
		g, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
		if err != nil {
			return nil, "", "", err
		}
		return g, dir, "", nil
	}
	if err != nil {
		return nil, "", "", err
	}
	wt, err := r.Git.Worktree()
	if err != nil {
		return nil, "", "", fmt.Errorf("the repository has no work tree to import into: %w", err)
	}
	return r.Git, wt.Filesystem.Root(), r.Prefix, nil
}

const configHeader = `# Settings written by gitsm import servicenow.
prefixes: {incident: INC, problem: PRB, change: CHG}
# ServiceNow numbers have seven digits (INC0000045 is INC-0000045).
id_digits: 7
layout:
  incident: incidents/{yyyy}/{mm}/{id}.yaml
`

const matrixBlock = `# ServiceNow's four priority levels: impact (rows, 1 high .. 3 low) x urgency (columns).
priority_matrix:
  - [P1, P2, P3]
  - [P2, P3, P4]
  - [P3, P4, P4]
`

// settings returns the config file to write (nil when the repository's serves as it is) and
// the settings the import then works with.
func settings(dir string) (*servicenow.File, *config.Config, error) {
	old, err := os.ReadFile(filepath.Join(dir, config.Path))
	var data []byte
	switch {
	case errors.Is(err, os.ErrNotExist):
		data = []byte(configHeader + matrixBlock)
	case err != nil:
		return nil, nil, err
	case !hasKey(old, "priority_matrix"):
		data = append(bytes.TrimRight(old, "\n"), '\n')
		data = append(data, "\n"+matrixBlock...)
	default:
		data = old
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", config.Path, err)
	}
	if bytes.Equal(data, old) {
		return nil, cfg, nil
	}
	return &servicenow.File{Path: filepath.ToSlash(config.Path), Data: data}, cfg, nil
}

func hasKey(yaml []byte, key string) bool {
	for _, l := range strings.Split(string(yaml), "\n") {
		if strings.HasPrefix(l, key+":") {
			return true
		}
	}
	return false
}

// author is who the commit is by, now.
func author(opts *Options, repo *git.Repository, f *command.Factory) (object.Signature, error) {
	now := f.Now()
	if opts.Author != "" {
		a, err := mail.ParseAddress(opts.Author)
		if err != nil || a.Name == "" {
			return object.Signature{}, command.UsageErrorf("--author %q: give \"Name <email>\"", opts.Author)
		}
		return object.Signature{Name: a.Name, Email: a.Address, When: now}, nil
	}
	name, email := strings.TrimSpace(f.Getenv("GIT_AUTHOR_NAME")), strings.TrimSpace(f.Getenv("GIT_AUTHOR_EMAIL"))
	if name == "" || email == "" {
		n, e := (&gitrepo.Repo{Git: repo}).User()
		if name == "" {
			name = n
		}
		if email == "" {
			email = e
		}
	}
	if name == "" || email == "" {
		return object.Signature{}, command.UsageErrorf("cannot tell who makes the commit: pass --author \"Name <email>\" or set git's user.name and user.email")
	}
	return object.Signature{Name: name, Email: email, When: now}, nil
}

// Package index is the `gitsm index` command.
package index

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	idx "github.com/gitsm/gitsm/internal/index"
)

// Options are the parsed flags of `gitsm index`.
type Options struct {
	Factory *command.Factory
	Rebuild bool
	NoCache bool
	Out     string // a file for the JSON export, "-" for stdout, "" for none
}

// NewCmdIndex builds the command; runF replaces the run function in tests.
func NewCmdIndex(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Build or refresh the index of all records",
		Long: `Build or refresh the index of all records: their IDs, kinds, paths, titles, the fields
listings filter on, and the links between records in both directions (a problem's incidents, a
CI's incidents, problems and changes, a change's incidents caused, a parent's children …).

The index is cached in .git/gitsm/records.index (and records.delta for recent changes): each
file's results keyed by its path and git blob hash, stamped with its size, times and inode,
so a refresh re-reads only the files that changed. In another clone (a CI job that restored
.git/gitsm) the stamps vouch for nothing; git's own index then says which files still have
the cached content, and the rest are read and hashed. --no-cache builds the index in memory
and neither reads nor writes the cache.
list, show, impact and validate refresh it themselves; run this command to build it ahead of
time, to rebuild it from scratch, or to export it. Outside a git repository nothing is cached.

--out FILE (or --format json, to stdout) writes the index as JSON:
  {"version": 1, "gitsm": "…",
   "records": [{"id", "kind", "path", "title", "hash", "fields": {…},
                "links": {"out": [{"relation", "field", "id", "kind"}], "in": […]},
                "errors", "warnings"}],
   "files": [{"path", "findings": […]}]}          # files that are not readable records`,
		Example: `  gitsm index
  gitsm index --rebuild
  gitsm index --out records.json
  gitsm index --format json | jq '.records[] | select(.kind == "Problem") | {id, incidents: [.links.in[] | select(.relation == "incidents") | .id]}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Rebuild, "rebuild", false, "ignore the cache and read every record again")
	cmd.Flags().BoolVar(&opts.NoCache, "no-cache", false, "neither read nor write the cache (build the index in memory)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the index as JSON to `FILE` (- for stdout)")
	return command.OfferFormats(cmd, "text", "json")
}

// Run runs `gitsm index`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json")
	if err != nil {
		return err
	}
	if format == "json" && opts.Out == "" {
		opts.Out = "-"
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	ix, _, err := idx.Load(ctx, root, idx.Options{Version: f.Version, Rebuild: opts.Rebuild, NoCache: opts.NoCache, Progress: progress(f)})
	if err != nil {
		return err
	}
	if opts.Out != "" {
		if err := export(ix, opts.Out, f); err != nil {
			return err
		}
	}
	if !f.Quiet {
		fmt.Fprintln(f.IO.ErrOut, summary(ix, root, opts.NoCache))
		if ix.Stats.WriteErr != nil {
			fmt.Fprintf(f.IO.ErrOut, "gitsm: warning: could not write the index cache: %v\n", ix.Stats.WriteErr)
		}
	}
	return nil
}

func export(ix *idx.Index, out string, f *command.Factory) error {
	if out == "-" {
		return ix.WriteJSON(f.IO.Out, f.Version)
	}
	p := out
	if !filepath.IsAbs(p) {
		p = filepath.Join(f.WorkDir, p)
	}
	fh, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("write the index: %w", err)
	}
	if err := ix.WriteJSON(fh, f.Version); err != nil {
		fh.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

func summary(ix *idx.Index, root string, noCache bool) string {
	s := ix.Stats
	where := "not cached: no git repository"
	if noCache {
		where = "not cached: --no-cache"
	} else if s.CachePath != "" {
		where = s.CachePath
		if rel, err := filepath.Rel(root, s.CachePath); err == nil && filepath.IsLocal(rel) {
			where = filepath.ToSlash(rel)
		}
	}
	vouched := ""
	if s.Vouched > 0 {
		vouched = fmt.Sprintf(", %d of them vouched for by git's index", s.Vouched)
	}
	return fmt.Sprintf("indexed %d records (%d files) in %s: %d read and checked, %d from the cache%s (%s)",
		s.Records, s.Files, s.Elapsed.Round(time.Millisecond), s.Analyzed, s.Reused, vouched, where)
}

// progress is where to show the progress of a long build: stderr when it is a terminal and
// -q was not given.
func progress(f *command.Factory) io.Writer {
	if f.Quiet || !f.IO.Progress() {
		return nil
	}
	return f.IO.ErrOut
}

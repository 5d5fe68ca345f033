// Package audit is the `gitsm audit` command.
package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/audit"
	historycmd "github.com/gitsm/gitsm/internal/cmd/history"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/evidence"
	"github.com/gitsm/gitsm/internal/history"
	"github.com/gitsm/gitsm/internal/record"
)

// Options are the parsed flags of `gitsm audit`.
type Options struct {
	Factory    *command.Factory
	Since      string
	Until      string
	Branch     string
	VerifyFrom string
	NotesFrom  string
	Rebuild    bool
}

// NewCmdAudit builds the command; runF replaces the run function in tests.
func NewCmdAudit(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Audit a branch's history: pull requests, approval evidence and violations",
		Long: `Report on the first-parent history of a branch (HEAD by default) as an auditor reads it: a
summary first (commits, pull requests, records touched, violations by kind), then every commit
that touched records with its pull request and approval evidence (git notes under
refs/notes/gitsm written by "gitsm approval record"), then the violations:

  direct-push        records changed by a commit that did not come through a pull request
  unapproved-change  a change record reached scheduled or beyond (or had its approved scope
                     edited) with no evidence that its approvals were met
  evidence-mismatch  a note whose merge, base or head SHA, policy blob or records disagree
                     with git, or a note that is not readable evidence
  deleted-record     a record file deleted (records are canceled or closed, never deleted)
  rewrite            --verify-from is not an ancestor of the branch, or refs/notes/gitsm no
                     longer descends from --notes-from
  unsigned           a commit without a signature valid for signing.keys, when
                     .gitsm/config.yaml sets signing.required

--since and --until take a date (2026-03-01), a time (2026-03-01T09:00:00Z) or an age (30d,
4w, 12h, "1 month ago"); they select commits by committer date. Exit 1 when there are
violations. Formats: text, markdown, json, csv.`,
		Example: `  gitsm audit --since 30d
  gitsm audit --branch main --verify-from 9c2f0e1d --format markdown > audit.md
  gitsm audit --since 2026-01-01 --until 2026-03-31 --format csv > q1.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Since, "since", "", "only commits from `DATE` on")
	fl.StringVar(&opts.Until, "until", "", "only commits up to `DATE`")
	fl.StringVar(&opts.Branch, "branch", "", "audit branch `B` (default: HEAD)")
	fl.StringVar(&opts.VerifyFrom, "verify-from", "", "a `COMMIT` verified before, which must still be in the branch's history")
	fl.StringVar(&opts.NotesFrom, "notes-from", "", "a previous tip `COMMIT` of refs/notes/gitsm, which the notes ref must still descend from")
	fl.BoolVar(&opts.Rebuild, "rebuild", false, "ignore the cached history index and read every commit again")
	return command.OfferFormats(cmd, "text", "markdown", "json", "csv")
}

// Run runs `gitsm audit`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "markdown", "json", "csv")
	if err != nil {
		return err
	}
	now := f.Now()
	since, err := ParseTime(opts.Since, now, false)
	if err != nil {
		return command.UsageErrorf("--since: %v", err)
	}
	until, err := ParseTime(opts.Until, now, true)
	if err != nil {
		return command.UsageErrorf("--until: %v", err)
	}
	root, err := f.Root()
	if err != nil {
		return err
	}
	cfg, err := config.Load(root)
	if err != nil {
		return err
	}
	var keys []string
	if cfg.Signing.Required {
		if keys, err = readKeys(root, cfg.Signing.Keys); err != nil {
			return err
		}
	}
	ix, tip, err := historycmd.OpenSynced(ctx, f, root, opts.Branch, opts.Rebuild)
	if err != nil {
		return err
	}
	defer ix.Close()
	in, err := Gather(ix, tip, since, until, keys, cfg.Signing.Required)
	if err != nil {
		return err
	}
	in.Branch = opts.Branch
	if in.Branch == "" {
		_, ref, _ := ix.Resolve("")
		in.Branch = strings.TrimPrefix(ref, "refs/heads/")
		if in.Branch == "" {
			in.Branch = "HEAD"
		}
	}
	if opts.VerifyFrom != "" {
		in.VerifyFrom = opts.VerifyFrom
		h, err := ix.Git().ResolveRevision(plumbing.Revision(opts.VerifyFrom))
		if err != nil {
			in.VerifyFromErr = err.Error()
		} else {
			in.VerifyFrom = h.String()
			in.VerifyFromOK = ix.IsAncestor(*h, tip)
		}
	}
	if opts.NotesFrom != "" {
		in.NotesFrom = opts.NotesFrom
		in.NotesFromOK, err = notesDescend(ix, opts.NotesFrom)
		if err != nil {
			in.NotesFromErr = err.Error()
		}
	}
	rep := audit.Run(in)
	switch format {
	case "json":
		err = audit.WriteJSON(f.IO.Out, rep)
	case "markdown":
		err = audit.WriteMarkdown(f.IO.Out, rep)
	case "csv":
		err = audit.WriteCSV(f.IO.Out, rep)
	default:
		err = audit.WriteText(f.IO.Out, rep)
	}
	if err != nil {
		return err
	}
	if rep.Summary.Violations > 0 {
		return &command.CheckFailedError{Msg: fmt.Sprintf("audit: %d %s", rep.Summary.Violations, plural(rep.Summary.Violations, "violation"))}
	}
	return nil
}

// Gather reads from git what the audit judges: the first-parent commits of tip in the window,
// the records each touched (parsed), the evidence notes checked against the graph, and the
// signatures when signing is required.
func Gather(ix *history.Index, tip plumbing.Hash, since, until time.Time, keys []string, signing bool) (audit.Input, error) {
	in := audit.Input{Tip: tip.String(), Since: since, Until: until, SigningRequired: signing}
	notes, bad, err := ix.ReadNotes()
	if err != nil {
		return in, err
	}
	badNotes := map[plumbing.Hash]string{}
	for _, b := range bad {
		badNotes[b.Commit] = b.Err.Error()
	}
	if ref, err := ix.Git().Reference(evidence.Ref, true); err == nil {
		in.Notes = ref.Hash().String()
	}
	policyPath := path.Join(ix.Prefix(), ".gitsm/policy.yaml")
	fs := loadFacts(ix)
	defer fs.save()
	for _, c := range ix.FirstParent(tip) {
		t := time.Unix(c.CommitTime, 0)
		if !until.IsZero() && t.After(until) {
			continue
		}
		if !since.IsZero() && t.Before(since) {
			continue
		}
		ac := audit.Commit{Hash: c.Hash.String(), Author: c.Author.Name, Email: c.Author.Email, Date: c.When(),
			Subject: c.Subject, SubjectPR: history.SubjectPR(c.Subject), Note: notes[c.Hash], NoteErr: badNotes[c.Hash]}
		for _, p := range c.Parents {
			ac.Parents = append(ac.Parents, p.String())
		}
		if ac.Records, err = records(ix, fs, c); err != nil {
			return in, err
		}
		if n := ac.Note; n != nil {
			ac.Facts, err = facts(ix, c, n, policyPath)
			if err != nil {
				return in, err
			}
		}
		if signing {
			ac.Signature = verify(ix, c.Hash, keys)
		}
		in.Commits = append(in.Commits, ac)
	}
	return in, nil
}

func records(ix *history.Index, fs *factCache, c *history.Commit) ([]audit.Record, error) {
	renames := history.Renames(c.Changes)
	sources := map[string]bool{}
	for _, src := range renames {
		sources[src] = true
	}
	var out []audit.Record
	for _, ch := range c.Changes {
		if sources[ch.Path] {
			continue
		}
		r := audit.Record{Path: ch.Path, OldPath: ch.Path}
		old := ch.Old
		switch {
		case ch.Old.IsZero() && renames[ch.Path] != "":
			r.Change, r.OldPath = history.Renamed, renames[ch.Path]
			old = find(c.Changes, r.OldPath).Old
		case ch.Old.IsZero():
			r.Change = history.Added
		case ch.New.IsZero():
			r.Change = history.Deleted
		default:
			r.Change = history.Modified
		}
		// Only change records are judged on their content; reading the others would cost
		// time for nothing.
		if k, ok := record.FolderKind(ch.Path); ok && k == record.Change {
			var errs []string
			var err error
			if r.Old, err = fs.get(ix, old); err != nil {
				errs = append(errs, "the old version: "+err.Error())
			}
			if r.New, err = fs.get(ix, ch.New); err != nil {
				errs = append(errs, "the new version: "+err.Error())
			}
			r.ParseErr = strings.Join(errs, "; ")
		}
		out = append(out, r)
	}
	return out, nil
}

func find(cs []history.Change, p string) history.Change {
	for _, c := range cs {
		if c.Path == p {
			return c
		}
	}
	return history.Change{}
}

func facts(ix *history.Index, c *history.Commit, n *evidence.Note, policyPath string) (audit.NoteFacts, error) {
	var f audit.NoteFacts
	if base, ok := hexHash(n.BaseSHA); ok {
		if _, err := ix.Git().CommitObject(base); err == nil {
			f.BaseFound = true
			f.BaseInHistory = len(c.Parents) > 0 && ix.IsAncestor(base, c.Parents[0])
			blob, err := ix.FileAt(base, policyPath)
			if err != nil {
				return f, err
			}
			if !blob.IsZero() {
				f.PolicyBlob = blob.String()
			}
		}
	}
	if head, ok := hexHash(n.HeadSHA); ok {
		if _, err := ix.Git().CommitObject(head); err == nil {
			f.HeadFound = true
		}
	}
	return f, nil
}

var hexSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

func hexHash(s string) (plumbing.Hash, bool) {
	if !hexSHA.MatchString(s) {
		return plumbing.ZeroHash, false
	}
	return plumbing.NewHash(s), true
}

// verify checks a commit's OpenPGP signature against each configured key (go-git reads one
// armored key ring at a time).
func verify(ix *history.Index, h plumbing.Hash, keys []string) *audit.Signature {
	c, err := ix.Git().CommitObject(h)
	if err != nil {
		return &audit.Signature{Err: err.Error()}
	}
	s := &audit.Signature{Signed: c.PGPSignature != ""}
	if !s.Signed {
		return s
	}
	var errs []string
	for _, k := range keys {
		e, err := c.Verify(k)
		if err == nil {
			s.Valid = true
			for name := range e.Identities {
				s.Signer = name
				break
			}
			return s
		}
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		s.Err = errs[len(errs)-1]
	}
	return s
}

func readKeys(root string, paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New(".gitsm/config.yaml sets signing.required but lists no signing.keys; add the armored public keys of the people (and of GitHub, for its merge commits) whose signatures count")
	}
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			return nil, fmt.Errorf("read signing key %s: %w", p, err)
		}
		out = append(out, string(b))
	}
	return out, nil
}

// notesDescend reports whether the current refs/notes/gitsm is from or descends from the
// given notes commit: notes are only ever added, so an earlier tip must stay in its history.
func notesDescend(ix *history.Index, from string) (bool, error) {
	want, err := ix.Git().ResolveRevision(plumbing.Revision(from))
	if err != nil {
		return false, fmt.Errorf("resolve %s: %w", from, err)
	}
	ref, err := ix.Git().Reference(evidence.Ref, true)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", evidence.Ref, err)
	}
	seen := map[plumbing.Hash]bool{}
	stack := []plumbing.Hash{ref.Hash()}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if h == *want {
			return true, nil
		}
		if seen[h] {
			continue
		}
		seen[h] = true
		c, err := object.GetCommit(ix.Git().Storer, h)
		if err != nil {
			return false, fmt.Errorf("read %s history: %w", evidence.Ref, err)
		}
		stack = append(stack, c.ParentHashes...)
	}
	return false, nil
}

var ago = regexp.MustCompile(`^([0-9]+)\s*(h|d|w|hours?|days?|weeks?|months?|years?)(\s+ago)?$`)

// ParseTime reads --since/--until: RFC 3339, a date (the start of the day in UTC, or for
// --until its end), or an age before now such as 30d, 4w, 12h or "1 month ago".
func ParseTime(s string, now time.Time, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			return t.Add(24*time.Hour - time.Second), nil
		}
		return t, nil
	}
	m := ago.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2026-03-01), a time (2026-03-01T09:00:00Z) or an age (30d, 4w, 12h, 1 month ago)", s)
	}
	n, _ := strconv.Atoi(m[1])
	switch m[2][0] {
	case 'h':
		return now.Add(-time.Duration(n) * time.Hour), nil
	case 'd':
		return now.AddDate(0, 0, -n), nil
	case 'w':
		return now.AddDate(0, 0, -7*n), nil
	case 'm':
		return now.AddDate(0, -n, 0), nil
	}
	return now.AddDate(-n, 0, 0), nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

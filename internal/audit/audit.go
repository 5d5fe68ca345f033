// Package audit judges a branch's first-parent history as an auditor does: for every commit
// that touched records, its pull request, its approval evidence and the violations. It is pure:
// the caller reads git (the history index, the evidence notes, the policy blobs, signature
// checks) and hands the facts in; Run only decides.
package audit

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/evidence"
	"github.com/gitsm/gitsm/internal/policy"
	"github.com/gitsm/gitsm/internal/record"
)

// Violation kinds (stable; add more, never rename).
const (
	DirectPush       = "direct-push"
	UnapprovedChange = "unapproved-change"
	EvidenceMismatch = "evidence-mismatch"
	DeletedRecord    = "deleted-record"
	Rewrite          = "rewrite"
	Unsigned         = "unsigned"
)

// Kinds lists the violation kinds in report order.
var Kinds = []string{DirectPush, UnapprovedChange, EvidenceMismatch, DeletedRecord, Rewrite, Unsigned}

// Commit is what git says about one first-parent commit of the branch.
type Commit struct {
	Hash    string
	Parents []string
	Author  string
	Email   string
	Date    time.Time
	Subject string
	// SubjectPR is the pull request the subject names (0: none).
	SubjectPR int
	// Records are the record files the commit changed against its first parent.
	Records []Record
	// Note is the evidence note on this commit (nil: none); NoteErr says why a note that
	// exists is not readable evidence.
	Note    *evidence.Note
	NoteErr string
	// Facts checks the note's claims against the graph (only when Note is set).
	Facts NoteFacts
	// Signature is the signature check, when signing is required.
	Signature *Signature
}

// Record is one record file a commit changed.
type Record struct {
	Path    string
	OldPath string // differs for a rename
	Change  string // added | modified | deleted | renamed
	// Old and New are the parsed versions (nil: absent); ParseErr says why one could not be
	// read (a change record that cannot be read is judged as unapproved: fail closed).
	Old, New map[string]any
	ParseErr string
}

// ID is the record's ID, from its file name.
func (r Record) ID() string { return record.Stem(r.Path) }

// NoteFacts are what git says about the commits a note names.
type NoteFacts struct {
	// BaseFound: base_sha is a commit in the repository; BaseInHistory: it is the first
	// parent or one of its ancestors.
	BaseFound, BaseInHistory bool
	// HeadFound: head_sha is a commit in the repository.
	HeadFound bool
	// PolicyBlob is the blob of .gitsm/policy.yaml at base_sha ("" when it has none).
	PolicyBlob string
}

// Signature is the outcome of verifying a commit's signature against the configured keys.
type Signature struct {
	Signed bool
	Valid  bool
	Signer string
	Err    string
}

// Input is everything Run judges.
type Input struct {
	Branch string
	Tip    string
	Since  time.Time
	Until  time.Time
	// Commits are the first-parent commits in the window, newest first.
	Commits []Commit
	// SigningRequired says every commit must carry a signature valid for a configured key.
	SigningRequired bool
	// VerifyFrom, when set, is a commit the auditor saw before; VerifyFromOK says it is still
	// an ancestor of the branch (VerifyFromErr: why it could not be checked).
	VerifyFrom    string
	VerifyFromOK  bool
	VerifyFromErr string
	// NotesFrom, when set, is a previous tip of refs/notes/gitsm; NotesFromOK says it is an
	// ancestor of the current tip (notes are only ever added to, never rewritten).
	NotesFrom    string
	NotesFromOK  bool
	NotesFromErr string
	// Notes is the current tip of refs/notes/gitsm ("" when there is none).
	Notes string
}

// Violation is one finding of the audit.
type Violation struct {
	Kind    string `json:"kind"`
	Commit  string `json:"commit,omitempty"`
	Record  string `json:"record,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Report is the audit's result.
type Report struct {
	Branch     string         `json:"branch"`
	Tip        string         `json:"tip"`
	Since      *time.Time     `json:"since,omitempty"`
	Until      *time.Time     `json:"until,omitempty"`
	Summary    Summary        `json:"summary"`
	Commits    []CommitReport `json:"commits"`
	Violations []Violation    `json:"violations"`
}

// Summary comes first in every format.
type Summary struct {
	// Commits is the number of first-parent commits in the window; RecordCommits of those
	// that touched records.
	Commits       int            `json:"commits"`
	RecordCommits int            `json:"record_commits"`
	PRs           int            `json:"prs"`
	Records       int            `json:"records"`
	Violations    int            `json:"violations"`
	ByKind        map[string]int `json:"by_kind"`
}

// CommitReport is one commit that touched records.
type CommitReport struct {
	Commit     string          `json:"commit"`
	Date       time.Time       `json:"date"`
	Author     string          `json:"author"`
	Email      string          `json:"email"`
	Subject    string          `json:"subject"`
	PR         int             `json:"pr,omitempty"`
	Records    []RecordChange  `json:"records"`
	Evidence   *EvidenceReport `json:"evidence"`
	Violations []Violation     `json:"violations"`
}

// RecordChange is one record a commit touched.
type RecordChange struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	OldPath string `json:"old_path,omitempty"`
	Change  string `json:"change"`
}

// EvidenceReport summarises the note of a commit.
type EvidenceReport struct {
	PR        int      `json:"pr"`
	Approved  bool     `json:"approved"`
	BaseSHA   string   `json:"base_sha"`
	HeadSHA   string   `json:"head_sha"`
	Approvers []string `json:"approvers"`
}

// Run judges the input.
func Run(in Input) *Report {
	rep := &Report{Branch: in.Branch, Tip: in.Tip, Commits: []CommitReport{}, Violations: []Violation{},
		Summary: Summary{ByKind: map[string]int{}}}
	if !in.Since.IsZero() {
		s := in.Since
		rep.Since = &s
	}
	if !in.Until.IsZero() {
		u := in.Until
		rep.Until = &u
	}
	add := func(v Violation) {
		rep.Violations = append(rep.Violations, v)
		rep.Summary.ByKind[v.Kind]++
	}
	if in.VerifyFrom != "" && !in.VerifyFromOK {
		msg := fmt.Sprintf("%s is not an ancestor of %s: the branch was rewritten (force-pushed) since it was verified", in.VerifyFrom, in.Branch)
		if in.VerifyFromErr != "" {
			msg = fmt.Sprintf("%s cannot be found in the history of %s (%s): the branch was rewritten, or fetch it first", in.VerifyFrom, in.Branch, in.VerifyFromErr)
		}
		add(Violation{Kind: Rewrite, Commit: in.VerifyFrom, Message: msg})
	}
	if in.NotesFrom != "" && !in.NotesFromOK {
		msg := fmt.Sprintf("the notes ref %s no longer descends from %s: approval evidence was rewritten or removed", evidence.Ref, in.NotesFrom)
		if in.NotesFromErr != "" {
			msg = fmt.Sprintf("the notes ref %s cannot be checked against %s (%s)", evidence.Ref, in.NotesFrom, in.NotesFromErr)
		}
		add(Violation{Kind: Rewrite, Commit: in.NotesFrom, Message: msg})
	}
	prs := map[int]bool{}
	records := map[string]bool{}
	for _, c := range in.Commits {
		rep.Summary.Commits++
		var vs []Violation
		if in.SigningRequired {
			if v, bad := unsigned(c); bad {
				vs = append(vs, v)
			}
		}
		if len(c.Records) == 0 && c.Note == nil && c.NoteErr == "" {
			for _, v := range vs {
				add(v)
			}
			continue
		}
		rep.Summary.RecordCommits++
		cr := CommitReport{Commit: c.Hash, Date: c.Date, Author: c.Author, Email: c.Email, Subject: c.Subject,
			PR: c.SubjectPR, Records: []RecordChange{}}
		if cr.PR == 0 && c.Note != nil {
			cr.PR = c.Note.PR
		}
		if cr.PR != 0 {
			prs[cr.PR] = true
		}
		if c.Note != nil {
			cr.Evidence = evidenceOf(c.Note)
		}
		for _, r := range c.Records {
			records[r.ID()] = true
			rc := RecordChange{ID: r.ID(), Path: r.Path, Change: r.Change}
			if r.OldPath != r.Path {
				rc.OldPath = r.OldPath
			}
			cr.Records = append(cr.Records, rc)
		}
		if len(c.Records) > 0 && cr.PR == 0 {
			ids := make([]string, 0, len(c.Records))
			for _, r := range c.Records {
				ids = append(ids, r.ID())
			}
			list := strings.Join(ids, ", ")
			if len(ids) > 5 {
				list = fmt.Sprintf("%s and %d more records", strings.Join(ids[:5], ", "), len(ids)-5)
			}
			vs = append(vs, Violation{Kind: DirectPush, Commit: c.Hash,
				Message: fmt.Sprintf("%s changed by a commit that did not come through a pull request (no PR in its subject, no evidence note)", list)})
		}
		for _, r := range c.Records {
			if r.Change == "deleted" {
				vs = append(vs, Violation{Kind: DeletedRecord, Commit: c.Hash, Record: r.ID(), Path: r.Path,
					Message: fmt.Sprintf("%s was deleted; records are canceled or closed, never deleted", r.ID())})
			}
		}
		vs = append(vs, approvals(c)...)
		vs = append(vs, mismatches(c)...)
		cr.Violations = append([]Violation{}, vs...)
		for _, v := range vs {
			add(v)
		}
		rep.Commits = append(rep.Commits, cr)
	}
	rep.Summary.PRs = len(prs)
	rep.Summary.Records = len(records)
	rep.Summary.Violations = len(rep.Violations)
	return rep
}

func unsigned(c Commit) (Violation, bool) {
	s := c.Signature
	switch {
	case s == nil || !s.Signed:
		return Violation{Kind: Unsigned, Commit: c.Hash, Message: "the commit is not signed, and signing is required (.gitsm/config.yaml signing.required)"}, true
	case !s.Valid:
		msg := "the commit's signature does not verify against any key in signing.keys"
		if s.Err != "" {
			msg += ": " + s.Err
		}
		return Violation{Kind: Unsigned, Commit: c.Hash, Message: msg}, true
	}
	return Violation{}, false
}

func evidenceOf(n *evidence.Note) *EvidenceReport {
	e := &EvidenceReport{PR: n.PR, Approved: n.Approved, BaseSHA: n.BaseSHA, HeadSHA: n.HeadSHA, Approvers: []string{}}
	seen := map[string]bool{}
	for _, r := range n.Reviews {
		if !seen[r.Reviewer] {
			seen[r.Reviewer] = true
			e.Approvers = append(e.Approvers, r.Reviewer)
		}
	}
	sort.Strings(e.Approvers)
	return e
}

// approvals finds the change records that needed approval in this commit without evidence
// that they had it.
func approvals(c Commit) []Violation {
	var out []Violation
	for _, r := range c.Records {
		if k, ok := record.FolderKind(r.Path); !ok || k != record.Change {
			continue
		}
		var needs bool
		why := ""
		if r.ParseErr != "" {
			needs, why = true, "cannot be read ("+r.ParseErr+"), so its approval cannot be shown"
		} else {
			n, w, err := policy.NeedsApproval(r.Old, r.New)
			if err != nil {
				n, w = true, "has no state the lifecycle knows ("+err.Error()+")"
			}
			needs, why = n, w
		}
		if !needs {
			continue
		}
		msg := ""
		switch {
		case c.Note == nil:
			msg = fmt.Sprintf("%s %s with no approval evidence (no note under %s on this commit)", r.ID(), why, evidence.Ref)
		case !c.Note.Approved:
			msg = fmt.Sprintf("%s %s; the evidence records the pull request as not approved", r.ID(), why)
		default:
			rec := noteRecord(c.Note, r)
			switch {
			case rec == nil:
				msg = fmt.Sprintf("%s %s; the evidence note does not name it", r.ID(), why)
			case !rec.Approved:
				msg = fmt.Sprintf("%s %s; the evidence records it as not approved", r.ID(), why)
			}
		}
		if msg != "" {
			out = append(out, Violation{Kind: UnapprovedChange, Commit: c.Hash, Record: r.ID(), Path: r.Path, Message: msg})
		}
	}
	if c.Note != nil && !c.Note.Approved && len(out) == 0 && len(c.Records) > 0 {
		out = append(out, Violation{Kind: UnapprovedChange, Commit: c.Hash,
			Message: fmt.Sprintf("the evidence records pull request #%d as not approved, and it was merged", c.Note.PR)})
	}
	return out
}

func noteRecord(n *evidence.Note, r Record) *evidence.Record {
	for i := range n.Records {
		nr := &n.Records[i]
		if nr.ID == r.ID() && samePath(nr.Path, r.Path) {
			return nr
		}
	}
	return nil
}

// samePath compares a note's path (relative to the repository or the records root) with a
// path relative to the records root.
func samePath(notePath, p string) bool {
	return notePath == p || strings.HasSuffix(notePath, "/"+p)
}

// mismatches checks a note's claims against git.
func mismatches(c Commit) []Violation {
	var out []Violation
	bad := func(format string, args ...any) {
		out = append(out, Violation{Kind: EvidenceMismatch, Commit: c.Hash, Message: fmt.Sprintf(format, args...)})
	}
	if c.NoteErr != "" {
		bad("the note under %s on this commit is not readable evidence: %s", evidence.Ref, c.NoteErr)
		return out
	}
	n := c.Note
	if n == nil {
		return nil
	}
	f := c.Facts
	if !strings.EqualFold(n.MergeSHA, c.Hash) {
		bad("the note says merge_sha %s, but it is on commit %s", n.MergeSHA, c.Hash)
	}
	if c.SubjectPR != 0 && n.PR != c.SubjectPR {
		bad("the note is for pull request #%d, but the commit subject names #%d", n.PR, c.SubjectPR)
	}
	switch {
	case !f.BaseFound:
		bad("the note's base_sha %s is not a commit in this repository", n.BaseSHA)
	case !f.BaseInHistory:
		bad("the note's base_sha %s is not in the history the commit was merged onto (its first parent)", n.BaseSHA)
	}
	if len(c.Parents) > 1 {
		if !strings.EqualFold(n.HeadSHA, c.Parents[1]) {
			bad("the note's head_sha %s is not the merged head %s (the merge commit's second parent)", n.HeadSHA, c.Parents[1])
		}
	} else if !f.HeadFound {
		bad("the note's head_sha %s is not a commit in this repository (after a squash merge, fetch refs/pull/%d/head)", n.HeadSHA, n.PR)
	}
	if f.BaseFound && n.PolicyBlob != f.PolicyBlob {
		want := f.PolicyBlob
		if want == "" {
			want = "none (no .gitsm/policy.yaml)"
		}
		bad("the note's policy_blob %q is not the base's .gitsm/policy.yaml, which is %s", n.PolicyBlob, want)
	}
	touched := map[string]bool{}
	for _, r := range c.Records {
		touched[r.Path] = true
		touched[r.OldPath] = true
	}
	for _, nr := range n.Records {
		ok := false
		for p := range touched {
			if samePath(nr.Path, p) {
				ok = true
				break
			}
		}
		if !ok {
			bad("the note names %s (%s), which this commit did not change", nr.ID, path.Clean(nr.Path))
		}
	}
	return out
}

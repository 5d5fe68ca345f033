// Package evidence is the approval evidence that `gitsm approval record` keeps in git: one JSON
// document per merged pull request, stored as a git note on its merge commit under
// refs/notes/gitsm, so that `gitsm audit` can prove approvals from git alone.
//
// The notes are written and read with go-git, in the layout git itself uses (`git notes
// --ref=gitsm show <sha>` prints them): a commit on refs/notes/gitsm whose tree holds one blob
// per annotated commit, named by the commit's full hex SHA, possibly under fan-out directories
// (ab/cdef…). See docs/approval.md, "Evidence note format".
package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/policy"
)

// Ref is the notes ref that holds the evidence.
const Ref = "refs/notes/gitsm"

// Version is the format version this package writes, in the document's gitsm_evidence field.
const Version = 1

// MaxSize is the largest note Read accepts, in bytes.
const MaxSize = 8 << 20

// ErrNotFound says a commit has no evidence note (or there is no refs/notes/gitsm at all).
var ErrNotFound = errors.New("no approval evidence note")

// Note is the evidence of one merged pull request. Its JSON form is the contract `gitsm audit`
// reads: fields are only ever added, never renamed or given another meaning.
type Note struct {
	// Evidence is the format version (Version); a reader refuses versions it does not know.
	Evidence int `json:"gitsm_evidence"`
	// Repository is the GitHub repository, owner/name.
	Repository string `json:"repository"`
	PR         int    `json:"pr"`
	// Author is the pull request's author, who never counts as an approver.
	Author string `json:"author"`
	// BaseSHA is the commit the policy, groups, CIs and templates were read from.
	BaseSHA string `json:"base_sha"`
	// HeadSHA is the pull request's head: the commit every counted approval approved.
	HeadSHA string `json:"head_sha"`
	// MergeSHA is the commit the note annotates.
	MergeSHA string `json:"merge_sha"`
	// PolicyBlob is the git blob hash of .gitsm/policy.yaml at BaseSHA ("" when it had none).
	PolicyBlob string `json:"policy_blob"`
	// Approved is the decision at merge time.
	Approved bool `json:"approved"`
	// Records has one entry per change record the pull request added, modified or deleted.
	Records []Record `json:"records"`
	// PathRules are the paths rules that selected a changed file.
	PathRules []Rule `json:"path_rules"`
	// Reviews are the counted approvals, one entry per review and group it counted for.
	Reviews []Review `json:"reviews"`
	// Errors are fail-closed causes not tied to one record or rule.
	Errors []string `json:"errors"`
}

// Record is the decision for one change record.
type Record struct {
	ID            string   `json:"id"`
	Path          string   `json:"path"`
	NeedsApproval bool     `json:"needs_approval"`
	Approved      bool     `json:"approved"`
	Why           string   `json:"why"`
	Rules         []Rule   `json:"rules"`
	Problems      []string `json:"problems"`
}

// Rule is the outcome of one rule of the policy.
type Rule struct {
	Name      string `json:"name"`
	Satisfied bool   `json:"satisfied"`
	// Approvers are the logins whose approval counted for this rule.
	Approvers []string `json:"approvers"`
	// Paths are the changed files a paths rule selected.
	Paths []string `json:"paths,omitempty"`
}

// Review is one counted approval: a review of HeadSHA and the group it counted for.
type Review struct {
	Reviewer    string    `json:"reviewer"`
	ReviewID    int64     `json:"review_id"`
	CommitID    string    `json:"commit_id"`
	SubmittedAt time.Time `json:"submitted_at"`
	Group       string    `json:"group"`
}

// Meta is what a note says about the pull request besides the decision.
type Meta struct {
	Repository string
	PR         int
	Author     string
	BaseSHA    string
	HeadSHA    string
	MergeSHA   string
	PolicyBlob string
}

// New builds the note of a decision. Its content depends only on its arguments (no clock), so
// recording the same pull request twice yields the same bytes.
func New(m Meta, d policy.Decision) *Note {
	n := &Note{
		Evidence: Version, Repository: m.Repository, PR: m.PR, Author: m.Author,
		BaseSHA: m.BaseSHA, HeadSHA: m.HeadSHA, MergeSHA: m.MergeSHA, PolicyBlob: m.PolicyBlob,
		Approved: d.Approved, Records: []Record{}, PathRules: []Rule{}, Reviews: []Review{},
		Errors: append([]string{}, d.Errors...),
	}
	seen := map[string]bool{}
	collect := func(as []policy.Approver) []string {
		logins := []string{}
		for _, a := range as {
			if !contains(logins, a.Login) {
				logins = append(logins, a.Login)
			}
			key := fmt.Sprintf("%s\x00%s\x00%d", strings.ToLower(a.Login), a.Group, a.ReviewID)
			if seen[key] {
				continue
			}
			seen[key] = true
			n.Reviews = append(n.Reviews, Review{Reviewer: a.Login, ReviewID: a.ReviewID, CommitID: a.CommitID,
				SubmittedAt: a.SubmittedAt.UTC(), Group: a.Group})
		}
		return logins
	}
	for _, r := range d.Records {
		rec := Record{ID: r.ID, Path: r.Path, NeedsApproval: r.NeedsApproval, Approved: r.Approved, Why: r.Why,
			Rules: []Rule{}, Problems: append([]string{}, r.Problems...)}
		for _, rr := range r.Rules {
			rec.Rules = append(rec.Rules, Rule{Name: rr.Name, Satisfied: rr.Satisfied, Approvers: collect(rr.Approvers)})
		}
		n.Records = append(n.Records, rec)
	}
	for _, rr := range d.PathRules {
		n.PathRules = append(n.PathRules, Rule{Name: rr.Name, Satisfied: rr.Satisfied, Approvers: collect(rr.Approvers),
			Paths: append([]string{}, rr.Paths...)})
	}
	sort.Slice(n.Reviews, func(i, j int) bool {
		a, b := n.Reviews[i], n.Reviews[j]
		if la, lb := strings.ToLower(a.Reviewer), strings.ToLower(b.Reviewer); la != lb {
			return la < lb
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.ReviewID < b.ReviewID
	})
	return n
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Marshal returns the note as stored: indented JSON with a final newline.
func (n *Note) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// FormatError says a note is not gitsm evidence this version can read.
type FormatError struct {
	Msg string
}

func (e *FormatError) Error() string { return "not gitsm approval evidence: " + e.Msg }

// Parse reads a note's content. A note that is not JSON, lacks gitsm_evidence or has a version
// this package does not know is a *FormatError.
func Parse(data []byte) (*Note, error) {
	var probe struct {
		Evidence *int `json:"gitsm_evidence"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, &FormatError{Msg: err.Error()}
	}
	switch {
	case probe.Evidence == nil:
		return nil, &FormatError{Msg: "no gitsm_evidence field"}
	case *probe.Evidence != Version:
		return nil, &FormatError{Msg: fmt.Sprintf("format version %d (this gitsm reads %d; upgrade gitsm)", *probe.Evidence, Version)}
	}
	var n Note
	if err := json.Unmarshal(data, &n); err != nil {
		return nil, &FormatError{Msg: err.Error()}
	}
	return &n, nil
}

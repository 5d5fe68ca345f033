package approval

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/evidence"
	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/policy"
)

// RecordOptions are the parsed flags of `gitsm approval record`.
type RecordOptions struct {
	Factory *command.Factory
	PR      int
	// MergeCommit is the commit to annotate; "" means the pull request's merge commit.
	MergeCommit string
}

// NewCmdRecord builds `gitsm approval record`; runF replaces the run function in tests.
func NewCmdRecord(f *command.Factory, runF func(context.Context, *RecordOptions) error) *cobra.Command {
	opts := &RecordOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "record --pr N [--merge-commit SHA]",
		Short: "After a merge, store the evidence of the pull request's approvals as a git note",
		Long: `Store the evidence of a merged pull request's approvals in git, so that gitsm audit can
prove from git alone who approved each change: the pull request, its base and head commits, the
blob of the policy it was judged by, the decision for every change record and paths rule, and
every counted review (reviewer, review id, the commit approved, when, and for which group).

The pull request is judged again as the gate judged it, at its head commit (as GitHub reports
it) against the base branch as the merge found it: the merge commit's first parent when the
merge commit's other parent is the head, else the base commit GitHub reports. A record the base
changed since the branch point that the pull request edits too was merged unjudged: the evidence
then says not approved. Who authored or committed the commits, or pushed the head, does not count,
as in the gate. Both commits must be in the local repository: after a squash or rebase merge
fetch the head with git fetch origin +refs/pull/N/head. The evidence is
written as a git note on the merge commit under refs/notes/gitsm — read it with
git notes --ref=gitsm show SHA, publish it with git push origin refs/notes/gitsm.

The merge commit is the pull request's merge_commit_sha when it is HEAD or in HEAD's history,
else HEAD when its subject names the pull request ("Merge pull request #N", "… (#N)"), or the
commit --merge-commit names.

Only reviews submitted before the merge (merged_at) count: GitHub accepts reviews of a merged
pull request, and they are not evidence that it was approved when it merged.

Recording again is safe: the same evidence leaves the notes untouched; different evidence (a
team changed, another policy) replaces the note and says so on stderr.

Exit status: 0 recorded and approved, 1 recorded but not approved (audit will report it),
2 nothing recorded (not merged, commits missing locally, an API error).`,
		Example: `  # in a workflow on push to the default branch (see the one gitsm init installs)
  git fetch origin "+refs/notes/gitsm:refs/notes/gitsm" || true
  gitsm approval record --pr "$PR"
  git push origin refs/notes/gitsm

  gitsm approval record --pr 42 --merge-commit 3f2c1e0 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.PR <= 0 {
				return command.UsageErrorf("--pr N is required: the number of the merged pull request")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunRecord(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.PR, "pr", 0, "the merged pull request `N`")
	cmd.Flags().StringVar(&opts.MergeCommit, "merge-commit", "", "annotate commit `SHA` (default: the pull request's merge commit)")
	return command.OfferFormats(cmd, "text", "json")
}

// RunRecord runs `gitsm approval record`.
func RunRecord(ctx context.Context, opts *RecordOptions) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json")
	if err != nil {
		return err
	}
	client, cfg, err := github(f)
	if err != nil {
		return err
	}
	repo, err := openRepo(f)
	if err != nil {
		return err
	}
	n := opts.PR
	pr, err := client.PullRequest(ctx, n)
	if err != nil {
		return err
	}
	if !pr.Merged {
		return fmt.Errorf("pull request #%d is not merged (state %s): record its evidence after the merge, on the branch it merged into", n, pr.State)
	}
	merge, err := mergeCommit(repo, pr, opts.MergeCommit, f.IO.ErrOut)
	if err != nil {
		return err
	}
	revs, err := resolve(repo, mergedInto(merge, pr), pr.HeadSHA)
	if err != nil {
		return fmt.Errorf("pull request #%d: %w", n, err)
	}
	snap, err := client.Snapshot(ctx, n, pr.HeadSHA)
	if err != nil {
		return err
	}
	if snap.PR.MergedAt.IsZero() {
		return fmt.Errorf("pull request #%d is merged but GitHub gives no merged_at: which reviews came before the merge cannot be told", n)
	}
	// GitHub accepts reviews of a merged pull request: a review submitted after the merge did
	// not let it merge, and is not evidence that it was approved.
	reviews := snap.Reviews[:0:0]
	for _, r := range snap.Reviews {
		if r.SubmittedAt.After(snap.PR.MergedAt) {
			if !f.Quiet {
				fmt.Fprintf(f.IO.ErrOut, "gitsm: review %d by %s (%s) was submitted after the merge; it does not count\n", r.ID, r.Login, strings.ToLower(r.State))
			}
			continue
		}
		reviews = append(reviews, r)
	}
	// Who wrote or pushed the commits is asked as the gate asked it; after the merge no event
	// says who pushed the head, so the repository activity of the head branch does.
	nonApprovers, err := client.NonApprovers(ctx, snap.PR, "")
	if err != nil {
		return err
	}
	g, err := gather(ctx, repo, revs, snap.Files)
	if err != nil {
		return err
	}
	lookup := &lookupErrors{lookup: client.TeamLookup(ctx)}
	d := decide(g, policy.Input{
		Reviews: reviews, Author: snap.PR.Author, HeadSHA: snap.PR.HeadSHA,
		IsTeamMember: lookup.Lookup, NonApprovers: nonApprovers,
	})
	if err := lookup.first(); err != nil {
		return err
	}
	note := evidence.New(evidence.Meta{
		Repository: cfg.Repository, PR: n, Author: snap.PR.Author,
		BaseSHA: revs.base.Hash.String(), HeadSHA: revs.head.Hash.String(), MergeSHA: merge.Hash.String(),
		PolicyBlob: g.PolicyBlob,
	}, d)
	outcome, err := evidence.Write(repo.Git, merge.Hash, note, signature(f, repo))
	if err != nil {
		return fmt.Errorf("record the evidence: %w", err)
	}
	if format == "json" {
		err = writeJSON(f.IO.Out, note)
	} else {
		err = writeDecision(f.IO.Out, "text", d)
	}
	if err != nil {
		return err
	}
	at := fmt.Sprintf("%s (%s)", merge.Hash.String()[:12], evidence.Ref)
	switch outcome {
	case evidence.Replaced:
		fmt.Fprintf(f.IO.ErrOut, "gitsm: replaced the evidence of pull request #%d on %s: it differed from what was recorded before\n", n, at)
	case evidence.Unchanged:
		if !f.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "evidence of pull request #%d already recorded on %s; nothing changed\n", n, at)
		}
	default:
		if !f.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "recorded the evidence of pull request #%d on %s; publish it: git push origin %s\n", n, at, evidence.Ref)
		}
	}
	if !d.Approved {
		return &command.CheckFailedError{Msg: fmt.Sprintf("pull request #%d was merged without the approvals its base policy requires; the evidence says approved: false and gitsm audit will report it", n)}
	}
	return nil
}

// mergedInto is the base the pull request is judged against: for a merge commit whose other
// parent is the head, its first parent (the base branch as the merge found it, which is what the
// gate judges against: GitHub's base.sha can be older, and judging against it would miss a record
// the base changed meanwhile that the merge combined unjudged); else base.sha as GitHub reports
// it (a squash or rebase merge leaves no head parent to tell the base by).
func mergedInto(merge *object.Commit, pr githubapi.PullRequest) string {
	if len(merge.ParentHashes) >= 2 {
		for _, p := range merge.ParentHashes[1:] {
			if strings.EqualFold(p.String(), pr.HeadSHA) {
				return merge.ParentHashes[0].String()
			}
		}
	}
	return pr.BaseSHA
}

// mergeCommit finds the commit to annotate (see the command's help).
func mergeCommit(repo *gitrepo.Repo, pr githubapi.PullRequest, flag string, stderr io.Writer) (*object.Commit, error) {
	if flag != "" {
		c, err := repo.Commit(flag)
		if err != nil {
			return nil, fmt.Errorf("--merge-commit: %w", err)
		}
		if pr.MergeCommitSHA != "" && !strings.EqualFold(c.Hash.String(), pr.MergeCommitSHA) {
			fmt.Fprintf(stderr, "gitsm: GitHub names %s as the merge commit of pull request #%d; recording on %s as --merge-commit says\n",
				pr.MergeCommitSHA, pr.Number, c.Hash)
		}
		return c, nil
	}
	head, err := repo.Commit("HEAD")
	if err != nil {
		return nil, err
	}
	if isFullSHA(pr.MergeCommitSHA) {
		if c, err := repo.Git.CommitObject(plumbing.NewHash(strings.ToLower(pr.MergeCommitSHA))); err == nil {
			if c.Hash == head.Hash {
				return c, nil
			}
			if ok, err := c.IsAncestor(head); err == nil && ok {
				return c, nil
			}
		}
	}
	if attributedPR(head.Message) == pr.Number {
		return head, nil
	}
	merge := pr.MergeCommitSHA
	if merge == "" {
		merge = "(none given by GitHub)"
	}
	return nil, fmt.Errorf("the merge commit %s of pull request #%d is not in the history of HEAD (%s); check out the branch it merged into and fetch (git fetch origin), or pass --merge-commit SHA",
		merge, pr.Number, head.Hash.String()[:12])
}

// signature is who makes the notes commit, as git would take it: GIT_COMMITTER_NAME and
// GIT_COMMITTER_EMAIL, else user.name and user.email from the git configuration.
func signature(f *command.Factory, repo *gitrepo.Repo) object.Signature {
	name, email := f.Getenv("GIT_COMMITTER_NAME"), f.Getenv("GIT_COMMITTER_EMAIL")
	if name == "" || email == "" {
		n, e := repo.User()
		if name == "" {
			name = n
		}
		if email == "" {
			email = e
		}
	}
	if name == "" {
		name = "gitsm"
	}
	if email == "" {
		email = "gitsm@localhost"
	}
	return object.Signature{Name: name, Email: email, When: f.Now()}
}

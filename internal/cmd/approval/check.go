package approval

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/policy"
)

// CheckOptions are the parsed flags of `gitsm approval check`.
type CheckOptions struct {
	Factory *command.Factory
	Base    string
	Head    string
	// PR is the pull request number; 0 means the one of the GitHub Actions event.
	PR int
	// NoPublish reads GitHub but sets no status and writes no comment.
	NoPublish bool
}

// NewCmdCheck builds `gitsm approval check`; runF replaces the run function in tests.
func NewCmdCheck(f *command.Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "check --base REV --head SHA [--pr N]",
		Short: "The pull-request gate: are the approvals the base policy requires all given?",
		Long: `Decide whether a pull request has the approvals that .gitsm/policy.yaml requires, and report
it on GitHub: the commit status gitsm/approval on the head commit and one comment on the pull
request, edited in place on every run.

The policy, its groups, the CIs and the templates are read from --base; the change records from
--head, which must be the pull request's head commit as GitHub reports it (otherwise exit 2).
Fetch the head as data (git fetch origin +refs/pull/N/head): it is read from git objects, never
checked out or run. The changed files are those GitHub lists for the pull request together with
the git diff from the merge base of --base and --head to --head.

Only each reviewer's latest verdict counts; approvals count only for the head commit; the
author, bots and deleted users never count; a required reviewer requesting changes blocks.

GitHub is reached through GITHUB_TOKEN, GITHUB_API_URL (default https://api.github.com/),
GITHUB_REPOSITORY (owner/name) and, without --pr, the pull request of the event at
GITHUB_EVENT_PATH. The token never appears in any output.

Exit status: 0 approved, 1 not approved, 2 the check could not run (no token, an API error, a
head that is not the pull request's, unreadable git data); on 2 the status is set to error when
GitHub can still be reached.`,
		Example: `  # in a pull_request_target workflow (see the one gitsm init installs)
  git fetch origin "+refs/pull/$PR/head:refs/remotes/origin/pr-head"
  gitsm approval check --base "$BASE_SHA" --head "$HEAD_SHA" --pr "$PR"

  # see the decision without touching the pull request
  GITHUB_TOKEN=… GITHUB_REPOSITORY=shop/records gitsm approval check \
      --base origin/main --head "$(git rev-parse origin/pr-head)" --pr 42 --no-publish`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Base == "" || opts.Head == "" {
				return command.UsageErrorf("--base REV and --head SHA are required: the commit the pull request merges into and its head commit")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunCheck(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Base, "base", "", "the base commit `REV`; the policy is read from it")
	cmd.Flags().StringVar(&opts.Head, "head", "", "the pull request's head commit `SHA`")
	cmd.Flags().IntVar(&opts.PR, "pr", 0, "the pull request `N` (default: the one of GITHUB_EVENT_PATH)")
	cmd.Flags().BoolVar(&opts.NoPublish, "no-publish", false, "set no commit status and write no comment: only print the decision")
	return cmd
}

// RunCheck runs `gitsm approval check`.
func RunCheck(ctx context.Context, opts *CheckOptions) (err error) {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json", "markdown")
	if err != nil {
		return err
	}
	n, err := prNumber(f, opts.PR)
	if err != nil {
		return err
	}
	client, _, err := github(f)
	if err != nil {
		return err
	}
	target := runURL(f.Getenv)
	// Where to report a check that could not run: the head, once known.
	statusSHA := ""
	if isFullSHA(opts.Head) {
		statusSHA = strings.ToLower(opts.Head)
	}
	defer func() {
		if err == nil || command.ExitCode(err) != 2 || opts.NoPublish || statusSHA == "" {
			return
		}
		desc := "could not check the approvals: " + oneLine(err.Error())
		if serr := client.SetStatus(ctx, statusSHA, "error", desc, target); serr != nil {
			fmt.Fprintf(f.IO.ErrOut, "gitsm: the error status could not be set either: %v\n", serr)
		}
	}()

	repo, err := openRepo(f)
	if err != nil {
		return err
	}
	revs, err := resolve(repo, opts.Base, opts.Head)
	if err != nil {
		return err
	}
	head := revs.head.Hash.String()
	statusSHA = head
	snap, err := client.Snapshot(ctx, n, head)
	var hm *githubapi.HeadMismatchError
	if errors.As(err, &hm) {
		return fmt.Errorf("%w: approvals are judged on the pull request's head only; pass its head SHA (${{ github.event.pull_request.head.sha }}, not github.sha) and fetch it", err)
	}
	if err != nil {
		return err
	}
	g, err := gather(ctx, repo, revs, snap.Files)
	if err != nil {
		return err
	}
	d := decide(g, policy.Input{
		Reviews: snap.Reviews, Author: snap.PR.Author, HeadSHA: snap.PR.HeadSHA,
		IsTeamMember: client.TeamLookup(ctx),
	})
	if err := writeDecision(f.IO.Out, format, d); err != nil {
		return err
	}
	if !opts.NoPublish {
		if err := client.Publish(ctx, n, head, d, target); err != nil {
			return fmt.Errorf("publish the result: %w", err)
		}
		if !f.Quiet {
			state := map[bool]string{true: "success", false: "failure"}[d.Approved]
			fmt.Fprintf(f.IO.ErrOut, "%s: %s on %s; the comment on pull request #%d is up to date\n", githubapi.StatusContext, state, head[:12], n)
		}
	}
	if !d.Approved {
		return command.ErrCheckFailed
	}
	return nil
}

func isFullSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

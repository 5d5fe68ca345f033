// Package approval is the `gitsm approval` command: `plan` shows offline which approvals a
// branch's change records need, `check` is the pull-request gate (SPEC section 7) and `record`
// stores the evidence of a merged pull request's approvals as a git note.
//
// All three read the policy, the groups, the CIs and the templates from the base commit and the
// change records from the head commit, as git objects: nothing of the head is executed or
// checked out.
package approval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/policy"
)

// NewCmdApproval builds `gitsm approval` and its subcommands.
func NewCmdApproval(f *command.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "approval <command>",
		Short: "Plan, check and record change approvals from pull-request reviews",
		Long: `Change approval is enforced through pull-request reviews, by the policy in
.gitsm/policy.yaml (see docs/approval.md). The policy, its groups, the CIs and the declared
templates are always read from the base commit: a pull request cannot weaken the rules it is
judged by.

  plan     offline: which approvals each changed change record needs
  check    the pull-request gate: evaluates the reviews, sets the commit status gitsm/approval
           and keeps one comment on the pull request
  record   after the merge: stores the evidence as a git note under refs/notes/gitsm
  verify-setup
           checks that the repository's GitHub settings make the gate mean something`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return command.UsageErrorf("name a subcommand: plan, check, record or verify-setup (gitsm approval --help)")
		},
	}
	cmd.AddCommand(NewCmdPlan(f, nil), NewCmdCheck(f, nil), NewCmdRecord(f, nil), NewCmdVerifySetup(f, nil))
	return cmd
}

// openRepo finds the records repository and its git repository.
func openRepo(f *command.Factory) (*gitrepo.Repo, error) {
	root, err := f.Root()
	if err != nil {
		return nil, err
	}
	repo, err := gitrepo.Open(root)
	if errors.Is(err, gitrepo.ErrNotGit) {
		return nil, fmt.Errorf("%w: approvals are judged between git commits; run inside the records repository's clone or pass -C DIR", err)
	}
	return repo, err
}

// github reads the GitHub settings from the environment and makes a client.
func github(f *command.Factory) (*githubapi.Client, githubapi.Config, error) {
	cfg, err := githubapi.ConfigFromEnv(f.Getenv)
	if err != nil {
		return nil, cfg, fmt.Errorf("%w; in GitHub Actions pass env GITHUB_TOKEN: ${{ github.token }}", err)
	}
	c, err := githubapi.New(cfg)
	if err != nil {
		return nil, cfg, err
	}
	return c, cfg, nil
}

// runURL is the link of the commit status: the Actions run when gitsm runs in one.
func runURL(getenv func(string) string) string {
	server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return strings.TrimSuffix(server, "/") + "/" + repo + "/actions/runs/" + id
}

// decide evaluates the base policy on what git and GitHub said. Base settings that cannot be
// used make the decision not approved, with the reasons.
func decide(g *gathered, in policy.Input) policy.Decision {
	if errs := g.problems(); len(errs) > 0 {
		return refused(in.HeadSHA, errs)
	}
	in.Changes = g.Changes
	in.CIs = g.CIs
	in.InvalidCIs = g.InvalidCIs
	in.Templates = g.templates()
	in.ChangedPaths = g.Paths
	d := g.Policy.Evaluate(in)
	if len(g.Stale) > 0 {
		d.Errors = append(d.Errors, g.Stale...)
		d.Approved = false
	}
	return d
}

// refused is a decision that fails closed before any rule is evaluated.
func refused(head string, errs []string) policy.Decision {
	return policy.Decision{
		HeadSHA: head, Records: []policy.RecordDecision{}, PathRules: []policy.RuleResult{},
		Blockers: []policy.Blocker{}, Ignored: []policy.IgnoredReview{}, Errors: errs,
	}
}

// writeDecision prints a decision in one of the formats text, json, markdown.
func writeDecision(w io.Writer, format string, d policy.Decision) error {
	switch format {
	case "json":
		return writeJSON(w, d)
	case "markdown":
		_, err := io.WriteString(w, d.Markdown())
		return err
	}
	_, err := io.WriteString(w, d.Text())
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

var (
	mergeSubject  = regexp.MustCompile(`^Merge pull request #(\d+) `)
	squashSubject = regexp.MustCompile(`\(#(\d+)\)\s*$`)
)

// attributedPR is the pull request a commit message names: GitHub's merge commit subject
// "Merge pull request #N from …", or a squash or rebase subject ending in "(#N)"; 0 for none.
func attributedPR(message string) int {
	subject, _, _ := strings.Cut(message, "\n")
	for _, re := range []*regexp.Regexp{mergeSubject, squashSubject} {
		if m := re.FindStringSubmatch(subject); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

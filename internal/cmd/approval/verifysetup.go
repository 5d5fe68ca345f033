package approval

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/githubapi"
)

// VerifySetupOptions are the parsed flags of `gitsm approval verify-setup`.
type VerifySetupOptions struct {
	Factory *command.Factory
	// Branch is the branch to check; "" means the repository's default branch.
	Branch string
	// RecordsDir is the records root inside the git repository ("" the top, "." the local one).
	RecordsDir string
}

// NewCmdVerifySetup builds `gitsm approval verify-setup`; runF replaces the run function in tests.
func NewCmdVerifySetup(f *command.Factory, runF func(context.Context, *VerifySetupOptions) error) *cobra.Command {
	opts := &VerifySetupOptions{Factory: f, RecordsDir: "."}
	cmd := &cobra.Command{
		Use:   "verify-setup [--branch B]",
		Short: "Check that the repository's GitHub settings make the approval gate mean something",
		Long: `Read, through the GitHub API, the settings the approval gate depends on and say what is
missing, each with the exact setting to change (the model is OpenSSF Scorecard's
Branch-Protection check):

  required-check      gitsm/approval is a required status check of the branch (branch
                      protection or a ruleset)
  check-source        the check must come from one app (GitHub Actions, or better a dedicated
                      GitHub App): a status from any source can be set by anyone with
                      statuses: write
  up-to-date          branches must be up to date before merging, or a merge queue is required
  code-owner-review   code owners must review
  codeowners          CODEOWNERS gives owners to .github/workflows/ and .gitsm/
  workflow-token      the default GITHUB_TOKEN of workflows can only read
  no-bypass           administrators are included; no one may bypass the rules or the reviews

The branch is the repository's default branch unless --branch. The token needs to read the
settings: the Administration: read and Contents: read repository permissions (GitHub App or
fine-grained token), or the repo scope of an administrator (classic token); the default
GITHUB_TOKEN cannot read branch protection. GITHUB_TOKEN, GITHUB_API_URL and GITHUB_REPOSITORY
are read as by gitsm approval check.

Exit status: 0 nothing missing (warnings allowed), 1 something is missing, 2 the settings could
not be read.`,
		Example: `  GITHUB_TOKEN=$(gh auth token) GITHUB_REPOSITORY=shop/records gitsm approval verify-setup
  gitsm approval verify-setup --branch release --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunVerifySetup(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Branch, "branch", "", "the `BRANCH` to check (default: the repository's default branch)")
	cmd.Flags().StringVar(&opts.RecordsDir, "records-dir", ".", "where the records root (.gitsm/) is in the repository, as a `PATH` from its top; . means the local one")
	return command.OfferFormats(cmd, "text", "json")
}

// SetupFinding is one thing the gate depends on and whether it is set up.
type SetupFinding struct {
	Check string `json:"check"`
	// Status is ok, missing or warning.
	Status  string `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// SetupReport is the result of verify-setup.
type SetupReport struct {
	Repository string         `json:"repository"`
	Branch     string         `json:"branch"`
	OK         bool           `json:"ok"`
	Findings   []SetupFinding `json:"findings"`
}

// RunVerifySetup runs `gitsm approval verify-setup`.
func RunVerifySetup(ctx context.Context, opts *VerifySetupOptions) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json")
	if err != nil {
		return err
	}
	cfg, err := githubapi.ConfigFromEnv(f.Getenv)
	if err != nil {
		return fmt.Errorf("%w; verify-setup needs a token that may read the repository's settings (Administration: read), e.g. GITHUB_TOKEN=$(gh auth token)", err)
	}
	client, err := githubapi.New(cfg)
	if err != nil {
		return err
	}
	records := opts.RecordsDir
	if records == "." {
		records = ""
		if repo, err := openRepo(f); err == nil {
			records = repo.Prefix
		}
	}
	records = strings.Trim(path.Clean("/"+strings.ReplaceAll(records, "\\", "/")), "/")
	branch := opts.Branch
	if branch == "" {
		if branch, err = client.DefaultBranch(ctx); err != nil {
			return err
		}
	}
	setup, err := client.ReadSetup(ctx, branch)
	if err != nil {
		return err
	}
	rep, err := evaluateSetup(cfg.Repository, setup, records)
	if err != nil {
		return err
	}
	if format == "json" {
		err = writeJSON(f.IO.Out, rep)
	} else {
		err = writeSetupText(f.IO.Out, rep)
	}
	if err != nil {
		return err
	}
	if !rep.OK {
		return command.ErrCheckFailed
	}
	return nil
}

// evaluateSetup judges the settings; an error means something could not be told (exit 2).
func evaluateSetup(repository string, s githubapi.Setup, records string) (SetupReport, error) {
	rep := SetupReport{Repository: repository, Branch: s.Branch, OK: true, Findings: []SetupFinding{}}
	add := func(check, status, msg, fix string) {
		rep.Findings = append(rep.Findings, SetupFinding{Check: check, Status: status, Message: msg, Fix: fix})
		if status == "missing" {
			rep.OK = false
		}
	}
	branchRule := fmt.Sprintf("Settings → Rules → Rulesets → a branch ruleset targeting %s (or Settings → Branches → the protection rule of %s)", s.Branch, s.Branch)

	// Where gitsm/approval is required, and from which source.
	type source struct {
		where string
		appID *int64
	}
	var sources []source
	var strict []string
	var codeOwners []string
	usedRulesets := map[int64]bool{}
	p := s.Protection
	if p != nil {
		for _, c := range p.Checks {
			if c.Context == githubapi.StatusContext {
				sources = append(sources, source{"the branch protection rule", c.AppID})
				if p.Strict {
					strict = append(strict, "the branch protection rule")
				}
			}
		}
		if p.CodeOwnerReviews {
			codeOwners = append(codeOwners, "the branch protection rule")
		}
	}
	mergeQueue := ""
	notEnforced := map[int64]bool{}
	for _, r := range s.Rules {
		rs, known := s.Rulesets[r.RulesetID]
		where := fmt.Sprintf("ruleset %q", rs.Name)
		if known && rs.Enforcement != "" && rs.Enforcement != "active" {
			// An evaluate-mode or disabled ruleset only reports: its rules block nothing.
			if !notEnforced[r.RulesetID] {
				notEnforced[r.RulesetID] = true
				add("enforcement", "warning", fmt.Sprintf("%s is in %s mode: its rules block nothing, so the gate does not count on them", where, rs.Enforcement),
					fmt.Sprintf("Settings → Rules → Rulesets → %s → Enforcement status: Active", rs.Name))
			}
			continue
		}
		switch r.Type {
		case "required_status_checks":
			for _, c := range r.Checks {
				if c.Context == githubapi.StatusContext {
					sources = append(sources, source{where, c.AppID})
					usedRulesets[r.RulesetID] = true
					if r.Strict {
						strict = append(strict, where)
					}
				}
			}
		case "pull_request":
			if r.CodeOwnerReview {
				codeOwners = append(codeOwners, where)
				usedRulesets[r.RulesetID] = true
			}
		case "merge_queue":
			mergeQueue = where
			usedRulesets[r.RulesetID] = true
		}
	}

	if len(sources) == 0 {
		add("required-check", "missing", fmt.Sprintf("%s is not a required status check of %s: a pull request can merge whatever the gate says", githubapi.StatusContext, s.Branch),
			fmt.Sprintf("%s: Require status checks to pass → add %s, source GitHub Actions (or your gate's app). By API: the ruleset rule required_status_checks with {\"context\": %q, \"integration_id\": %d}, or PATCH /repos/%s/branches/%s/protection/required_status_checks with \"checks\": [{\"context\": %q, \"app_id\": %d}] (checks, not the closing-down contexts)",
				branchRule, githubapi.StatusContext, githubapi.StatusContext, githubapi.ActionsAppID, repository, s.Branch, githubapi.StatusContext, githubapi.ActionsAppID))
	} else {
		var where []string
		for _, src := range sources {
			where = append(where, src.where)
		}
		add("required-check", "ok", fmt.Sprintf("%s is required by %s", githubapi.StatusContext, strings.Join(where, " and ")), "")
		for _, src := range sources {
			switch {
			case src.appID == nil:
				add("check-source", "missing", fmt.Sprintf("%s in %s accepts a status from any source: anyone who may set commit statuses can set it to success", githubapi.StatusContext, src.where),
					fmt.Sprintf("in %s, set the source of %s to GitHub Actions (app_id / integration_id %d) or to the GitHub App the gate runs as", src.where, githubapi.StatusContext, githubapi.ActionsAppID))
			case *src.appID == githubapi.ActionsAppID:
				add("check-source", "warning", fmt.Sprintf("%s in %s comes from GitHub Actions: any workflow run of this repository that gets statuses: write can set it, including one a same-repository branch adds for its own pull request", githubapi.StatusContext, src.where),
					"run the gate with a dedicated GitHub App's installation token (e.g. actions/create-github-app-token) and require the check from that app; until then limit who may push branches")
			default:
				add("check-source", "ok", fmt.Sprintf("%s in %s must come from app %d", githubapi.StatusContext, src.where, *src.appID), "")
			}
		}
	}

	switch {
	case mergeQueue != "":
		add("up-to-date", "ok", fmt.Sprintf("a merge queue is required by %s: each merge is judged as it will land", mergeQueue), "")
	case len(strict) > 0:
		add("up-to-date", "ok", fmt.Sprintf("branches must be up to date before merging (%s)", strings.Join(strict, ", ")), "")
	default:
		add("up-to-date", "missing", "a pull request may merge while behind "+s.Branch+": the gate judged it against an older base",
			branchRule+": Require status checks to pass → Require branches to be up to date before merging (strict), or Require merge queue (the gate's workflow runs on merge_group)")
	}

	if len(codeOwners) > 0 {
		add("code-owner-review", "ok", "code owners must approve ("+strings.Join(codeOwners, ", ")+")", "")
	} else {
		add("code-owner-review", "missing", "code owners need not review: a pull request may change the gate's workflow or the policy with any approval",
			branchRule+": Require a pull request before merging → Require review from Code Owners")
	}

	policyPath := path.Join(records, ".gitsm", "policy.yaml")
	workflowPath := ".github/workflows/gitsm-approval.yml"
	switch {
	case s.CodeownersPath == "":
		add("codeowners", "missing", "there is no CODEOWNERS file on "+s.Branch,
			fmt.Sprintf("add .github/CODEOWNERS with the lines\n/.github/ @ORG/gitsm-admins\n/%s/ @ORG/gitsm-admins", path.Join(records, ".gitsm")))
	default:
		var uncovered []string
		for _, p := range []string{workflowPath, policyPath} {
			if len(codeowners(s.Codeowners, p)) == 0 {
				uncovered = append(uncovered, p)
			}
		}
		if len(uncovered) == 0 {
			add("codeowners", "ok", fmt.Sprintf("%s gives owners to %s and %s", s.CodeownersPath, workflowPath, policyPath), "")
		} else {
			add("codeowners", "missing", fmt.Sprintf("%s gives no owner to %s", s.CodeownersPath, strings.Join(uncovered, " and ")),
				fmt.Sprintf("add to %s (later lines win):\n/.github/ @ORG/gitsm-admins\n/%s/ @ORG/gitsm-admins", s.CodeownersPath, path.Join(records, ".gitsm")))
		}
	}

	if s.WorkflowPermissions == "read" {
		add("workflow-token", "ok", "workflows get a read-only GITHUB_TOKEN unless they ask for more", "")
	} else {
		add("workflow-token", "missing", fmt.Sprintf("workflows get a GITHUB_TOKEN that can write (%s) by default", s.WorkflowPermissions),
			fmt.Sprintf("Settings → Actions → General → Workflow permissions → Read repository contents and packages permissions (PUT /repos/%s/actions/permissions/workflow with {\"default_workflow_permissions\": \"read\"})", repository))
	}
	if s.CanApprovePullRequestReviews {
		add("workflow-token", "warning", "GitHub Actions may approve pull requests (gitsm never counts bots, but GitHub's own required reviews do)",
			"Settings → Actions → General → clear Allow GitHub Actions to create and approve pull requests")
	}

	bypassOK := true
	if p != nil {
		if !p.EnforceAdmins {
			bypassOK = false
			add("no-bypass", "missing", "administrators may merge without the branch protection rule's checks",
				fmt.Sprintf("Settings → Branches → the rule of %s → Do not allow bypassing the above settings (enforce_admins)", s.Branch))
		}
		if len(p.Bypass) > 0 {
			bypassOK = false
			add("no-bypass", "missing", "may merge without the required reviews: "+strings.Join(p.Bypass, ", "),
				fmt.Sprintf("Settings → Branches → the rule of %s → Require a pull request before merging → clear Allow specified actors to bypass required pull requests", s.Branch))
		}
	}
	ids := make([]int64, 0, len(usedRulesets))
	for id := range usedRulesets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		rs := s.Rulesets[id]
		if !rs.BypassKnown {
			return rep, fmt.Errorf("GitHub did not show who may bypass ruleset %q (%d): read it with a token that has the Administration: read permission", rs.Name, id)
		}
		if len(rs.BypassActors) > 0 {
			bypassOK = false
			add("no-bypass", "missing", fmt.Sprintf("ruleset %q may be bypassed by %s", rs.Name, strings.Join(rs.BypassActors, ", ")),
				fmt.Sprintf("Settings → Rules → Rulesets → %s → Bypass list: remove every entry", rs.Name))
		}
	}
	if bypassOK && (p != nil || len(usedRulesets) > 0) {
		add("no-bypass", "ok", "no one may bypass the rules, administrators included", "")
	} else if bypassOK {
		add("no-bypass", "missing", "nothing protects "+s.Branch, branchRule+": create one, with no bypass list")
	}
	return rep, nil
}

// codeowners are the owners CODEOWNERS text gives to file p: the last matching line wins, and a
// line with no owners takes the owners away.
func codeowners(text, p string) []string {
	parts := strings.Split(p, "/")
	var owners []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if gitignore.ParsePattern(fields[0], nil).Match(parts, false) == gitignore.Exclude {
			owners = fields[1:]
		}
	}
	return owners
}

func writeSetupText(w io.Writer, rep SetupReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "gitsm approval verify-setup: %s, branch %s\n", rep.Repository, rep.Branch)
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%-8s %-18s %s\n", strings.ToUpper(f.Status), f.Check, f.Message)
		if f.Status != "ok" && f.Fix != "" {
			fix := strings.ReplaceAll(f.Fix, "\n", "\n"+strings.Repeat(" ", 33))
			fmt.Fprintf(&b, "%-8s %-18s fix: %s\n", "", "", fix)
		}
	}
	if rep.OK {
		b.WriteString("the gate's GitHub side is set up\n")
	} else {
		b.WriteString("something the gate depends on is missing: fix the settings above\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

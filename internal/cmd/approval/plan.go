package approval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/policy"
)

// PlanOptions are the parsed flags of `gitsm approval plan`.
type PlanOptions struct {
	Factory *command.Factory
	Base    string
	Head    string
	// MergeGroup says Head is a merge queue's group commit, whose first parent must be Base.
	MergeGroup bool
}

// NewCmdPlan builds `gitsm approval plan`; runF replaces the run function in tests.
func NewCmdPlan(f *command.Factory, runF func(context.Context, *PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "plan --base REV [--head REV]",
		Short: "Show, offline, which approvals each changed change record needs",
		Long: `Show which approvals a branch needs before it can merge, without GitHub and without
reviews: for every change record added, modified or deleted between the merge base of --base
and --head, and --head, whether it needs approval and why, each rule of the policy that applies
and what it requires; then the paths rules that the changed files select (a change to
.gitsm/policy.yaml needs what the base policy requires for it).

The policy, its groups, the CIs and the templates are read from --base, never from --head.
--head defaults to HEAD, the current commit (uncommitted edits are not included: commit first).

The branch is judged by what merging it does to --base as it is now: when --base changed a
record since the branch point that the branch edits too, the plan refuses (exit 1) until the
branch is updated (merge --base into it, or rebase it). A merge queue's group commit, whose first
parent is --base, is judged against --base directly; --merge-group refuses a --head whose first
parent is not --base.

Exit status: 0 the plan was made (whatever it requires), 1 the branch must be updated first,
2 the plan could not be made (an unknown revision, a missing or invalid base policy: its
problems are listed with their lines).`,
		Example: `  gitsm approval plan --base origin/main
  gitsm approval plan --base main --head feature/chg-21 --format json
  gitsm approval plan --merge-group --base "$BASE_SHA" --head "$MERGE_GROUP_HEAD_SHA"
  gitsm approval plan --base origin/main --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Base == "" {
				return command.UsageErrorf("--base REV is required: the revision the branch will merge into (such as origin/main)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return RunPlan(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Base, "base", "", "the revision `REV` the branch merges into; the policy is read from it")
	cmd.Flags().StringVar(&opts.Head, "head", "HEAD", "the revision `REV` whose change records are judged")
	cmd.Flags().BoolVar(&opts.MergeGroup, "merge-group", false, "--head is a merge queue's group commit: refuse unless its first parent is --base")
	return command.OfferFormats(cmd, "text", "json", "markdown")
}

// Plan is the JSON form of an approval plan.
type Plan struct {
	Base      string `json:"base"`
	Head      string `json:"head"`
	MergeBase string `json:"merge_base"`
	// PolicyBlob is the git blob hash of the base's .gitsm/policy.yaml.
	PolicyBlob string `json:"policy_blob"`
	// NeedsApproval is true when, without any review, the gate would not pass.
	NeedsApproval bool                    `json:"needs_approval"`
	Records       []policy.RecordDecision `json:"records"`
	PathRules     []policy.RuleResult     `json:"path_rules"`
	ChangedPaths  []string                `json:"changed_paths"`
	Errors        []string                `json:"errors"`
}

// RunPlan runs `gitsm approval plan`.
func RunPlan(ctx context.Context, opts *PlanOptions) error {
	f := opts.Factory
	format, err := f.FormatOr("text", "text", "json", "markdown")
	if err != nil {
		return err
	}
	repo, err := openRepo(f)
	if err != nil {
		return err
	}
	resolveRevs := resolve
	if opts.MergeGroup {
		resolveRevs = resolveMergeGroup
	}
	revs, err := resolveRevs(repo, opts.Base, opts.Head)
	if err != nil {
		return err
	}
	g, err := gather(ctx, repo, revs, nil)
	if err != nil {
		return err
	}
	var pe *policyError
	if errors.As(g.PolicyErr, &pe) {
		return fmt.Errorf("%s is invalid:\n  %s\nfix the policy on the base branch: every branch is judged by it", pe.where, strings.Join(pe.lines(), "\n  "))
	}
	if errs := g.problems(); len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	d := decide(g, policy.Input{HeadSHA: revs.head.Hash.String()})
	plan := Plan{
		Base: revs.base.Hash.String(), Head: revs.head.Hash.String(), MergeBase: revs.mergeBase.Hash.String(),
		PolicyBlob: g.PolicyBlob, NeedsApproval: !d.Approved,
		Records: d.Records, PathRules: d.PathRules, ChangedPaths: g.Paths, Errors: d.Errors,
	}
	if plan.ChangedPaths == nil {
		plan.ChangedPaths = []string{}
	}
	lines := ruleLines(g.Policy)
	switch format {
	case "json":
		err = writeJSON(f.IO.Out, plan)
	case "markdown":
		err = writePlanMarkdown(f.IO.Out, opts, plan, lines)
	default:
		err = writePlanText(f.IO.Out, opts, plan, lines, !f.Quiet)
	}
	if err != nil {
		return err
	}
	if !f.Quiet && format == "text" {
		fmt.Fprintln(f.IO.ErrOut, planSummary(plan))
	}
	if len(g.Stale) > 0 {
		return command.ErrCheckFailed
	}
	return nil
}

func ruleLines(p *policy.Policy) map[string]int {
	out := map[string]int{}
	for _, r := range p.Rules {
		out[r.Name] = r.Line
	}
	return out
}

func planSummary(p Plan) string {
	counts := map[string]int{}
	for _, r := range p.Records {
		counts[needLabel(r)]++
	}
	s := recordCounts(p.Records) + " changed"
	if len(p.Records) > 0 {
		var parts []string
		if n := counts["needs approval"]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d need%s approval", n, verbS(n)))
		}
		if n := counts["pre-approved"]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d pre-approved", n))
		}
		if n := counts["no approval needed"]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d need%s none", n, verbS(n)))
		}
		s += ": " + strings.Join(parts, ", ")
	}
	if n := len(p.PathRules); n > 0 {
		s += fmt.Sprintf("; %d paths rule%s appl%s", n, plural(n), map[bool]string{true: "ies", false: "y"}[n == 1])
	}
	if len(p.Errors) > 0 {
		s += fmt.Sprintf("; %d problem%s no approval can fix", len(p.Errors), plural(len(p.Errors)))
	}
	return s
}

// recordCounts says how many records of each kind changed: "2 change records, 1 CI".
func recordCounts(rs []policy.RecordDecision) string {
	names := []struct{ kind, name string }{
		{policy.KindChange, "change record"}, {policy.KindCI, "CI"}, {policy.KindSLA, "SLA"}, {policy.KindCalendar, "calendar"},
	}
	counts := map[string]int{}
	for _, r := range rs {
		counts[r.Kind]++
	}
	var parts []string
	for _, n := range names {
		if c := counts[n.kind]; c > 0 || (n.kind == policy.KindChange && len(rs) == 0) {
			parts = append(parts, fmt.Sprintf("%d %s%s", c, n.name, plural(c)))
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

func writePlanText(w io.Writer, opts *PlanOptions, p Plan, lines map[string]int, header bool) error {
	var b strings.Builder
	if header {
		fmt.Fprintf(&b, "approval plan for %s (%s) into %s (%s), by the policy of %s\n",
			oneLine(opts.Head), p.Head[:12], oneLine(opts.Base), p.Base[:12], oneLine(opts.Base))
	}
	if len(p.Records) == 0 && len(p.PathRules) == 0 && len(p.Errors) == 0 {
		b.WriteString("no change record changes and no paths rule selects a changed file: nothing needs approval\n")
	}
	for _, r := range p.Records {
		fmt.Fprintf(&b, "%s %s: %s: %s\n", oneLine(r.ID), oneLine(r.Path), needLabel(r), oneLine(r.Why))
		for _, rr := range r.Rules {
			writeRulePlan(&b, rr, lines)
		}
		for _, pr := range r.Problems {
			fmt.Fprintf(&b, "  problem: %s\n", oneLine(pr))
		}
	}
	if len(p.PathRules) > 0 {
		b.WriteString("changed files:\n")
		for _, rr := range p.PathRules {
			writeRulePlan(&b, rr, lines)
			fmt.Fprintf(&b, "    files: %s\n", oneLine(strings.Join(rr.Paths, ", ")))
		}
	}
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "problem: %s\n", oneLine(e))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// needLabel says whether a record needs approval; a change that would need it but is a standard
// change from a declared template no rule selects is pre-approved.
func needLabel(r policy.RecordDecision) string {
	switch {
	case !r.NeedsApproval:
		return "no approval needed"
	case r.Approved && len(r.Rules) == 0 && len(r.Problems) == 0:
		return "pre-approved"
	}
	return "needs approval"
}

func writeRulePlan(b *strings.Builder, rr policy.RuleResult, lines map[string]int) {
	fmt.Fprintf(b, "  rule %q (%s)\n", oneLine(rr.Name), ruleWhere(lines, rr.Name))
	fmt.Fprintf(b, "    requires %s\n", oneLine(rr.Requires))
	if !rr.Satisfied && rr.Reason != "missing "+rr.Missing {
		fmt.Fprintf(b, "    problem: %s\n", oneLine(rr.Reason))
	}
}

func writePlanMarkdown(w io.Writer, opts *PlanOptions, p Plan, lines map[string]int) error {
	md := policy.EscapeMarkdown
	var b strings.Builder
	fmt.Fprintf(&b, "### gitsm approval plan\n\n%s (%s) into %s (%s), by the policy of %s.\n",
		md(opts.Head), p.Head[:12], md(opts.Base), p.Base[:12], md(opts.Base))
	if len(p.Records) == 0 && len(p.PathRules) == 0 && len(p.Errors) == 0 {
		b.WriteString("\nNo change record changes and no paths rule selects a changed file: nothing needs approval.\n")
	}
	for _, r := range p.Records {
		label := needLabel(r)
		fmt.Fprintf(&b, "\n#### %s (%s)\n\n%s: %s.\n", md(r.ID), md(r.Path), strings.ToUpper(label[:1])+label[1:], md(r.Why))
		if len(r.Rules) > 0 {
			b.WriteString("\n| Rule | Where | Requires |\n|---|---|---|\n")
			for _, rr := range r.Rules {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", md(rr.Name), md(ruleWhere(lines, rr.Name)), md(planRequires(rr)))
			}
		}
		for _, pr := range r.Problems {
			fmt.Fprintf(&b, "\n- ❌ %s", md(pr))
		}
		if len(r.Problems) > 0 {
			b.WriteString("\n")
		}
	}
	if len(p.PathRules) > 0 {
		b.WriteString("\n#### Changed files\n\n| Rule | Line | Files | Requires |\n|---|---|---|---|\n")
		for _, rr := range p.PathRules {
			files := make([]string, len(rr.Paths))
			for i, f := range rr.Paths {
				files[i] = md(f)
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", md(rr.Name), lines[rr.Name], strings.Join(files, "<br>"), md(planRequires(rr)))
		}
	}
	if len(p.Errors) > 0 {
		b.WriteString("\n#### Problems no approval can fix\n\n")
		for _, e := range p.Errors {
			fmt.Fprintf(&b, "- %s\n", md(e))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ruleWhere places a rule: its policy line, or "built in" for what the policy cannot leave out
// (the owners of a CI approve its routing edits).
func ruleWhere(lines map[string]int, name string) string {
	if n, ok := lines[name]; ok {
		return fmt.Sprintf("policy line %d", n)
	}
	return "built in"
}

func planRequires(rr policy.RuleResult) string {
	if !rr.Satisfied && rr.Reason != "missing "+rr.Missing {
		return rr.Requires + " — " + rr.Reason
	}
	return rr.Requires
}

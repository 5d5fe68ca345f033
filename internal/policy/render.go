package policy

import (
	"fmt"
	"strings"
)

// Markdown renders the decision for the pull-request comment: per change record a table of the
// rules, who approved and what is missing; then the paths rules, blockers and fail-closed causes.
// Every value that comes from the records or the reviews is escaped, so a record cannot forge
// the comment's content. The hidden marker is not included; the caller adds it.
func (d Decision) Markdown() string {
	var b strings.Builder
	if d.Approved {
		b.WriteString("### ✅ gitsm approval: approved\n\n")
	} else {
		b.WriteString("### ❌ gitsm approval: not approved\n\n")
	}
	fmt.Fprintf(&b, "Head commit %s.\n", md(short(d.HeadSHA)))
	if len(d.Records) == 0 && len(d.PathRules) == 0 {
		b.WriteString("\nThis pull request changes no change record and no file a paths rule selects.\n")
	}
	for _, r := range d.Records {
		status := "✅"
		if !r.Approved {
			status = "❌"
		}
		fmt.Fprintf(&b, "\n#### %s %s (%s)\n\n", status, md(r.ID), md(r.Path))
		if r.NeedsApproval {
			fmt.Fprintf(&b, "Needs approval: %s.\n", md(r.Why))
		} else {
			fmt.Fprintf(&b, "No approval needed: %s.\n", md(r.Why))
		}
		if len(r.Rules) > 0 {
			b.WriteString("\n| Rule | Status | Approved by | Missing |\n|---|---|---|---|\n")
			for _, rr := range r.Rules {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", md(rr.Name), mdStatus(rr), mdApprovers(rr.Approvers), md(missingCell(rr)))
			}
		}
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "\n- ❌ %s", md(p))
		}
		if len(r.Problems) > 0 {
			b.WriteString("\n")
		}
	}
	if len(d.PathRules) > 0 {
		b.WriteString("\n#### Changed files\n\n| Rule | Files | Status | Approved by | Missing |\n|---|---|---|---|---|\n")
		for _, rr := range d.PathRules {
			files := make([]string, len(rr.Paths))
			for i, p := range rr.Paths {
				files[i] = md(p)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", md(rr.Name), strings.Join(files, "<br>"), mdStatus(rr), mdApprovers(rr.Approvers), md(missingCell(rr)))
		}
	}
	if len(d.Blockers) > 0 {
		b.WriteString("\n#### Changes requested\n\n")
		for _, bl := range d.Blockers {
			fmt.Fprintf(&b, "- %s requested changes (review %d; %s)\n", md(bl.Login), bl.ReviewID, md(strings.Join(bl.Groups, ", ")))
		}
	}
	if len(d.Errors) > 0 {
		b.WriteString("\n#### Not approved because\n\n")
		for _, e := range d.Errors {
			fmt.Fprintf(&b, "- %s\n", md(e))
		}
	}
	if len(d.Ignored) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Reviews that did not count (%d)</summary>\n\n", len(d.Ignored))
		for _, ig := range d.Ignored {
			fmt.Fprintf(&b, "- %s (%s, review %d): %s\n", md(ig.Login), md(ig.State), ig.ReviewID, md(ig.Reason))
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

// Text renders the decision for a terminal or a CI log.
func (d Decision) Text() string {
	var b strings.Builder
	verdict := "approved"
	if !d.Approved {
		verdict = "not approved"
	}
	fmt.Fprintf(&b, "approval: %s (head %s)\n", verdict, short(d.HeadSHA))
	for _, r := range d.Records {
		need := "no approval needed"
		if r.NeedsApproval {
			need = "needs approval"
		}
		mark := "ok"
		if !r.Approved {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s: [%s] %s: %s\n", oneLine(r.ID), oneLine(r.Path), mark, need, oneLine(r.Why))
		for _, rr := range r.Rules {
			writeRuleText(&b, rr)
		}
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  problem: %s\n", oneLine(p))
		}
	}
	if len(d.PathRules) > 0 {
		b.WriteString("changed files:\n")
		for _, rr := range d.PathRules {
			writeRuleText(&b, rr)
			fmt.Fprintf(&b, "         files: %s\n", oneLine(strings.Join(rr.Paths, ", ")))
		}
	}
	for _, bl := range d.Blockers {
		fmt.Fprintf(&b, "blocked: %s requested changes (review %d; %s)\n", oneLine(bl.Login), bl.ReviewID, strings.Join(bl.Groups, ", "))
	}
	for _, e := range d.Errors {
		fmt.Fprintf(&b, "error: %s\n", oneLine(e))
	}
	for _, ig := range d.Ignored {
		fmt.Fprintf(&b, "ignored: %s (%s, review %d): %s\n", oneLine(ig.Login), ig.State, ig.ReviewID, oneLine(ig.Reason))
	}
	return b.String()
}

func writeRuleText(b *strings.Builder, rr RuleResult) {
	mark := "ok"
	if !rr.Satisfied {
		mark = "FAIL"
	}
	fmt.Fprintf(b, "  [%s] %s: %s\n", mark, oneLine(rr.Name), oneLine(rr.Reason))
}

func missingCell(rr RuleResult) string {
	switch {
	case rr.Satisfied:
		return ""
	case rr.Missing != "" && rr.Reason != "missing "+rr.Missing:
		return rr.Missing + " — " + rr.Reason
	case rr.Missing != "":
		return rr.Missing
	}
	return rr.Reason
}

func mdStatus(rr RuleResult) string {
	if rr.Satisfied {
		return "✅ satisfied"
	}
	return "❌ not satisfied"
}

func mdApprovers(as []Approver) string {
	if len(as) == 0 {
		return "—"
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = fmt.Sprintf("%s (%s)", md(a.Login), md(a.Group))
	}
	return strings.Join(parts, ", ")
}

// mdEscaper backslash-escapes Markdown punctuation and neutralises HTML and table syntax, so that
// text from records and reviews renders literally inside a table cell or a list item.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "#", `\#`, "@", "&#64;", "!", `\!`,
	"\r", " ", "\n", " ",
)

func md(s string) string { return mdEscaper.Replace(s) }

// EscapeMarkdown makes text render literally in Markdown, in a table cell or a list item, as the
// decision's own rendering does with text from records and reviews.
func EscapeMarkdown(s string) string { return md(s) }

func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

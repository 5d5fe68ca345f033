package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gitsm/gitsm/internal/iostreams"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func summaryLine(r *Report) string {
	var kinds []string
	for _, k := range Kinds {
		if n := r.Summary.ByKind[k]; n > 0 {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
	}
	v := "no violations"
	if len(kinds) > 0 {
		v = fmt.Sprintf("%d %s (%s)", r.Summary.Violations, plural(r.Summary.Violations, "violation"), strings.Join(kinds, ", "))
	}
	return fmt.Sprintf("%d %s (%d touching records), %d %s, %d %s touched; %s",
		r.Summary.Commits, plural(r.Summary.Commits, "commit"), r.Summary.RecordCommits,
		r.Summary.PRs, plural(r.Summary.PRs, "pull request"), r.Summary.Records, plural(r.Summary.Records, "record"), v)
}

func window(r *Report) string {
	s := "all history"
	switch {
	case r.Since != nil && r.Until != nil:
		s = fmt.Sprintf("%s to %s", r.Since.Format("2006-01-02 15:04"), r.Until.Format("2006-01-02 15:04"))
	case r.Since != nil:
		s = "since " + r.Since.Format("2006-01-02 15:04")
	case r.Until != nil:
		s = "until " + r.Until.Format("2006-01-02 15:04")
	}
	return s
}

func short(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

func prText(n int) string {
	if n == 0 {
		return "no pull request"
	}
	return "PR #" + strconv.Itoa(n)
}

// WriteText writes the report for a terminal: the summary, each commit that touched records,
// and the violations.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "audit of %s at %s, first-parent history, %s\n", iostreams.SanitizeLine(r.Branch), short(r.Tip), window(r))
	fmt.Fprintf(&b, "%s\n", summaryLine(r))
	for _, c := range r.Commits {
		fmt.Fprintf(&b, "\n%s  %s  %s <%s>  %s\n  %s\n", c.Date.Format("2006-01-02 15:04 -0700"), short(c.Commit), iostreams.SanitizeLine(c.Author), iostreams.SanitizeLine(c.Email), prText(c.PR), iostreams.SanitizeLine(c.Subject))
		for _, rc := range c.Records {
			if rc.OldPath != "" {
				fmt.Fprintf(&b, "    %-9s %s  %s → %s\n", rc.Change, iostreams.SanitizeLine(rc.ID), iostreams.SanitizeLine(rc.OldPath), iostreams.SanitizeLine(rc.Path))
			} else {
				fmt.Fprintf(&b, "    %-9s %s  %s\n", rc.Change, iostreams.SanitizeLine(rc.ID), iostreams.SanitizeLine(rc.Path))
			}
		}
		if e := c.Evidence; e != nil {
			state := "approved"
			if !e.Approved {
				state = "NOT approved"
			}
			fmt.Fprintf(&b, "    evidence: PR #%d %s, head %s, approvers: %s\n", e.PR, state, iostreams.SanitizeLine(short(e.HeadSHA)), iostreams.SanitizeLine(orNone(e.Approvers)))
		}
		for _, v := range c.Violations {
			fmt.Fprintf(&b, "    ✗ %s: %s\n", v.Kind, iostreams.SanitizeLine(v.Message))
		}
	}
	var loose []Violation
	for _, v := range r.Violations {
		if v.Kind == Rewrite || (v.Kind == Unsigned && !listed(r, v.Commit)) {
			loose = append(loose, v)
		}
	}
	if len(loose) > 0 {
		b.WriteString("\n")
		for _, v := range loose {
			fmt.Fprintf(&b, "✗ %s %s: %s\n", v.Kind, iostreams.SanitizeLine(short(v.Commit)), iostreams.SanitizeLine(v.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func listed(r *Report, commit string) bool {
	for _, c := range r.Commits {
		if c.Commit == commit {
			return true
		}
	}
	return false
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// WriteMarkdown writes the report for a pull request comment or an audit file.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Audit of `%s` at `%s`\n\nFirst-parent history, %s.\n\n", md(r.Branch), short(r.Tip), window(r))
	fmt.Fprintf(&b, "| commits | touching records | pull requests | records | violations |\n|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %d |\n",
		r.Summary.Commits, r.Summary.RecordCommits, r.Summary.PRs, r.Summary.Records, r.Summary.Violations)
	if r.Summary.Violations > 0 {
		b.WriteString("\n| violation | count |\n|---|---:|\n")
		for _, k := range Kinds {
			if n := r.Summary.ByKind[k]; n > 0 {
				fmt.Fprintf(&b, "| `%s` | %d |\n", k, n)
			}
		}
		b.WriteString("\n### Violations\n\n| kind | commit | record | what |\n|---|---|---|---|\n")
		for _, v := range r.Violations {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", v.Kind, short(v.Commit), md(v.Record), md(v.Message))
		}
	}
	if len(r.Commits) > 0 {
		b.WriteString("\n### Commits that touched records\n\n| date | commit | author | PR | records | evidence |\n|---|---|---|---|---|---|\n")
		for _, c := range r.Commits {
			var recs []string
			for _, rc := range c.Records {
				recs = append(recs, rc.ID+" ("+rc.Change+")")
			}
			ev := "—"
			if e := c.Evidence; e != nil {
				ev = "approved by " + orNone(e.Approvers)
				if !e.Approved {
					ev = "**not approved**"
				}
			}
			pr := "—"
			if c.PR != 0 {
				pr = "#" + strconv.Itoa(c.PR)
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n", c.Date.Format("2006-01-02"), short(c.Commit), md(c.Author), pr, md(strings.Join(recs, ", ")), md(ev))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// md keeps text from records and commits (hostile input) inside its table cell.
func md(s string) string {
	s = iostreams.SanitizeLine(s)
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "\\`", "[", `\[`, "]", `\]`).Replace(s)
}

// WriteCSV writes one row per record a commit touched (and one per violation not tied to a
// record), so that a spreadsheet can filter by record, PR or violation.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"commit", "date", "author", "email", "pr", "record", "path", "change", "approved_by", "violations"})
	for _, c := range r.Commits {
		pr := ""
		if c.PR != 0 {
			pr = strconv.Itoa(c.PR)
		}
		approvers := ""
		if c.Evidence != nil && c.Evidence.Approved {
			approvers = strings.Join(c.Evidence.Approvers, " ")
		}
		kinds := func(rec string) string {
			var ks []string
			for _, v := range c.Violations {
				if v.Record == "" || v.Record == rec {
					ks = append(ks, v.Kind)
				}
			}
			return strings.Join(ks, " ")
		}
		for _, rc := range c.Records {
			cw.Write(csvSafe(c.Commit, c.Date.Format("2006-01-02T15:04:05Z07:00"), c.Author, c.Email, pr, rc.ID, rc.Path, rc.Change, approvers, kinds(rc.ID)))
		}
		if len(c.Records) == 0 {
			cw.Write(csvSafe(c.Commit, c.Date.Format("2006-01-02T15:04:05Z07:00"), c.Author, c.Email, pr, "", "", "", approvers, kinds("")))
		}
	}
	for _, v := range r.Violations {
		if !listed(r, v.Commit) {
			cw.Write(csvSafe(v.Commit, "", "", "", "", "", "", "", "", v.Kind))
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses cells a spreadsheet would run as a formula, and control characters (an
// author name is hostile input).
func csvSafe(cells ...string) []string {
	for i, c := range cells {
		c = iostreams.SanitizeLine(c)
		cells[i] = c
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Package output writes findings in each format gitsm offers: text for people, json for
// scripts, github workflow commands for annotations, SARIF 2.1.0 for code scanning and JUnit
// XML for test dashboards. One writer per format, all fed the same Report.
package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/iostreams"
)

// Report is what a check produced.
type Report struct {
	Tool     string // "gitsm validate"
	Version  string
	Records  int
	Files    []string
	Findings []finding.Finding
	Failed   bool // whether the check failed (errors, or warnings under --strict)
	Strict   bool // warnings fail the check too: JUnit reports them as failures

	// Prefix is where the findings' paths are relative to (the records root), given from the
	// root of its git work tree as a slash path: "" when the records repository is the whole
	// git repository, "ops/records" after `gitsm init ops/records`. The github and sarif
	// formats join it before every path, because GitHub resolves annotation paths from the
	// repository root.
	Prefix string
	// Source reads a file by the path a finding names, so that SARIF can count columns in
	// UTF-16 code units; nil, or an error, leaves SARIF's columns out.
	Source func(path string) ([]byte, error)
}

// Formats lists the finding formats by name.
var Formats = []string{"text", "json", "github", "sarif", "junit"}

// Options tune the text writer.
type Options struct {
	Color bool
}

// Write writes r to w in format.
func Write(w io.Writer, format string, r Report, opts Options) error {
	switch format {
	case "", "text":
		return Text(w, r, opts)
	case "json":
		return JSON(w, r)
	case "github":
		return GitHub(w, r)
	case "sarif":
		return SARIF(w, r)
	case "junit":
		return JUnit(w, r)
	}
	return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// Text writes `path:line:col: severity: message [rule]`, one finding a line. Paths and
// messages are sanitised (iostreams.SanitizeLine, iostreams.Sanitize): data in them is the
// repository's, and control characters in it must not reach a terminal.
func Text(w io.Writer, r Report, opts Options) error {
	for _, f := range r.Findings {
		loc := location(f)
		sev := string(f.Severity)
		rule := "[" + f.Rule + "]"
		if opts.Color {
			c := yellow
			if f.Severity == finding.Error {
				c = red
			}
			sev = c + sev + reset
			rule = dim + rule + reset
		}
		if _, err := fmt.Fprintf(w, "%s: %s: %s %s\n", loc, sev, iostreams.Sanitize(oneLine(f.Message)), rule); err != nil {
			return err
		}
	}
	return nil
}

// Summary is the closing line of a text run, for stderr.
func Summary(r Report) string {
	errs, warns := finding.Count(r.Findings)
	return fmt.Sprintf("%d %s checked: %d %s, %d %s", r.Records, plural(r.Records, "record", "records"),
		errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// location renders path:line:col, or the path alone for a finding about the whole file.
func location(f finding.Finding) string {
	p := iostreams.SanitizeLine(f.Path)
	if f.Line == 0 {
		return p
	}
	return fmt.Sprintf("%s:%d:%d", p, f.Line, f.Column)
}

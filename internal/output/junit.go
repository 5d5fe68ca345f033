package output

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/gitsm/gitsm/internal/finding"
)

// JUnit writes a JUnit XML report: one test case per file checked, failing with one failure
// per error finding; warnings go to the case's system-out, or are failures too under --strict
// (r.Strict), so that the report fails exactly when the exit status does. The document
// conforms to the Jenkins JUnit schema (xunit-plugin's junit-10.xsd).
func JUnit(w io.Writer, r Report) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string    `xml:"name,attr"`
		Classname string    `xml:"classname,attr"`
		Failures  []failure `xml:"failure"`
		SystemOut string    `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Errors   int        `xml:"errors,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName  xml.Name    `xml:"testsuites"`
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Suites   []testsuite `xml:"testsuite"`
	}
	byPath := map[string][]finding.Finding{}
	for _, f := range r.Findings {
		byPath[f.Path] = append(byPath[f.Path], f)
	}
	paths := append([]string(nil), r.Files...)
	seen := map[string]bool{}
	for _, p := range paths {
		seen[p] = true
	}
	for _, f := range r.Findings {
		if !seen[f.Path] {
			seen[f.Path] = true
			paths = append(paths, f.Path)
		}
	}
	suite := testsuite{Name: "gitsm validate"}
	for _, p := range paths {
		tc := testcase{Name: p, Classname: "gitsm.validate"}
		for _, f := range byPath[p] {
			text := fmt.Sprintf("%s: %s [%s]", location(f), f.Message, f.Rule)
			switch {
			case f.Severity == finding.Error:
				tc.Failures = append(tc.Failures, failure{Message: f.Message, Type: f.Rule, Text: text})
			case r.Strict:
				tc.Failures = append(tc.Failures, failure{Message: "warning: " + f.Message, Type: f.Rule, Text: "warning: " + text})
			default:
				tc.SystemOut += "warning: " + text + "\n"
			}
		}
		if len(tc.Failures) > 0 {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	doc := testsuites{Name: "gitsm", Tests: suite.Tests, Failures: suite.Failures, Suites: []testsuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

package output

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitsm/gitsm/internal/finding"
)

// The Jenkins JUnit schema, xunit-plugin's junit-10.xsd (jenkinsci/xunit-plugin
// src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd at 8c515de2804b).
const junitXSD = "testdata/jenkins-junit-10.xsd"

// xmllint finds the xmllint binary (Debian: libxml2-utils). In CI its absence is a failure,
// not a skip, so that the schema check cannot silently stop running.
func xmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint not found; install libxml2-utils (.ci/run does)")
		}
		t.Skip("xmllint not found; install libxml2-utils to check JUnit output against the Jenkins schema")
	}
	return p
}

func TestJUnitConformsToJenkinsSchema(t *testing.T) {
	bin := xmllint(t)
	tests := []struct {
		name string
		r    Report
	}{
		{"sample", sample},
		{"strict with warnings", Report{Strict: true, Failed: true, Files: []string{"cis/web.yaml"}, Findings: []finding.Finding{
			{Path: "cis/web.yaml", Line: 1, Column: 1, Severity: finding.Warning, Rule: "window", Message: "outside"},
		}}},
		{"empty", Report{}},
		{"control characters and markup in data", Report{Findings: []finding.Finding{
			{Path: "incidents/<a&b>.yaml", Line: 1, Column: 1, Severity: finding.Error, Rule: "schema",
				Message: "title \x1b]0;pwned\a\x1b[31m \"quoted\" ]]> <tag>"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JUnit(&buf, tt.r); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "junit.xml")
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "--noout", "--schema", junitXSD, file).CombinedOutput()
			if err != nil {
				t.Fatalf("xmllint refused the report: %v\n%s\n%s", err, out, buf.Bytes())
			}
		})
	}
}

func TestJUnitStrict(t *testing.T) {
	warnOnly := []finding.Finding{
		{Path: "cis/web.yaml", Line: 2, Column: 3, Severity: finding.Warning, Rule: "window", Message: "outside its maintenance window"},
		{Path: "changes/CHG-1.yaml", Line: 4, Column: 1, Severity: finding.Warning, Rule: "conflict", Message: "overlaps CHG-2"},
	}
	tests := []struct {
		name         string
		strict       bool
		wantFailures int
	}{
		{"warnings pass without --strict", false, 0},
		{"warnings fail under --strict", true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			r := Report{Files: []string{"cis/web.yaml", "changes/CHG-1.yaml", "incidents/INC-1.yaml"}, Findings: warnOnly,
				Strict: tt.strict, Failed: tt.strict}
			if err := JUnit(&buf, r); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Failures int `xml:"failures,attr"`
				Suites   []struct {
					Failures int `xml:"failures,attr"`
					Cases    []struct {
						Failures []struct {
							Type    string `xml:"type,attr"`
							Message string `xml:"message,attr"`
						} `xml:"failure"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Failures != tt.wantFailures || doc.Suites[0].Failures != tt.wantFailures {
				t.Errorf("failures: got testsuites %d, testsuite %d, want %d", doc.Failures, doc.Suites[0].Failures, tt.wantFailures)
			}
			if tt.strict {
				f := doc.Suites[0].Cases[0].Failures
				if len(f) != 1 || f[0].Type != "window" || !strings.HasPrefix(f[0].Message, "warning: ") {
					t.Errorf("first case's failures: got %+v, want one window warning", f)
				}
			}
		})
	}
}

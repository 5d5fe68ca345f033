package output

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/finding"
)

var sample = Report{
	Tool: "gitsm validate", Version: "1.2.3", Records: 2,
	Files: []string{"incidents/INC-000001.yaml", "cis/web.yaml"},
	Findings: []finding.Finding{
		{Path: "cis/web.yaml", Severity: finding.Warning, Rule: "file", Message: "whole-file warning"},
		{Path: "incidents/INC-000001.yaml", Line: 3, Column: 5, Severity: finding.Error, Rule: "schema",
			Message: "bad, value: 100%\nnext line\r::error::injected", ID: "INC-000001"},
	},
	Failed: true,
}

func TestGitHubEscaping(t *testing.T) {
	var buf bytes.Buffer
	if err := GitHub(&buf, sample); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{
		"::warning file=cis/web.yaml,title=file::whole-file warning",
		"::error file=incidents/INC-000001.yaml,line=3,col=5,title=schema::bad, value: 100%25%0Anext line\\r::error::injected",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("github output (-want +got):\n%s", diff)
	}
}

func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, Report{Records: 0}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"valid": true, "records": float64(0), "findings": []any{}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("empty report (-want +got):\n%s", diff)
	}
}

func TestJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sample); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name     string `xml:"name,attr"`
				Failures []struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.Tests != 2 || doc.Failures != 1 {
		t.Errorf("got tests=%d failures=%d, want 2 and 1", doc.Tests, doc.Failures)
	}
	cases := doc.Suites[0].Cases
	if cases[0].Name != "incidents/INC-000001.yaml" || len(cases[0].Failures) != 1 || cases[0].Failures[0].Type != "schema" {
		t.Errorf("first case: got %+v", cases[0])
	}
	if !strings.Contains(cases[1].SystemOut, "whole-file warning") {
		t.Errorf("warning not in system-out: %+v", cases[1])
	}
}

func TestTextColor(t *testing.T) {
	var plain, color bytes.Buffer
	if err := Text(&plain, sample, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&color, sample, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("plain text has colour codes: %q", plain.String())
	}
	if !strings.Contains(color.String(), red+"error"+reset) {
		t.Errorf("colour text lacks red errors: %q", color.String())
	}
	if got := strings.Count(plain.String(), "\n"); got != 2 {
		t.Errorf("a message with newlines must stay on one line: got %d lines", got)
	}
}

// TestGitHubHostilePaths follows actions/toolkit's escaping (packages/core/src/command.ts):
// properties escape %, \r, \n, : and ,; data escapes %, \r and \n. A file name is a property.
func TestGitHubHostilePaths(t *testing.T) {
	tests := []struct {
		name string
		r    Report
		want string
	}{
		{"newline, colon, comma and percent in a file name",
			Report{Findings: []finding.Finding{{Path: "cis/a\nb:c,d%e\r.yaml", Line: 1, Column: 2, Severity: finding.Error, Rule: "id.mismatch", Message: "m"}}},
			"::error file=cis/a%0Ab%3Ac%2Cd%25e%0D.yaml,line=1,col=2,title=id.mismatch::m"},
		{"a file name that tries to end the command",
			Report{Findings: []finding.Finding{{Path: "x::error file=y,line=1::z", Severity: finding.Warning, Rule: "file", Message: "m"}}},
			"::warning file=x%3A%3Aerror file=y%2Cline=1%3A%3Az,title=file::m"},
		{"paths from the git root in a nested records repository",
			Report{Prefix: "ops/records", Findings: []finding.Finding{{Path: "incidents/INC-000001.yaml", Line: 3, Column: 5, Severity: finding.Error, Rule: "schema", Message: "m"}}},
			"::error file=ops/records/incidents/INC-000001.yaml,line=3,col=5,title=schema::m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := GitHub(&buf, tt.r); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want+"\n" {
				t.Errorf("got %q, want %q", got, tt.want+"\n")
			}
		})
	}
}

func TestTextSanitises(t *testing.T) {
	r := Report{Findings: []finding.Finding{
		{Path: "incidents/INC-1\n.yaml", Line: 2, Column: 8, Severity: finding.Error, Rule: "schema",
			Message: "title \"\x1b]0;pwned\a\x1b[31mred\" is too long\nsecond line"},
		{Path: "cis/\x1b[2Jweb.yaml", Severity: finding.Warning, Rule: "file", Message: "raw C1 \x9b31m and \u009b32m"},
	}}
	want := "incidents/INC-1\\n.yaml:2:8: error: title \"\\x1b]0;pwned\\x07\\x1b[31mred\" is too long second line [schema]\n" +
		"cis/\\x1b[2Jweb.yaml: warning: raw C1 \\x9b31m and \\x9b32m [file]\n"
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Text(&buf, r, Options{Color: color}); err != nil {
			t.Fatal(err)
		}
		got := buf.String()
		if !color && got != want {
			t.Errorf("got\n%q\nwant\n%q", got, want)
		}
		for _, bad := range []string{"\x1b]", "\a", "\x1b[31mred", "\x1b[2J", "\x9b"} {
			if strings.Contains(got, bad) {
				t.Errorf("color=%v: output carries %q raw: %q", color, bad, got)
			}
		}
	}
}

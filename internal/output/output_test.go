package output

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"

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

// sarifSubset states what SARIF 2.1.0 (OASIS standard, sections 3.13 to 3.30) requires of the
// parts of a log that gitsm writes: version 2.1.0, runs with a tool driver that has a name,
// rules with an id, results with a message text, a level from the standard's enumeration,
// ruleIndex ≥ -1, and 1-based regions.
const sarifSubset = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["version", "runs"],
  "properties": {
    "version": {"const": "2.1.0"},
    "$schema": {"type": "string", "format": "uri"},
    "runs": {"type": "array", "items": {"$ref": "#/$defs/run"}}
  },
  "$defs": {
    "run": {
      "type": "object", "required": ["tool"],
      "properties": {
        "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {"$ref": "#/$defs/driver"}}},
        "results": {"type": "array", "items": {"$ref": "#/$defs/result"}}
      }
    },
    "driver": {
      "type": "object", "required": ["name"],
      "properties": {
        "name": {"type": "string"}, "version": {"type": "string"}, "informationUri": {"type": "string", "format": "uri"},
        "rules": {"type": "array", "uniqueItems": true, "items": {"type": "object", "required": ["id"],
          "properties": {"id": {"type": "string"}, "shortDescription": {"$ref": "#/$defs/message"}}}}
      }
    },
    "message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}], "properties": {"text": {"type": "string"}}},
    "result": {
      "type": "object", "required": ["message"],
      "properties": {
        "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1},
        "level": {"enum": ["none", "note", "warning", "error"]},
        "message": {"$ref": "#/$defs/message"},
        "locations": {"type": "array", "items": {"type": "object", "properties": {"physicalLocation": {
          "type": "object", "anyOf": [{"required": ["address"]}, {"required": ["artifactLocation"]}],
          "properties": {
            "artifactLocation": {"type": "object", "properties": {"uri": {"type": "string", "format": "uri-reference"}}},
            "region": {"type": "object", "properties": {"startLine": {"type": "integer", "minimum": 1}, "startColumn": {"type": "integer", "minimum": 1}}}
          }}}}}
      }
    }
  }
}`

func TestSARIF(t *testing.T) {
	var buf bytes.Buffer
	if err := SARIF(&buf, sample); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	if err := c.AddResource("sarif-subset.json", strings.NewReader(sarifSubset)); err != nil {
		t.Fatal(err)
	}
	sch := c.MustCompile("sarif-subset.json")
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("not SARIF 2.1.0: %#v", err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	rules := log.Runs[0].Tool.Driver.Rules
	if len(rules) != len(finding.Rules) {
		t.Errorf("rules: got %d, want %d", len(rules), len(finding.Rules))
	}
	for _, r := range log.Runs[0].Results {
		if rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s: ruleIndex %d names rule %s", r.RuleID, r.RuleIndex, rules[r.RuleIndex].ID)
		}
	}
	if got, want := []string{log.Runs[0].Results[0].Level, log.Runs[0].Results[1].Level}, []string{"warning", "error"}; !cmp.Equal(got, want) {
		t.Errorf("levels: got %v, want %v", got, want)
	}
}

func TestGitHubEscaping(t *testing.T) {
	var buf bytes.Buffer
	if err := GitHub(&buf, sample); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{
		"::warning file=cis/web.yaml,title=file::whole-file warning",
		"::error file=incidents/INC-000001.yaml,line=3,col=5,title=schema::bad, value: 100%25%0Anext line%0D::error::injected",
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

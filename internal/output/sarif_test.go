package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/gitsm/gitsm/internal/finding"
)

// The OASIS SARIF 2.1.0 schema (errata 01), as published in oasis-tcs/sarif-spec
// (sarif-2.1/schema/sarif-schema-2.1.0.json at a560296ca8c9); a validator nobody here wrote.
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	// jsonschema/v5 checks uri and uri-reference with Go's url.Parse, which lets a space or a
	// raw non-ASCII character through; the SARIF schema means RFC 3986, so check that.
	c.Formats["uri-reference"] = isRFC3986Reference
	c.Formats["uri"] = func(v any) bool {
		s, ok := v.(string)
		return !ok || (uriScheme.MatchString(s) && isRFC3986Reference(s))
	}
	if err := c.AddResource(sarifSchema, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(sarifSchema)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

var (
	uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	// uriChars is RFC 3986's URI-reference alphabet: unreserved, sub-delims, gen-delims and
	// percent-encoded octets.
	uriChars = regexp.MustCompile(`^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*$`)
)

// isRFC3986Reference reports whether v is an RFC 3986 URI-reference: only the URI alphabet,
// one fragment at most, and a relative reference whose first segment has no colon (which
// would read as a scheme).
func isRFC3986Reference(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	if !uriChars.MatchString(s) || strings.Count(s, "#") > 1 {
		return false
	}
	if uriScheme.MatchString(s) {
		return true
	}
	first, _, _ := strings.Cut(s, "/")
	return !strings.Contains(first, ":")
}

// sarifLog is the part of a log that the checks below read.
type sarifLog struct {
	Runs []struct {
		ColumnKind string `json:"columnKind"`
		Tool       struct {
			Driver struct {
				Rules []struct {
					ID               string `json:"id"`
					ShortDescription *struct{ Text string }
					FullDescription  *struct{ Text string }
					Help             *struct{ Text, Markdown string }
					HelpURI          string `json:"helpUri"`
				}
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct{ URI string }
					Region           *struct{ StartLine, StartColumn int }
				}
			}
			PartialFingerprints map[string]string
		}
	}
}

func writeSARIF(t *testing.T, r Report) (sarifLog, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return log, buf.Bytes()
}

// sarifCases are reports that once produced logs GitHub or the schema refused.
var sarifCases = []struct {
	name string
	r    Report
}{
	{"sample", sample},
	{"file name with a space and a percent", Report{Findings: []finding.Finding{
		{Path: "incidents/2026/INC 000001 100%.yaml", Line: 2, Column: 1, Severity: finding.Error, Rule: "id.mismatch", Message: "file name"},
	}}},
	{"non-ASCII file name and a colon", Report{Findings: []finding.Finding{
		{Path: "cis/zürich:db#1?.yaml", Line: 1, Column: 1, Severity: finding.Error, Rule: "id.mismatch", Message: "file name"},
	}}},
	{"unicode columns", Report{
		Source: func(string) ([]byte, error) { return []byte("title: \"😀😀\"\nstate: x\n"), nil },
		Findings: []finding.Finding{
			{Path: "incidents/INC-000002.yaml", Line: 1, Column: 11, Severity: finding.Error, Rule: "schema", Message: "after the emoji"},
		}}},
	{"deleted record", Report{Findings: []finding.Finding{
		{Path: "incidents/INC-000003.yaml", Severity: finding.Error, Rule: "deleted", Message: "INC-000003 was deleted", ID: "INC-000003"},
	}}},
	{"nested records repository", Report{Prefix: "ops/records", Findings: []finding.Finding{
		{Path: "incidents/INC-000004.yaml", Line: 3, Column: 5, Severity: finding.Warning, Rule: "window", Message: "outside"},
	}}},
}

func TestSARIFConformsToSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	for _, tt := range sarifCases {
		t.Run(tt.name, func(t *testing.T) {
			_, raw := writeSARIF(t, tt.r)
			var doc any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Fatalf("not SARIF 2.1.0: %#v\n%s", err, raw)
			}
		})
	}
}

// TestSARIFGitHubRules checks the rules of the SARIF Multitool's GitHub set that a schema
// cannot state: GH1001 (every result has a location with an artifact URI), GH1003 (every
// location has a region with startLine), GH1005 (URIs are relative), GH2012 (rules have
// shortDescription, fullDescription and help text), and GitHub's use of partialFingerprints.
func TestSARIFGitHubRules(t *testing.T) {
	scheme := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	for _, tt := range sarifCases {
		t.Run(tt.name, func(t *testing.T) {
			log, _ := writeSARIF(t, tt.r)
			if len(log.Runs) != 1 {
				t.Fatalf("runs: got %d, want 1", len(log.Runs))
			}
			run := log.Runs[0]
			if run.ColumnKind != "utf16CodeUnits" {
				t.Errorf("columnKind: got %q, want utf16CodeUnits", run.ColumnKind)
			}
			rules := run.Tool.Driver.Rules
			if len(rules) != len(finding.Rules) {
				t.Errorf("rules: got %d, want %d", len(rules), len(finding.Rules))
			}
			for _, r := range rules {
				if r.ShortDescription == nil || r.ShortDescription.Text == "" || r.FullDescription == nil || r.FullDescription.Text == "" {
					t.Errorf("GH2012: rule %s lacks shortDescription or fullDescription", r.ID)
				}
				if r.Help == nil || r.Help.Text == "" || r.Help.Markdown == "" {
					t.Errorf("GH2012: rule %s lacks help text and markdown", r.ID)
				}
				if !strings.HasPrefix(r.HelpURI, DocsURL+"#rule-") {
					t.Errorf("rule %s: helpUri %q does not point at the rule's heading in %s", r.ID, r.HelpURI, DocsURL)
				}
			}
			if len(run.Results) != len(tt.r.Findings) {
				t.Fatalf("results: got %d, want %d", len(run.Results), len(tt.r.Findings))
			}
			for i, res := range run.Results {
				if rules[res.RuleIndex].ID != res.RuleID {
					t.Errorf("result %d: ruleIndex %d names rule %s, not %s", i, res.RuleIndex, rules[res.RuleIndex].ID, res.RuleID)
				}
				if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil || res.Locations[0].PhysicalLocation.ArtifactLocation == nil {
					t.Errorf("GH1001: result %d has no artifact location", i)
					continue
				}
				pl := res.Locations[0].PhysicalLocation
				if scheme.MatchString(pl.ArtifactLocation.URI) || strings.HasPrefix(pl.ArtifactLocation.URI, "/") {
					t.Errorf("GH1005: result %d: URI %q is not relative", i, pl.ArtifactLocation.URI)
				}
				if pl.Region == nil || pl.Region.StartLine < 1 {
					t.Errorf("GH1003: result %d has no region with a startLine", i)
				}
				if res.PartialFingerprints[FingerprintKey] == "" {
					t.Errorf("result %d has no partialFingerprints[%q]", i, FingerprintKey)
				}
			}
		})
	}
}

func TestSARIFLocations(t *testing.T) {
	tests := []struct {
		name    string
		r       Report
		wantURI string
		wantReg struct{ StartLine, StartColumn int }
	}{
		{"space and percent encoded",
			Report{Findings: []finding.Finding{{Path: "incidents/INC 1 100%.yaml", Line: 2, Column: 1, Severity: finding.Error, Rule: "yaml"}}},
			"incidents/INC%201%20100%25.yaml", struct{ StartLine, StartColumn int }{2, 1}},
		{"non-ASCII as UTF-8 bytes, colon, hash, question mark",
			Report{Findings: []finding.Finding{{Path: "a:b/zü#?.yaml", Line: 1, Column: 1, Severity: finding.Error, Rule: "yaml"}}},
			"a%3Ab/z%C3%BC%23%3F.yaml", struct{ StartLine, StartColumn int }{1, 1}},
		{"prefix of a nested records repository",
			Report{Prefix: "ops/records", Findings: []finding.Finding{{Path: "cis/web.yaml", Line: 4, Column: 3, Severity: finding.Error, Rule: "yaml"}}},
			"ops/records/cis/web.yaml", struct{ StartLine, StartColumn int }{4, 0}},
		{"columns in UTF-16 code units past astral characters",
			Report{Source: func(p string) ([]byte, error) {
				if p != "incidents/INC-1.yaml" {
					return nil, errors.New("wrong path " + p)
				}
				return []byte("id: INC-1\r\ntitle: \"😀é😀\" x\n"), nil
			}, Findings: []finding.Finding{{Path: "incidents/INC-1.yaml", Line: 2, Column: 14, Severity: finding.Error, Rule: "schema"}}},
			// title: "😀é😀" is 12 code points before x (col 14 with the space), and 14 UTF-16 units.
			"incidents/INC-1.yaml", struct{ StartLine, StartColumn int }{2, 16}},
		{"a byte order mark is no column",
			Report{Source: func(string) ([]byte, error) { return []byte("\ufeff{t: \"😀\", k: x}\n"), nil },
				Findings: []finding.Finding{{Path: "cis/bom.yaml", Line: 1, Column: 13, Severity: finding.Error, Rule: "kind"}}},
			// {t: "😀", k: x}: x is code point 13 (the parser skips the mark), UTF-16 unit 14.
			"cis/bom.yaml", struct{ StartLine, StartColumn int }{1, 14}},
		{"unreadable file: line without column",
			Report{Source: func(string) ([]byte, error) { return nil, os.ErrNotExist },
				Findings: []finding.Finding{{Path: "cis/gone.yaml", Line: 3, Column: 7, Severity: finding.Error, Rule: "schema"}}},
			"cis/gone.yaml", struct{ StartLine, StartColumn int }{3, 0}},
		{"deleted record on line 1",
			Report{Findings: []finding.Finding{{Path: "incidents/INC-3.yaml", Severity: finding.Error, Rule: "deleted", ID: "INC-3"}}},
			"incidents/INC-3.yaml", struct{ StartLine, StartColumn int }{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, _ := writeSARIF(t, tt.r)
			pl := log.Runs[0].Results[0].Locations[0].PhysicalLocation
			if pl == nil || pl.ArtifactLocation == nil || pl.Region == nil {
				t.Fatalf("incomplete location: %+v", pl)
			}
			if got := pl.ArtifactLocation.URI; got != tt.wantURI {
				t.Errorf("uri: got %q, want %q", got, tt.wantURI)
			}
			if got := *pl.Region; got != tt.wantReg {
				t.Errorf("region: got %+v, want %+v", got, tt.wantReg)
			}
		})
	}
}

func TestSARIFFingerprints(t *testing.T) {
	base := finding.Finding{Path: "incidents/INC-1.yaml", Line: 3, Column: 5, Severity: finding.Error, Rule: "schema", Message: "m", ID: "INC-1"}
	moved := base
	moved.Line, moved.Column = 9, 1
	otherRule := base
	otherRule.Rule = "timeline"
	log, _ := writeSARIF(t, Report{Findings: []finding.Finding{base, moved, otherRule}})
	fp := func(i int) string { return log.Runs[0].Results[i].PartialFingerprints[FingerprintKey] }
	if fp(0) == "" || fp(0) != fp(1) {
		t.Errorf("a finding on another line must keep its fingerprint: got %q and %q", fp(0), fp(1))
	}
	if fp(0) == fp(2) {
		t.Errorf("findings of two rules share fingerprint %q", fp(0))
	}
}

// TestRulesDocumented keeps docs/ci-formats.md, the target of every helpUri, in step with the
// rules: each has a heading there and help text here.
func TestRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "ci-formats.md"))
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for id := range finding.Rules {
		if ruleDocs[id].Full == "" || ruleDocs[id].Fix == "" {
			missing = append(missing, id+" (help text)")
		}
		if !bytes.Contains(doc, []byte("\n### Rule `"+id+"`\n")) {
			missing = append(missing, id+" (heading in docs/ci-formats.md)")
		}
		if got, want := ruleAnchor(id), "rule-"+strings.ReplaceAll(id, ".", ""); got != want {
			t.Errorf("anchor of %s: got %q, want %q", id, got, want)
		}
	}
	if len(missing) > 0 {
		t.Errorf("undocumented rules: %v", missing)
	}
	if diff := cmp.Diff(len(finding.Rules), len(ruleDocs)); diff != "" {
		t.Errorf("ruleDocs has entries for rules that do not exist (-rules +docs):\n%s", diff)
	}
}

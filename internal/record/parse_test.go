package record_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

var defaultPrefixes = map[string]string{"incident": "INC", "problem": "PRB", "change": "CHG"}

func TestParseRules(t *testing.T) {
	type want struct {
		Record bool
		Rule   string // of every finding; "" for none
		Lines  []int  // positions of the findings
	}
	inc := func(old, new string) string { return strings.Replace(validIncident, old, new, 1) }
	tests := []struct {
		name     string
		rel      string
		folder   record.Kind
		prefixes map[string]string
		src      string
		want     want
	}{
		{name: "valid", src: validIncident, want: want{Record: true}},
		{name: "valid outside the kind folders", rel: "elsewhere/INC-000001.yaml", folder: "-", src: validIncident, want: want{Record: true}},
		{name: "NUL byte", src: inc("title:", "title:\x00"), want: want{Rule: "file", Lines: []int{4}}},
		{name: "invalid UTF-8", src: inc("state:", "st\xc3ate:"), want: want{Rule: "file", Lines: []int{5}}},
		{name: "syntax error", src: inc("impact: 1", "impact: [1"), want: want{Rule: "yaml", Lines: []int{6}}},
		{name: "empty", src: "", want: want{Rule: "yaml", Lines: []int{1}}},
		{name: "a list", src: "- a\n", want: want{Rule: "yaml", Lines: []int{1}}},
		{name: "two documents", src: validIncident + "---\na: 1\n", want: want{Rule: "yaml", Lines: []int{27}}},
		{name: "duplicate key", src: validIncident + "state: new\n", want: want{Rule: "yaml", Lines: []int{27}}},
		{name: "anchor and alias", src: inc("urgency: 2", "urgency: &u 2\nx-u: *u"), want: want{Rule: "yaml", Lines: []int{7, 8}}},
		{name: "missing apiVersion", src: inc("apiVersion: gitsm/v1\n", ""), want: want{Rule: "kind", Lines: []int{1}}},
		{name: "unknown apiVersion", src: inc("gitsm/v1", "v1"), want: want{Rule: "kind", Lines: []int{1}}},
		{name: "missing kind", src: inc("kind: Incident\n", ""), want: want{Rule: "kind", Lines: []int{1}}},
		{name: "unknown kind", src: inc("kind: Incident", "kind: Ticket"), want: want{Rule: "kind", Lines: []int{2}}},
		{name: "kind not a string", src: inc("kind: Incident", "kind: 7"), want: want{Rule: "kind", Lines: []int{2}}},
		{name: "id and file name differ", rel: "incidents/2026/INC-000002.yaml", src: validIncident, want: want{Record: true, Rule: "id.mismatch", Lines: []int{3}}},
		{name: "under another kind's folder", rel: "changes/2026/INC-000001.yaml", folder: record.Change, src: validIncident, want: want{Record: true, Rule: "id.mismatch", Lines: []int{2}}},
		{name: "prefix not configured", prefixes: map[string]string{"incident": "IN"}, src: validIncident, want: want{Record: true, Rule: "id.mismatch", Lines: []int{3}}},
		{name: "id a path", src: inc("id: INC-000001", "id: ../../etc/passwd"), want: want{Record: true, Rule: "id.mismatch", Lines: []int{3}}},
		{name: "no id", src: inc("id: INC-000001\n", ""), want: want{Record: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel, folder, prefixes := tt.rel, tt.folder, tt.prefixes
			if rel == "" {
				rel = "incidents/2026/INC-000001.yaml"
			}
			switch folder {
			case "":
				folder = record.Incident
			case "-":
				folder = ""
			}
			if prefixes == nil {
				prefixes = defaultPrefixes
			}
			p, fs := record.Parse(rel, folder, prefixes, []byte(tt.src))
			got := want{Record: p != nil}
			for _, f := range fs {
				if got.Rule != "" && got.Rule != f.Rule {
					t.Errorf("got rules %s and %s, want one", got.Rule, f.Rule)
				}
				got.Rule = f.Rule
				got.Lines = append(got.Lines, f.Line)
				if f.Path != rel || f.Severity != finding.Error || f.Column < 1 {
					t.Errorf("got finding %+v, want one of %s, an error, with a column", f, rel)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nfindings: %+v", diff, fs)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	src := strings.Replace(validIncident, "state: resolved\n", "state: resolved\nservice: checkout\ncis: [web, db]\nproblem: PRB-000002\n", 1)
	p, fs := record.Parse("incidents/2026/INC-000001.yaml", record.Incident, defaultPrefixes, []byte(src))
	if p == nil || len(fs) > 0 {
		t.Fatalf("got %v, %v, want a record without findings", p, fs)
	}
	r := p.Summary()
	if r.ID != "INC-000001" || r.Kind != record.Incident || r.Line != 3 || r.Column != 5 || r.Title != "Checkout API returns 502 for a third of requests" {
		t.Errorf("got %+v, want INC-000001, an Incident, at 3:5, with its title", r)
	}
	if got, want := r.String("state"), "resolved"; got != want {
		t.Errorf("got state %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"web", "db"}, r.Strings("cis")); diff != "" {
		t.Errorf("cis (-want +got):\n%s", diff)
	}
	var refs []string
	for _, ref := range r.Refs {
		refs = append(refs, ref.Field+"="+ref.Target)
	}
	if diff := cmp.Diff([]string{"service=checkout", "cis=web", "cis=db", "problem=PRB-000002"}, refs); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}

// TestParsePositionsInside checks that a finding never points past the end of the file: the
// YAML parser puts an empty document on the line after the last.
func TestParsePositionsInside(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
	}{
		{"document start only", "---", 1, 4},
		{"document start and a newline", "---\n", 1, 4},
		{"document start with CR LF", "---\r\n", 1, 4},
		{"unclosed flow mapping", "a: {b: 1\n", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fs := record.Parse("incidents/INC-000001.yaml", record.Incident, nil, []byte(tt.src))
			if len(fs) == 0 {
				t.Fatal("got no finding")
			}
			for _, f := range fs {
				if f.Line != tt.line || (tt.col > 0 && f.Column != tt.col) {
					t.Errorf("got a finding at %d:%d (%s), want %d:%d", f.Line, f.Column, f.Message, tt.line, tt.col)
				}
			}
		})
	}
}

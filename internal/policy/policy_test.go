package policy

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// specExample is the policy of SPEC section 7, verbatim.
const specExample = `groups:
  cab:         {members: [grace, heidi]}
  team-shop:   {members: [frank, ivan]}      # a CI's ` + "`owner`" + ` names a group
  admins:      {team: shop/platform-admins}  # or a GitHub team, checked through the API
rules:
  - name: normal changes need the CAB and the owners of the CIs they touch
    match: {types: [normal]}
    require: [{group: cab, count: 1}, {ci_owners: true}]
  - name: high risk needs two CAB members
    match: {types: [normal, emergency], risks: [high, very_high]}
    require: [{group: cab, count: 2}]
  - name: the policy and the schemas are guarded
    match: {paths: [".gitsm/**", "schemas/**"]}
    require: [{group: admins, count: 1}]
`

func TestParseSpecExample(t *testing.T) {
	got, err := Parse([]byte(specExample))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Policy{
		Groups: map[string]Group{
			"cab":       {Name: "cab", Members: []string{"grace", "heidi"}},
			"team-shop": {Name: "team-shop", Members: []string{"frank", "ivan"}},
			"admins":    {Name: "admins", Team: "shop/platform-admins"},
		},
		Rules: []Rule{
			{
				Name: "normal changes need the CAB and the owners of the CIs they touch", Line: 6,
				Match:   Match{Types: []string{"normal"}},
				Require: []Requirement{{Group: "cab", Count: 1}, {CIOwners: true}},
			},
			{
				Name: "high risk needs two CAB members", Line: 9,
				Match:   Match{Types: []string{"normal", "emergency"}, Risks: []string{"high", "very_high"}},
				Require: []Requirement{{Group: "cab", Count: 2}},
			},
			{
				Name: "the policy and the schemas are guarded", Line: 12,
				Match:   Match{Paths: []string{".gitsm/**", "schemas/**"}},
				Require: []Requirement{{Group: "admins", Count: 1}},
			},
		},
		TemplatesPreapproved: true,
		EmergencyPostReview:  true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestParseExtensions(t *testing.T) {
	src := `apiVersion: gitsm/v1
templates_preapproved: false
emergency: {post_review_required: false}
groups:
  ecab: {members: [heidi], description: emergency CAB}
  sec: {members: [mallory, oscar]}
rules:
  - name: critical production
    description: anything touching a tier-1 or tier-2 production CI
    match: {environments: [production], criticality: 2, services: [shop], cis: [checkout-api]}
    require:
      - any_of:
          - {group: sec, count: 2}
          - all_of: [{group: ecab}, {ci_owners: true}]
  - name: low criticality
    match: {criticality: [3, 4]}
    require: [{none: true}]
`
	got, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Policy{
		Groups: map[string]Group{
			"ecab": {Name: "ecab", Members: []string{"heidi"}},
			"sec":  {Name: "sec", Members: []string{"mallory", "oscar"}},
		},
		Rules: []Rule{
			{
				Name: "critical production", Line: 8,
				Match: Match{Environments: []string{"production"}, MaxCriticality: 2, Services: []string{"shop"}, CIs: []string{"checkout-api"}},
				Require: []Requirement{{AnyOf: []Requirement{
					{Group: "sec", Count: 2},
					{AllOf: []Requirement{{Group: "ecab", Count: 1}, {CIOwners: true}}},
				}}},
			},
			{
				Name: "low criticality", Line: 15,
				Match:   Match{Criticality: []int{3, 4}},
				Require: []Requirement{{None: true}},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	const groups = "groups:\n  cab: {members: [grace, heidi]}\n"
	tests := []struct {
		name     string
		src      string
		wantLine int
		wantMsg  string
	}{
		{"empty file", "", 1, "empty"},
		{"not yaml: an unclosed list is reported where the input ends", "rules: [\n", 2, "did not find expected"},
		{"two documents", "rules: []\n---\nrules: []\n", 2, "more than one YAML document"},
		{"duplicate key", "rules: []\nrules: []\n", 2, `duplicate key "rules"`},
		{"alias", groups + "rules:\n  - &r {name: a, match: {}, require: [{none: true}]}\n  - *r\n", 4, "anchor"},
		{"merge key", "x: &a {b: 1}\nrules:\n  - <<: *a\n", 1, "anchor"},
		{"unknown top-level key", "rules: []\nreviewers: [bob]\n", 2, "reviewers: unknown key"},
		{"missing rules", groups, 1, "missing properties: 'rules'"},
		{"unknown match key", groups + "rules:\n  - name: a\n    match: {owners: [normal]}\n    require: [{group: cab}]\n", 5, "rules.0.match.owners: unknown key"},
		{"unknown type", groups + "rules:\n  - name: a\n    match: {types: [minor]}\n    require: [{group: cab}]\n", 5, "rules.0.match.types.0"},
		{"group with members and team", "groups:\n  cab: {members: [grace], team: shop/cab}\nrules: []\n", 2, "either members or team"},
		{"group with neither", "groups:\n  cab: {}\nrules: []\n", 2, "either members or team"},
		{"bad login", "groups:\n  cab: {members: [\"grace hopper\"]}\nrules: []\n", 2, "groups.cab.members.0"},
		{"requirement with two kinds", groups + "rules:\n  - name: a\n    match: {}\n    require: [{group: cab, none: true}]\n", 6, "exactly one of group, ci_owners, none, any_of, all_of"},
		{"empty requirement", groups + "rules:\n  - name: a\n    match: {}\n    require: [{}]\n", 6, "exactly one of"},
		{"count without group", groups + "rules:\n  - name: a\n    match: {}\n    require: [{count: 2, none: true}]\n", 6, "group"},
		{"count zero", groups + "rules:\n  - name: a\n    match: {}\n    require: [{group: cab, count: 0}]\n", 6, "must be >= 1"},
		{"ci_owners false", groups + "rules:\n  - name: a\n    match: {}\n    require: [{ci_owners: false}]\n", 6, "ci_owners"},
		{"no requirement", groups + "rules:\n  - name: a\n    match: {}\n    require: []\n", 6, "minimum 1 items"},
		{"criticality out of range", groups + "rules:\n  - name: a\n    match: {criticality: 5}\n    require: [{group: cab}]\n", 5, "criticality is a number from 1 to 4"},
		{"paths with other keys", groups + "rules:\n  - name: a\n    match: {paths: [x/**], types: [normal]}\n    require: [{group: cab}]\n", 5, "paths cannot be combined"},
		{"undefined group", groups + "rules:\n  - name: a\n    match: {}\n    require: [{group: board}]\n", 6, `group "board" is not defined`},
		{"nested undefined group", groups + "rules:\n  - name: a\n    match: {}\n    require:\n      - any_of:\n          - {group: cab}\n          - {group: board}\n", 9, `group "board" is not defined`},
		{"count above members", groups + "rules:\n  - name: a\n    match: {}\n    require: [{group: cab, count: 3}]\n", 6, "fewer than the 3 approvals"},
		{"ci_owners in a paths rule", groups + "rules:\n  - name: a\n    match: {paths: [\".gitsm/**\"]}\n    require: [{ci_owners: true}]\n", 6, "ci_owners needs a rule that selects change records"},
		{"duplicate rule name", groups + "rules:\n  - {name: a, match: {}, require: [{group: cab}]}\n  - {name: a, match: {}, require: [{none: true}]}\n", 5, `rule name "a" is already used on line 4`},
		{"bad glob", groups + "rules:\n  - name: a\n    match: {paths: [\"x/[a\"]}\n    require: [{group: cab}]\n", 5, "syntax error in pattern"},
		{"partial double star", groups + "rules:\n  - name: a\n    match: {paths: [\"x/a**\"]}\n    require: [{group: cab}]\n", 5, "whole path segment"},
		{"absolute glob", groups + "rules:\n  - name: a\n    match: {paths: [\"/etc/**\"]}\n    require: [{group: cab}]\n", 5, "rules.0.match.paths.0"},
		{"custom tag", "rules: !foo x\n", 1, "custom tag"},
		{"byte order mark is fine, content still checked", "\xef\xbb\xbfrules: 3\n", 1, "expected array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			for _, p := range pe.Problems {
				if p.Line == tt.wantLine && strings.Contains(p.Message, tt.wantMsg) {
					return
				}
			}
			t.Errorf("got problems %+v, want one on line %d containing %q", pe.Problems, tt.wantLine, tt.wantMsg)
		})
	}
}

// The example records repository's policy must stay valid.
func TestParseExamplesPolicy(t *testing.T) {
	data, err := os.ReadFile("../../examples/.gitsm/policy.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no examples/.gitsm/policy.yaml")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(data); err != nil {
		t.Errorf("examples/.gitsm/policy.yaml: %v", err)
	}
}

// The example of docs/approval.md must stay valid.
func TestParseDocsExample(t *testing.T) {
	data, err := os.ReadFile("../../docs/approval.md")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no docs/approval.md")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/approval.md has no yaml block")
	}
	p, err := Parse([]byte(block))
	if err != nil {
		t.Fatalf("docs/approval.md example: %v", err)
	}
	if len(p.Rules) != 6 || len(p.Groups) != 6 {
		t.Errorf("got %d rules and %d groups, want 6 and 6", len(p.Rules), len(p.Groups))
	}
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse(make([]byte, MaxSize+1))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *ParseError", err)
	}
}

func TestCompiledSchema(t *testing.T) {
	if _, err := compiledSchema(); err != nil {
		t.Fatalf("schemas/policy.json does not compile: %v", err)
	}
}

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{".gitsm/**", ".gitsm/policy.yaml", true},
		{".gitsm/**", ".gitsm/sub/dir/x.yaml", true},
		{".gitsm/**", ".gitsmx/policy.yaml", false},
		{".gitsm/**", "a/.gitsm/policy.yaml", false},
		{"schemas/**", "schemas/change.json", true},
		{"schemas/*.json", "schemas/change.json", true},
		{"schemas/*.json", "schemas/sub/change.json", false},
		{"**/*.md", "README.md", true},
		{"**/*.md", "docs/a/b.md", true},
		{"cis/**/prod-*.yaml", "cis/eu/prod-db.yaml", true},
		{"cis/**/prod-*.yaml", "cis/prod-db.yaml", true},
		{".gitsm/policy.yaml", ".gitsm/policy.yaml", true},
		{".gitsm/policy.yaml", "./.gitsm/policy.yaml", true},
		{"**", "anything/at/all", true},
		{"a/**/**/b", "a/b", true},
	}
	for _, tt := range tests {
		if got := matchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

package yamldoc

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// stillAccepted are the YAML test suite's error cases that go.yaml.in/yaml/v3 parses and the
// converter lets through: invalid YAML the loader does not refuse. docs/format.md lists them;
// the first seven are mappings, which could be records.
var stillAccepted = []string{
	"9C9N",     // Wrong indented flow sequence
	"DK95/01",  // Tabs that look like indentation (in a double-quoted scalar)
	"HRE5",     // Double quoted scalar with escaped single quote
	"QB6E",     // Wrong indented multiline quoted scalar
	"S98Z",     // Block scalar with more spaces than first content line
	"SU5Z",     // Comment without whitespace after doublequoted scalar
	"X4QW",     // Comment without whitespace after block scalar indicator
	"9JBA",     // Invalid comment after end of flow sequence (a sequence: no record)
	"CVW2",     // Invalid comment after comma (a sequence)
	"G5U8",     // Plain dashes in flow sequence (a sequence)
	"MUS6/00",  // Directive variants (an empty document)
	"Y79Y/003", // Tabs in various contexts (a sequence)
	"YJV2",     // Dash in flow sequence (a sequence)
}

// TestYAMLTestSuiteErrors runs the loader on every error case of the YAML test suite and pins
// which are accepted: a change of the YAML library that refuses more (or less) shows here, and
// docs/format.md must follow.
func TestYAMLTestSuiteErrors(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/yaml-test-suite-errors.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Files) < 90 {
		t.Fatalf("got %d cases, want the suite's 94", len(ar.Files))
	}
	var accepted []string
	for _, f := range ar.Files {
		id, _, _ := strings.Cut(f.Name, " ")
		n, err := Parse(f.Data)
		if err != nil {
			continue
		}
		if _, errs := Value(n); len(errs) == 0 {
			accepted = append(accepted, id)
		}
	}
	want := map[string]bool{}
	for _, id := range stillAccepted {
		want[id] = true
	}
	got := map[string]bool{}
	for _, id := range accepted {
		got[id] = true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error cases the loader accepts (-documented +now):\n%s", diff)
	}
}

package schema

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/yamldoc"
)

func TestQuickCompilesEveryKind(t *testing.T) {
	s, err := Compile(map[string]map[string]any{"incident": {"customer_tier": map[string]any{"type": "string", "enum": []any{"gold", "silver"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for kind := range s.quick {
		got = append(got, kind)
	}
	slices.Sort(got)
	want := []string{"CI", "Calendar", "Change", "Incident", "Problem", "SLA"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds with a quick form (-want +got):\n%s", diff)
	}
}

func TestQuickUnsupportedKeyword(t *testing.T) {
	s, err := Compile(map[string]map[string]any{"incident": {"tier": map[string]any{"oneOf": []any{map[string]any{"type": "string"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if s.quick["Incident"] != nil {
		t.Errorf("got a quick form for a schema with oneOf, want none")
	}
	if s.quick["Change"] == nil {
		t.Errorf("got no quick form for Change, want one")
	}
}

// records returns the content of the example records, valid and invalid.
func records(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	root := filepath.Join("..", "..", "examples")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || strings.Contains(p, ".gitsm") {
			return err
		}
		src, err := os.ReadFile(p)
		out[p] = src
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// quickAgrees checks the one promise of the quick form on a YAML document: when it calls the
// value valid, the full validator agrees, for the schema of every kind.
func quickAgrees(t *testing.T, s *Set, name string, src []byte) (quickValid, fullValid int) {
	root, err := yamldoc.Parse(src)
	if err != nil {
		return 0, 0
	}
	v, errs := yamldoc.Value(root)
	if len(errs) > 0 {
		return 0, 0
	}
	for kind, sch := range s.byKind {
		full := sch.Validate(v) == nil
		quick := s.quick[kind].valid(&check{}, v, 0)
		if quick && !full {
			t.Errorf("%s as %s: quick says valid, the full validator says %v", name, kind, sch.Validate(v))
		}
		if quick {
			quickValid++
		}
		if full {
			fullValid++
		}
	}
	return quickValid, fullValid
}

func TestQuickAgreesOnExamples(t *testing.T) {
	s, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	var q, f int
	for name, src := range records(t) {
		qv, fv := quickAgrees(t, s, name, src)
		q, f = q+qv, f+fv
	}
	// Every valid record should take the quick path, or it buys nothing.
	if q != f || q < 50 {
		t.Errorf("got %d quick-valid and %d valid (record, kind) pairs, want the same number, at least 50", q, f)
	}
}

// FuzzQuick holds the quick validator to its promise on any YAML: never valid where the full
// validator finds a violation.
func FuzzQuick(f *testing.F) {
	for _, src := range records(f) {
		f.Add(src)
	}
	f.Add([]byte("apiVersion: gitsm/v1\nkind: SLA\nid: x\ntitle: t\ntarget: response\napplies_to: {kind: Incident}\ncalendar: 24x7\ngoals: [{priority: P1, duration: 1h}]\nwarn_at: [50.0, 50]\n"))
	f.Add([]byte("apiVersion: gitsm/v1\nkind: CI\nid: x\ntitle: t\nclass: api\nowner: o\nenvironment: qa\nlifecycle: planned\ncriticality: 2.0\n"))
	s, err := Compile(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		quickAgrees(t, s, "input", src)
	})
}

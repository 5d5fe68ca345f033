package authoring

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manyKeysRecord writes an incident with n unknown top-level fields, the record `gitsm set`
// once took 23 s to refuse at 64,000 keys, and returns the repository's root.
func manyKeysRecord(tb testing.TB, n int) string {
	root := tb.TempDir()
	var b strings.Builder
	b.WriteString("apiVersion: gitsm/v1\nkind: Incident\nid: INC-000001\ntitle: many keys\nstate: new\n" +
		"impact: 2\nurgency: 2\nopened_at: 2026-03-02T10:14:00Z\n" +
		"timeline:\n  - at: 2026-03-02T10:14:00Z\n    state: new\n    by: someone\n")
	for i := range n {
		fmt.Fprintf(&b, "u%d: v\n", i)
	}
	p := filepath.Join(root, "incidents", "INC-000001.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return root
}

// setOnce is `gitsm set INC-000001 x-a=1` up to the write, which the unknown fields refuse.
func setOnce(tb testing.TB, root string, n int) {
	ed, err := Open(root, "INC-000001")
	if err != nil {
		tb.Fatal(err)
	}
	defer ed.Close()
	if err := ed.Apply(Assignment{Path: []string{"x-a"}, Raw: "1"}); err != nil {
		tb.Fatal(err)
	}
	if _, _, errs := ed.Result(); len(errs) < n {
		tb.Fatalf("got %d findings, want one per unknown field (%d)", len(errs), n)
	}
}

// BenchmarkSetManyKeys edits a record of 100,000 unknown fields: reading, editing and checking
// it is linear in its keys.
func BenchmarkSetManyKeys(b *testing.B) {
	root := manyKeysRecord(b, 100_000)
	for b.Loop() {
		setOnce(b, root, 100_000)
	}
}

package index

import (
	gobuild "go/build"
	"strings"
	"testing"
)

// TestGateNeverReadsCache checks that the approval gate cannot read the index cache: no
// package the approval command is built from imports this package. A cache, however well
// keyed, has no place in the decision that lets a change through.
func TestGateNeverReadsCache(t *testing.T) {
	const self = "github.com/gitsm/gitsm/internal/index"
	seen := map[string]bool{}
	var visit func(path, from string)
	visit = func(path, from string) {
		if seen[path] || !strings.HasPrefix(path, "github.com/gitsm/gitsm/") {
			return
		}
		seen[path] = true
		if path == self {
			t.Errorf("%s imports %s: the approval gate must never read the index cache", from, self)
			return
		}
		p, err := gobuild.Import(path, ".", 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, imp := range p.Imports {
			visit(imp, path)
		}
	}
	visit("github.com/gitsm/gitsm/internal/cmd/approval", "")
	if len(seen) < 3 {
		t.Fatalf("walked %d packages, want the approval command's imports", len(seen))
	}
}

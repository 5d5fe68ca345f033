package yamldoc

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse reads an example incident into its node tree and value.
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "incidents", "2026", "INC-000001.yaml"))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		root, err := Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		if _, errs := Value(root); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

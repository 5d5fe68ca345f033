package schema

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitsm/gitsm/internal/yamldoc"
)

// BenchmarkValidate compares the quick check with the full validator on an example incident.
func BenchmarkValidate(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "incidents", "2026", "INC-000001.yaml"))
	if err != nil {
		b.Skip(err)
	}
	root, err := yamldoc.Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	v, errs := yamldoc.Value(root)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	s, err := Compile(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("quick", func(b *testing.B) {
		for b.Loop() {
			if !s.quick["Incident"].valid(&check{}, v, 0) {
				b.Fatal("the example is not valid")
			}
		}
	})
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			if err := s.byKind["Incident"].Validate(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

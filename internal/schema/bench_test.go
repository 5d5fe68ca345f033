package schema

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitsm/gitsm/internal/yamldoc"
)

// BenchmarkValidate validates example records of the kinds with the most rules.
func BenchmarkValidate(b *testing.B) {
	s, err := Compile(nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ kind, file string }{
		{"Incident", "incidents/2026/INC-000001.yaml"},
		{"Change", "changes/2026/CHG-000001.yaml"},
	} {
		src, err := os.ReadFile(filepath.Join("..", "..", "examples", filepath.FromSlash(tc.file)))
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
		b.Run(tc.kind, func(b *testing.B) {
			for b.Loop() {
				if vs := s.Validate(tc.kind, v); len(vs) > 0 {
					b.Fatalf("the example is not valid: %v", vs)
				}
			}
		})
	}
}

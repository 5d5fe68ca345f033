package yamldoc

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse compares the fast parser with yaml.v3 on an example incident.
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "incidents", "2026", "INC-000001.yaml"))
	if err != nil {
		b.Skip(err)
	}
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if fastParse(src) == nil {
				b.Fatal("fastParse left the example to yaml.v3")
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := parseYAML(src); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package check_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/gitrepo"
)

// TestSummarizeEqualsAnalyze checks that the summary validate --base reads from a file it does
// not check is the summary a full check gives: the rules across records see the same records
// either way.
func TestSummarizeEqualsAnalyze(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	e, err := check.New(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		full, _ := e.Analyze(rel, src)
		got := e.Summarize(rel, src, gitrepo.BlobHash(src).String())
		if diff := cmp.Diff(full.Record, got.Record); diff != "" {
			t.Errorf("%s: summary differs from a full check's (-full +summary):\n%s", rel, diff)
		}
		if full.Hash != got.Hash {
			t.Errorf("%s: hash %s, want %s", rel, got.Hash, full.Hash)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("checked %d files, want the examples", n)
	}
}

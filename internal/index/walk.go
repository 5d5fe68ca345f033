package index

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// listing is what a walk of the kind folders found: the record files with their stamps, in
// sorted order, and findings about entries that cannot be records, in walk order.
type listing struct {
	files    []walked
	findings []finding.Finding
}

// walked is one record file found by the walk.
type walked struct {
	path  string
	stamp stamp
	ok    bool // false when the lstat failed or it is no longer a regular file
}

// walk lists the record files with record.Walk — the one definition of what the kind folders
// hold, so that the index always sees what a cold scan sees — and lstat()s them in parallel,
// relative to an open directory, so that the kernel does not resolve every full path.
// Only the paths that in accepts are kept.
func walk(ctx context.Context, root string, in func(string) bool) (*listing, error) {
	paths, findings, err := record.Walk(root)
	if err != nil {
		return nil, err
	}
	paths = slices.DeleteFunc(paths, func(p string) bool { return !in(p) })
	findings = slices.DeleteFunc(findings, func(f finding.Finding) bool { return !in(f.Path) })
	l := &listing{files: make([]walked, len(paths)), findings: findings}
	const chunk = 1024
	sem := make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for lo := 0; lo < len(paths); lo += chunk {
		hi := min(len(paths), lo+chunk)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var r *os.Root
			dir := "\x00"
			defer func() {
				if r != nil {
					r.Close()
				}
			}()
			for i := lo; i < hi; i++ {
				p := paths[i]
				out := &l.files[i]
				out.path = p
				if d := path.Dir(p); d != dir {
					if r != nil {
						r.Close()
					}
					r, _ = os.OpenRoot(filepath.Join(root, filepath.FromSlash(d)))
					dir = d
				}
				if r == nil {
					continue
				}
				info, err := r.Lstat(path.Base(p))
				if err != nil || !info.Mode().IsRegular() {
					continue
				}
				out.stamp, out.ok = stampOf(info), true
			}
		}()
	}
	wg.Wait()
	return l, ctx.Err()
}

package index

import (
	"context"
	"runtime"
	"slices"
	"strings"
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

// walk lists the record files with record.WalkEach — the one definition of what the kind
// folders hold, so that the index always sees what a cold scan sees — and lstat()s them in
// parallel while the walk goes on: a folder's files go to the workers as a batch, each lstat
// relative to the open folder, so that the kernel does not resolve every full path. Only the
// paths that in accepts are kept.
func walk(ctx context.Context, root string, in func(string) bool) (*listing, error) {
	const batchMax = 1024
	type batch struct {
		paths []string
		out   []walked
	}
	work := make(chan *batch, 256)
	var wg sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				b.out = lstatAll(root, b.paths)
			}
		}()
	}
	var batches []*batch
	cur, curDir := &batch{}, ""
	flush := func() {
		if len(cur.paths) > 0 {
			batches = append(batches, cur)
			work <- cur
			cur = &batch{}
		}
	}
	findings, err := record.WalkEach(root, func(rel string) {
		if !in(rel) {
			return
		}
		// The folder part of rel, without path.Dir's allocation (rel is clean and has one).
		if d := rel[:max(0, strings.LastIndexByte(rel, '/'))]; d != curDir || len(cur.paths) == batchMax {
			flush()
			curDir = d
		}
		cur.paths = append(cur.paths, rel)
	})
	flush()
	close(work)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	n := 0
	for _, b := range batches {
		n += len(b.out)
	}
	l := &listing{files: make([]walked, 0, n), findings: slices.DeleteFunc(findings, func(f finding.Finding) bool { return !in(f.Path) })}
	for _, b := range batches {
		l.files = append(l.files, b.out...)
	}
	if !slices.IsSortedFunc(l.files, byPath) {
		slices.SortFunc(l.files, byPath)
	}
	return l, ctx.Err()
}

func byPath(a, b walked) int { return strings.Compare(a.path, b.path) }

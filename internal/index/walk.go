package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// listing is what a walk of the kind folders found: the record files with their stamps, in
// sorted order, and findings about entries that cannot be records, in walk order.
//
// It is record.Walk (which must stay the reference: the index's output equals a cold scan's)
// plus an lstat of every record file, done in parallel and relative to an open directory, so
// that the kernel does not resolve the full path 100,000 times.
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

type dirNode struct {
	rel   string // slash path relative to the root
	full  string // as filepath.WalkDir would build it
	items []item // in lexical order, as filepath.WalkDir visits them
}

// item is one entry of a directory that matters: a finding, a record file or a subfolder.
type item struct {
	finding *finding.Finding
	file    string
	sub     *dirNode
}

type walker struct {
	sem chan struct{}
	wg  sync.WaitGroup
}

func walkFinding(rel, format string, args ...any) *finding.Finding {
	return &finding.Finding{Path: rel, Severity: finding.Error, Rule: "file", Message: fmt.Sprintf(format, args...)}
}

func walk(ctx context.Context, root string) (*listing, error) {
	w := &walker{sem: make(chan struct{}, max(4, runtime.GOMAXPROCS(0)))}
	var tops []item
	for _, k := range record.Kinds {
		dir := filepath.Join(root, k.Folder)
		info, err := os.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			tops = append(tops, item{finding: walkFinding(k.Folder, "the %s folder is a symlink; gitsm does not follow symlinks", k.Folder)})
			continue
		}
		if !info.IsDir() {
			continue
		}
		n := &dirNode{rel: k.Folder, full: dir}
		tops = append(tops, item{sub: n})
		w.wg.Add(1)
		go w.dir(n)
	}
	w.wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	type candidate struct {
		dir  *dirNode
		name string
	}
	var cands []candidate
	l := &listing{}
	var flatten func(items []item, dir *dirNode)
	flatten = func(items []item, dir *dirNode) {
		for _, it := range items {
			switch {
			case it.finding != nil:
				l.findings = append(l.findings, *it.finding)
			case it.sub != nil:
				flatten(it.sub.items, it.sub)
			default:
				cands = append(cands, candidate{dir, it.file})
			}
		}
	}
	flatten(tops, nil)

	l.files = make([]walked, len(cands))
	const chunk = 1024
	var wg sync.WaitGroup
	for lo := 0; lo < len(cands); lo += chunk {
		hi := min(len(cands), lo+chunk)
		wg.Add(1)
		w.sem <- struct{}{}
		go func() {
			defer func() { <-w.sem; wg.Done() }()
			var r *os.Root
			var rdir *dirNode
			defer func() {
				if r != nil {
					r.Close()
				}
			}()
			for i := lo; i < hi; i++ {
				c := cands[i]
				out := &l.files[i]
				out.path = c.dir.rel + "/" + c.name
				if rdir != c.dir {
					if r != nil {
						r.Close()
					}
					r, _ = os.OpenRoot(c.dir.full)
					rdir = c.dir
				}
				if r == nil {
					continue
				}
				info, err := r.Lstat(c.name)
				if err != nil || !info.Mode().IsRegular() {
					continue
				}
				out.stamp, out.ok = stampOf(info), true
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(l.files, func(a, b walked) int { return cmp.Compare(a.path, b.path) })
	return l, ctx.Err()
}

// dir lists one directory the way record.Walk's filepath.WalkDir callback treats it.
func (w *walker) dir(n *dirNode) {
	defer w.wg.Done()
	w.sem <- struct{}{}
	entries, err := os.ReadDir(n.full)
	<-w.sem
	if err != nil {
		n.items = []item{{finding: walkFinding(n.rel, "cannot read: %v", err)}}
		return
	}
	for _, d := range entries {
		name := d.Name()
		rel := n.rel + "/" + name
		if d.IsDir() {
			if strings.HasPrefix(name, ".") {
				continue
			}
			sub := &dirNode{rel: rel, full: filepath.Join(n.full, name)}
			n.items = append(n.items, item{sub: sub})
			w.wg.Add(1)
			go w.dir(sub)
			continue
		}
		isYAML := strings.HasSuffix(name, ".yaml")
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			if isYAML || strings.HasSuffix(name, ".yml") {
				n.items = append(n.items, item{finding: walkFinding(rel, "is a symlink; records must be regular files in the repository")})
			}
		case strings.HasSuffix(name, ".yml"):
			f := walkFinding(rel, "record files use the .yaml extension; rename it to %s", strings.TrimSuffix(name, ".yml")+".yaml")
			f.Severity = finding.Warning
			n.items = append(n.items, item{finding: f})
		case isYAML && !d.Type().IsRegular():
			n.items = append(n.items, item{finding: walkFinding(rel, "is not a regular file")})
		case isYAML:
			n.items = append(n.items, item{file: name})
		}
	}
}

package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	gitidx "github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/rules"
)

// Options says what to check.
type Options struct {
	// Paths are repository-relative slash paths named on the command line; empty means all.
	Paths []string
	// Base is a revision to compare with; it enables the transition, immutable and deleted
	// rules and, unless All, limits the check to what changed since Base.
	Base string
	All  bool
}

// Result is the outcome of a check.
type Result struct {
	Records  int               // records checked
	Files    []string          // files checked, in order
	Findings []finding.Finding // sorted
}

// Source provides the per-file results of the work tree. The index implements it with a cache;
// without one, Scan reads every file.
type Source interface {
	Files(ctx context.Context, e *Engine) ([]record.File, error)
}

// SummarySource is a Source that can stop at a file's summary when its findings will not be
// reported: settled says whether a file's path and blob hash are such a file's (see
// index.Options.Settled). It can also leave a file unread when skip accepts its path and
// blob hash and it knows the hash without reading the file (see index.Options.Skip): such a
// file comes back with its path and hash only (see Unread). Both may be called from several
// goroutines.
type SummarySource interface {
	Source
	FilesSettled(ctx context.Context, e *Engine, settled, skip func(path, hash string) bool) ([]record.File, error)
}

// Unread reports whether a SummarySource left f unread: a record file with no summary and
// no finding (reading any file gives one or the other).
func Unread(f record.File) bool { return f.Record == nil && len(f.Findings) == 0 && f.Hash != "" }

// Scan is the Source that reads and analyzes every record file of the work tree.
type Scan struct{}

// Files walks the kind folders and analyzes every record file.
func (Scan) Files(ctx context.Context, e *Engine) ([]record.File, error) {
	paths, walkFindings, err := record.Walk(e.Root)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	files, err := e.LoadAll(ctx, paths)
	if err != nil {
		return nil, err
	}
	for _, f := range walkFindings {
		files = append(files, record.File{Path: f.Path, Findings: []finding.Finding{f}})
	}
	return files, nil
}

// folder reports whether the path p names a folder of the repository (not a symlink to one),
// and gives the prefix of the paths under it ("" for the root).
func (e *Engine) folder(p string) (string, bool) {
	if p == "." {
		return "", true
	}
	info, err := os.Lstat(filepath.Join(e.Root, filepath.FromSlash(p)))
	if err != nil || !info.IsDir() {
		return "", false
	}
	return strings.TrimSuffix(p, "/") + "/", true
}

// Run checks the repository.
func (e *Engine) Run(ctx context.Context, src Source, opts Options) (*Result, error) {
	if src == nil {
		src = Scan{}
	}
	// The base's tree is read while the work tree is: both take a while on 100,000 records.
	type read struct {
		tree *baseTree
		err  error
	}
	baseRead := make(chan read, 1)
	var openErr error // set before baseRead is sent
	if opts.Base != "" {
		// Resolving the revision (which loads the pack indexes) overlaps the start of the
		// walk; a revision that does not resolve stops the walk and is the error.
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			repo, commit, err := e.openBase(opts.Base)
			if err != nil {
				openErr = err
				cancel()
				baseRead <- read{nil, err}
				return
			}
			t, err := e.readBase(repo, commit, opts.Base)
			baseRead <- read{t, err}
		}()
	} else {
		baseRead <- read{}
	}
	waitBase := sync.OnceValues(func() (*baseTree, error) {
		r := <-baseRead
		return r.tree, r.err
	})
	var files []record.File
	var err error
	if ss, ok := src.(SummarySource); ok && opts.Base != "" && !opts.All && len(opts.Paths) == 0 {
		// Only what changed since the base is reported: a file that still has its base
		// content lends its summary to the rules across records, and its own findings,
		// which would not be reported, need not be computed.
		settled := func(path, hash string) bool {
			t, err := waitBase()
			if err != nil {
				return false
			}
			en, ok := t.lookup(path)
			return ok && gitrepo.HashIs(en.Hash, hash)
		}
		// Most unchanged records are not needed at all: the rules across records report only
		// on the changed ones, which need the records they name, any record with their ID, all
		// CIs, SLAs and calendars (few, and read wholesale by the rules), and, when a change
		// is among them, the other changes (loadNeeded). The rest are left unread where git's
		// index vouches for their content.
		changes := ""
		if info, ok := record.Lookup(record.Change); ok {
			changes = info.Folder
		}
		// When the changes folder differs from the base in git's index, a change is among
		// the changed records: keep the changes (from the cache where it has them) rather
		// than have loadNeeded read them all afterwards.
		changesDiffer := sync.OnceValue(func() bool {
			t, err := waitBase()
			return err != nil || t.listed[changes]
		})
		// The index asks in path order: a cursor answers each question where the last one
		// left off (the lock is for form: the calls come from one goroutine).
		var cur struct {
			sync.Mutex
			*cursor
		}
		whole := e.wholeFolders()
		skip := func(path, hash string) bool {
			if slices.ContainsFunc(whole, func(f string) bool { return strings.HasPrefix(path, f) }) ||
				(strings.HasPrefix(path, changes+"/") && changesDiffer()) {
				return false
			}
			t, err := waitBase()
			if err != nil {
				return false
			}
			cur.Lock()
			defer cur.Unlock()
			if cur.cursor == nil {
				cur.cursor = t.cursor()
			}
			en, ok := cur.lookup(path)
			return ok && gitrepo.HashIs(en.Hash, hash)
		}
		files, err = ss.FilesSettled(ctx, e, settled, skip)
	} else {
		files, err = src.Files(ctx, e)
	}
	base, baseErr := waitBase()
	if openErr != nil {
		return nil, openErr
	}
	if err != nil {
		return nil, err
	}
	if baseErr != nil {
		return nil, baseErr
	}
	var selected map[string]bool
	if len(opts.Paths) > 0 {
		byPath := make(map[string]int, len(files))
		for i, f := range files {
			byPath[f.Path] = i
		}
		selected = map[string]bool{}
		var extra []string
		for _, p := range opts.Paths {
			if dir, ok := e.folder(p); ok {
				for _, f := range files {
					if dir == "" || strings.HasPrefix(f.Path, dir) {
						selected[f.Path] = true
					}
				}
				continue
			}
			selected[p] = true
			if _, ok := byPath[p]; !ok {
				extra = append(extra, p)
			}
		}
		more, err := e.LoadAll(ctx, extra)
		if err != nil {
			return nil, err
		}
		for _, f := range more {
			byPath[f.Path] = len(files)
			files = append(files, f)
		}
	}

	var baseFindings []finding.Finding
	if base != nil {
		changed, fs, err := e.compareBase(files, base)
		if err != nil {
			return nil, err
		}
		baseFindings = fs
		if selected == nil && !opts.All {
			selected = changed
		}
	}
	if base != nil {
		if err := e.loadNeeded(ctx, files, selected); err != nil {
			return nil, err
		}
	}

	recs := make([]*record.Record, 0, len(files))
	for _, f := range files {
		if f.Record != nil {
			recs = append(recs, f.Record)
		}
	}
	res := &Result{}
	for _, f := range files {
		if selected != nil && !selected[f.Path] {
			continue
		}
		res.Files = append(res.Files, f.Path)
		if f.Record != nil {
			res.Records++
		}
		res.Findings = append(res.Findings, f.Findings...)
	}
	res.Findings = append(res.Findings, rules.Repo(recs, e.Config, selected)...)
	res.Findings = dropSuperseded(append(res.Findings, baseFindings...))
	finding.Sort(res.Findings)
	return res, nil
}

// wholeFolders are the kind folders (with a trailing slash) whose every record the rules
// across records read: CIs (the dependency graph, maintenance windows, environments), SLAs
// and calendars. The other kinds are read by ID.
func (e *Engine) wholeFolders() []string {
	var out []string
	for _, k := range []record.Kind{record.CI, record.SLA, record.Calendar} {
		if info, ok := record.Lookup(k); ok {
			out = append(out, info.Folder+"/")
		}
	}
	return out
}

// loadNeeded reads, for their summaries, the files a SummarySource left unread that the rules
// across records need for the selected records: any record whose file name is the ID of a
// selected record or of a record one names (IDs are file names: a record unchanged since the
// base carries the ID its name says, or the base has an error of its own), and every change
// when a selected record is a change (the conflict rule compares it with the changes on the
// CIs around it).
func (e *Engine) loadNeeded(ctx context.Context, files []record.File, selected map[string]bool) error {
	ids := map[string]bool{}
	changes := false
	for _, f := range files {
		r := f.Record
		if r == nil || !selected[f.Path] {
			continue
		}
		ids[r.ID] = true
		for _, ref := range r.Refs {
			ids[ref.Target] = true
		}
		changes = changes || r.Kind == record.Change
	}
	changesFolder := ""
	if info, ok := record.Lookup(record.Change); ok {
		changesFolder = info.Folder + "/"
	}
	var todo []int
	for i, f := range files {
		if Unread(f) && (ids[record.Stem(f.Path)] || (changes && strings.HasPrefix(f.Path, changesFolder))) {
			todo = append(todo, i)
		}
	}
	rels := make([]string, len(todo))
	for k, i := range todo {
		rels[k] = files[i].Path
	}
	got, err := e.summarizeAll(ctx, rels)
	for k, i := range todo {
		files[i] = got[k]
	}
	return err
}

// summarizeAll reads files for their summaries in parallel, keeping their order.
func (e *Engine) summarizeAll(ctx context.Context, rels []string) ([]record.File, error) {
	return eachFile(ctx, rels, func(rel string) record.File {
		src, ff := record.ReadFile(e.Root, rel, e.Config.MaxFileSize)
		if ff != nil {
			return record.File{Path: rel, Findings: []finding.Finding{*ff}}
		}
		return e.Summarize(rel, src, gitrepo.BlobHash(src).String())
	})
}

// baseTree is the base revision of validate --base: its record files by path. Reading the
// whole tree of 100,000 records costs more than the rest of a pull-request check, and most of
// it is what git's index holds anyway: the folders whose base tree is the index's (same object
// name) are not read; their files are looked up in the index.
type baseTree struct {
	repo *gitrepo.Repo
	rev  string
	// byPath holds the record files of the listed folders, whose base trees were read.
	byPath map[string]gitrepo.Entry
	listed map[string]bool
	// same are the folders whose base tree is the tree git's index holds, entry for entry;
	// names and entries are the index's, below the records root, sorted.
	same    map[string]bool
	names   []string
	entries []*gitidx.Entry
	size    int // record files in the base
}

// lookup gives the base's record file at path p.
func (t *baseTree) lookup(p string) (gitrepo.Entry, bool) {
	if !gitrepo.IsRecordPath(p) {
		return gitrepo.Entry{}, false
	}
	for d := path.Dir(p); ; d = path.Dir(d) {
		switch {
		case t.listed[d]:
			en, ok := t.byPath[p]
			return en, ok
		case t.same[d]:
			i, found := slices.BinarySearch(t.names, p)
			if !found {
				return gitrepo.Entry{}, false
			}
			return gitrepo.Entry{Path: p, Hash: t.entries[i].Hash, Mode: t.entries[i].Mode}, true
		case d == "." || d == "/" || d == "":
			return gitrepo.Entry{}, false
		}
	}
}

// cursor looks up paths in the base one after the other: in path order (the order of the
// index's files), each lookup takes up where the last one stopped instead of searching the
// whole index again.
type cursor struct {
	t   *baseTree
	dir string // the folder of the last path looked up, and what it is
	how int    // 0 not in the base, 1 listed, 2 same
	i   int    // where the last path was in t.names
}

func (t *baseTree) cursor() *cursor { return &cursor{t: t, how: -1} }

// lookup is baseTree.lookup.
func (c *cursor) lookup(p string) (gitrepo.Entry, bool) {
	t := c.t
	if !gitrepo.IsRecordPath(p) {
		return gitrepo.Entry{}, false
	}
	slash := strings.LastIndexByte(p, '/')
	if slash < 0 {
		return gitrepo.Entry{}, false
	}
	if dir := p[:slash]; c.how < 0 || dir != c.dir {
		c.dir, c.how = dir, 0
		for d := dir; ; d = path.Dir(d) {
			if t.listed[d] {
				if d == dir {
					c.how = 1
				}
				break
			}
			if t.same[d] {
				c.how = 2
				break
			}
			if d == "." || d == "/" || d == "" {
				break
			}
		}
	}
	switch c.how {
	case 1:
		en, ok := t.byPath[p]
		return en, ok
	case 2:
		n := t.names
		if c.i > len(n) || (c.i > 0 && n[c.i-1] >= p) {
			c.i, _ = slices.BinarySearch(n, p)
		} else if c.i < len(n) && n[c.i] < p {
			// A short step forward, or a search when the next path is far.
			if j := c.i + 8; j < len(n) && n[j] < p {
				c.i, _ = slices.BinarySearch(n, p)
			} else {
				for c.i < len(n) && n[c.i] < p {
					c.i++
				}
			}
		}
		if c.i < len(n) && n[c.i] == p {
			en := t.entries[c.i]
			c.i++
			return gitrepo.Entry{Path: p, Hash: en.Hash, Mode: en.Mode}, true
		}
		return gitrepo.Entry{}, false
	}
	return gitrepo.Entry{}, false
}

// each calls fn with every record file of the base.
func (t *baseTree) each(fn func(gitrepo.Entry) error) error {
	for _, en := range t.byPath {
		if err := fn(en); err != nil {
			return err
		}
	}
	for d := range t.same {
		lo, hi := t.span(d)
		for i := lo; i < hi; i++ {
			if gitrepo.IsRecordPath(t.names[i]) {
				if err := fn(gitrepo.Entry{Path: t.names[i], Hash: t.entries[i].Hash, Mode: t.entries[i].Mode}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// span is the range of names below folder d.
func (t *baseTree) span(d string) (lo, hi int) {
	lo, _ = slices.BinarySearch(t.names, d+"/")
	hi, _ = slices.BinarySearch(t.names, d+"0") // '0' follows '/'
	return lo, hi
}

// openBase opens the repository and resolves revision base.
func (e *Engine) openBase(base string) (*gitrepo.Repo, *object.Commit, error) {
	repo, err := gitrepo.Open(e.Root)
	if err != nil {
		if errors.Is(err, gitrepo.ErrNotGit) {
			return nil, nil, fmt.Errorf("--base needs a git repository: %w", err)
		}
		return nil, nil, err
	}
	commit, err := repo.Commit(base)
	if err != nil {
		return nil, nil, err
	}
	return repo, commit, nil
}

// readBase lists the record files of commit, which is revision base. It compares the base's
// trees with the trees of git's index top down (see gitrepo.IndexTrees), and reads only the
// folders that differ: in a pull request, the few folders the change touched. Without a
// usable index, every folder differs and the whole base is read.
func (e *Engine) readBase(repo *gitrepo.Repo, commit *object.Commit, base string) (*baseTree, error) {
	t := &baseTree{repo: repo, rev: base, byPath: map[string]gitrepo.Entry{}, listed: map[string]bool{}, same: map[string]bool{}}
	root, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", commit.Hash, err)
	}
	if repo.Prefix != "" {
		root, err = root.Tree(repo.Prefix)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", repo.Prefix, commit.Hash, err)
		}
	}
	var trees map[string]plumbing.Hash
	gitPrefix := ""
	if repo.Prefix != "" {
		gitPrefix = repo.Prefix + "/"
	}
	if p := gitrepo.IndexPath(repo.Top); p != "" {
		if idx, _, err := gitrepo.ReadIndex(p); err == nil {
			trees = gitrepo.IndexTrees(idx.Entries)
			t.names = make([]string, 0, len(idx.Entries))
			t.entries = make([]*gitidx.Entry, 0, len(idx.Entries))
			for _, en := range idx.Entries {
				if rel, ok := strings.CutPrefix(en.Name, gitPrefix); ok && en.Stage == 0 {
					t.names = append(t.names, rel)
					t.entries = append(t.entries, en)
				}
			}
			if !slices.IsSorted(t.names) {
				trees, t.names, t.entries = nil, nil, nil
			}
		}
	}
	var visit func(h plumbing.Hash, dir string) error
	visit = func(h plumbing.Hash, dir string) error {
		if ih, ok := trees[gitPrefix+dir]; ok && ih == h {
			t.same[dir] = true
			return nil
		}
		tree, err := repo.Git.TreeObject(h)
		if err != nil {
			return fmt.Errorf("read %s at %s: %w", dir, commit.Hash, err)
		}
		t.listed[dir] = true
		for _, en := range tree.Entries {
			p := dir + "/" + en.Name
			switch en.Mode {
			case filemode.Dir:
				if err := visit(en.Hash, p); err != nil {
					return err
				}
			case filemode.Submodule:
			default:
				if gitrepo.IsRecordPath(p) {
					t.byPath[p] = gitrepo.Entry{Path: p, Hash: en.Hash, Mode: en.Mode}
				}
			}
		}
		return nil
	}
	for _, k := range record.Kinds {
		en, err := root.FindEntry(k.Folder)
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", k.Folder, commit.Hash, err)
		}
		if en.Mode != filemode.Dir {
			continue
		}
		if err := visit(en.Hash, k.Folder); err != nil {
			return nil, err
		}
	}
	t.size = len(t.byPath)
	for d := range t.same {
		lo, hi := t.span(d)
		for i := lo; i < hi; i++ {
			if gitrepo.IsRecordPath(t.names[i]) {
				t.size++
			}
		}
	}
	return t, nil
}

// compareBase runs the rules that compare the work tree with the base revision. It returns
// the set of record paths that differ from the base (added or modified) and the findings.
func (e *Engine) compareBase(files []record.File, bt *baseTree) (map[string]bool, []finding.Finding, error) {
	repo, base := bt.repo, bt.rev
	changed := map[string]bool{}
	stayed := 0 // base paths that the work tree still has
	cur := bt.cursor()
	for _, f := range files {
		if !gitrepo.IsRecordPath(f.Path) {
			continue
		}
		if Unread(f) { // left unread because it has its base content
			stayed++
			continue
		}
		en, ok := cur.lookup(f.Path)
		if ok {
			stayed++
		}
		if !ok || !gitrepo.HashIs(en.Hash, f.Hash) {
			changed[f.Path] = true
		}
	}
	// Only when a base path is gone are the work tree's paths and IDs needed (to tell a
	// move from a deletion): most pull requests delete nothing, and 100,000 entries in two
	// maps are not free.
	var headByPath map[string]bool
	headIDs := map[string]string{}
	if stayed < bt.size {
		headByPath = make(map[string]bool, len(files))
		for _, f := range files {
			if !gitrepo.IsRecordPath(f.Path) {
				continue
			}
			headByPath[f.Path] = true
			if f.Record != nil && f.Record.ID != "" {
				headIDs[f.Record.ID] = f.Path
			}
		}
	}
	parseBase := func(en gitrepo.Entry) (*record.Parsed, error) {
		src, err := repo.Blob(en.Hash, e.Config.MaxFileSize)
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", en.Path, base, err)
		}
		_, p := e.Analyze(en.Path, src)
		return p, nil
	}
	var out []finding.Finding
	// Records gone from their base path: moved (their ID lives on elsewhere) or deleted.
	movedTo := map[string]*record.Parsed{}
	if headByPath != nil {
		err := bt.each(func(en gitrepo.Entry) error {
			if headByPath[en.Path] {
				return nil
			}
			p, err := parseBase(en)
			if err != nil {
				return err
			}
			if p == nil || p.ID == "" {
				return nil
			}
			if newPath, ok := headIDs[p.ID]; ok {
				movedTo[newPath] = p
				return nil
			}
			out = append(out, rules.Deleted(p.Summary()))
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	for path := range changed {
		basePrev, ok := movedTo[path]
		if !ok {
			en, inBase := bt.lookup(path)
			if !inBase {
				continue
			}
			var err error
			if basePrev, err = parseBase(en); err != nil {
				return nil, nil, err
			}
		}
		if basePrev == nil {
			continue
		}
		_, head := e.Load(path)
		if head == nil {
			continue
		}
		out = append(out, rules.Compare(basePrev, head)...)
	}
	return changed, out, nil
}

// dropSuperseded removes a timeline finding about a step that the transition rule reports at
// the same place: against a base revision, the step is news of this change, not a flaw of the
// file, and one finding says it.
func dropSuperseded(fs []finding.Finding) []finding.Finding {
	type at struct {
		path      string
		line, col int
	}
	transitions := map[at]bool{}
	for _, f := range fs {
		if f.Rule == "transition" {
			transitions[at{f.Path, f.Line, f.Column}] = true
		}
	}
	if len(transitions) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Rule == "timeline" && transitions[at{f.Path, f.Line, f.Column}] {
			continue
		}
		out = append(out, f)
	}
	return out
}

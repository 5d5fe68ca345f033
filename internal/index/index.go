// Package index is the index of a records repository: every record file with its summary (ID,
// kind, path, title, the fields listings filter on, its references) and its per-file findings,
// plus the links between records in both directions, derived from the references.
//
// The per-file results are cached in `<git dir>/gitsm/records.index`, keyed by each file's path
// and content (its blob hash) and stamped with its lstat fingerprint (size, mtime, ctime,
// inode), so that a warm run only lstat()s the record files and reads again just those whose
// fingerprint changed — git's own trick for `git status`. Files modified within two seconds
// of the run that wrote the cache ("racily clean", as git calls them) are read and hashed
// again, since a coarse timestamp cannot tell an edit made in the same tick. Fingerprints
// vouch only in the clone whose cache folder took them (see cloneID): in a fresh clone with a
// restored cache, git's own index says which files still have the content git checked out
// (see gitIndex), and the others are hashed; a cached result is used only for the content it
// was computed from. The whole cache is dropped when the cache key changes: the cache format,
// the gitsm code (see codeID), or the repository settings (`.gitsm/config.yaml`, which also
// holds the custom-field schemas). A cache that cannot be read or fails its checksum is
// ignored and rebuilt, never an error.
//
// Changes since the cache was written go to a small `records.delta` beside it, so that editing
// one record does not rewrite a cache of 100,000; once the delta holds more than a sixteenth
// of the records, the cache is written again whole. Every entry says only "the file at this
// path with this content gave this result", so any cache and delta, however old or written
// by whichever concurrent run or clone, combine correctly: an entry that no longer fits its
// file is merely not used.
package index

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/record"
)

// racyWindow is how close to the start of the run that wrote the cache a file's timestamp
// may be before its fingerprint alone no longer proves it unchanged.
var racyWindow = 2 * time.Second

// Options tune Build.
type Options struct {
	// Version is the gitsm version; a cache written by another version is dropped.
	Version string
	// Build identifies the executable. "" fingerprints the running one (size and mtime)
	// unless Version names a release; tests set it.
	Build string
	// Rebuild ignores the cache and analyzes every file again.
	Rebuild bool
	// CachePath overrides where the cache lives; "" means CachePath(root). NoCache keeps
	// the index in memory only.
	CachePath string
	NoCache   bool
	// Progress receives a progress line while many files are analyzed; nil for none.
	Progress io.Writer
	// Kinds limits the index to the records of these kinds, so that listing one kind
	// checks and decodes only its folder; empty means every kind. Such an index is partial:
	// its links and the rules across records need all kinds.
	Kinds []record.Kind
	// Settled says whether the caller will not report the per-file findings of a file with
	// this path and blob hash (validate --base: a record unchanged since the base). Such a
	// file, when it must be read, is parsed for its summary only, without its schema and
	// per-record rules; its result is cached marked unchecked, which only a caller that
	// settles the file reuses. It may be called concurrently.
	Settled func(path, hash string) bool
	// Skip says whether the caller needs nothing of a file with this path and blob hash, not
	// its findings and not its summary, unless it asks for it later (validate --base: a record
	// unchanged since the base that no changed record names). Such a file is not read when
	// git's index vouches for its content (see Stats.Vouched), cached or not: its File
	// carries its path and hash only (no record, no finding; see check.Unread). Only the
	// cache chunks that hold a file still to settle are decoded, and over an existing cache
	// only a delta is written, so the skipped files' entries stay cached. Build calls Skip
	// from one goroutine, in path order, before it reads the cache.
	Skip func(path, hash string) bool
	// SummariesOnly settles every file: the caller reads summaries and reports no per-file
	// finding (reports). A cold build then skips the schema and per-record checks.
	SummariesOnly bool
}

// Stats says how a Build went; tests and `gitsm index` read it.
type Stats struct {
	Files      int           // record files found
	Records    int           // files that are records
	Analyzed   int           // files read and analyzed (new, changed, or no cache)
	Rehashed   int           // files read to compare their hash with the cached one (racily clean, or nothing vouched for them)
	Reused     int           // files whose cached result was used without reading them
	Vouched    int           // of those, files whose content git's index vouched for
	Summarized int           // files read for their summary only (Options.Settled)
	Skipped    int           // files not read at all (Options.Skip)
	Removed    int           // cached files that are gone
	CacheHit   bool          // a valid cache was read
	Written    bool          // the cache was written
	WriteErr   error         // why the cache could not be written (the index is still good)
	CachePath  string        // "" when there is no cache
	Elapsed    time.Duration // time the build took
}

// Index is the index of one records repository.
type Index struct {
	Root string
	// Files holds the per-file results in the order check.Scan gives them: the record
	// files sorted by path, then the entries of the kind folders that cannot be records.
	Files []record.File
	Stats Stats
	// Kinds are the kinds the index is limited to (Options.Kinds).
	Kinds []record.Kind

	linksOnce sync.Once
	byID      map[string][]*record.Record
	in        map[string][]Link
}

// Build refreshes the index of the repository e checks: it walks the kind folders, reuses
// the cached result of every file whose fingerprint is unchanged, analyzes the others with e,
// and writes the cache back when anything changed.
func Build(ctx context.Context, e *check.Engine, opts Options) (*Index, error) {
	began := time.Now()
	ix := &Index{Root: e.Root, Kinds: opts.Kinds}
	scope := newScope(opts.Kinds)
	settled := opts.Settled
	if opts.SummariesOnly {
		settled = func(string, string) bool { return true }
	}
	path := opts.CachePath
	if path == "" && !opts.NoCache {
		path = CachePath(e.Root)
	}
	if opts.NoCache {
		path = ""
	}
	ix.Stats.CachePath = path
	build := opts.Build
	if build == "" {
		build = codeID(opts.Version)
	}
	key := cacheKey(opts.Version, build, e.Config.Hash)
	here := ""
	if path != "" {
		here = cloneID(filepath.Dir(path), false)
	}

	// Read the cache while the walk runs: one is I/O and decoding, the other system calls.
	// Everything the decoder allocates stays live, so collecting garbage meanwhile would
	// only mark the same growing heap again and again: hold the collector off (see gcAfter).
	gcPercent := gcOff()
	gcRestored := false
	defer func() {
		if !gcRestored {
			gcAfter(gcPercent)
		}
	}()
	readOld := func(keep func(lo, hi string) bool) loaded {
		if opts.Rebuild {
			return loaded{}
		}
		base := readCache(path, key, keep)
		var delta *snapshot
		if base != nil {
			delta = readCache(deltaPath(path), key, nil)
		}
		return loaded{base: base, delta: delta}
	}
	oldc := make(chan loaded, 1)
	if opts.Skip == nil {
		go func() { oldc <- readOld(scope.chunk) }()
	}
	// A cache from another clone (restored by CI): its fingerprints vouch for nothing here,
	// so git's index will have to. Read it meanwhile too. A caller that skips files needs
	// git's word on their content.
	var gitc chan *gitIndex
	if k, clone, ok := peekHeader(path); opts.Skip != nil || (!opts.Rebuild && ok && k == key && (here == "" || clone != here)) {
		gitc = make(chan *gitIndex, 1)
		go func() { gitc <- readGitIndex(e.Root) }()
	}
	l, err := walk(ctx, e.Root, scope.has)
	files := make([]record.File, len(l.files), len(l.files)+len(l.findings))
	var git *gitIndex
	var old loaded
	// skipped[i] says the caller's Skip left file i unread: files[i] holds its path and hash.
	skipped := make([]bool, len(l.files))
	if opts.Skip == nil {
		old = <-oldc
	} else if err == nil {
		// A file the caller may skip is not read when git's index says what it holds, cached
		// or not; only the cache chunks that hold a file still to settle are decoded.
		git = <-gitc
		var need []string
		for i, w := range l.files {
			if w.ok {
				if h, ok := git.hash(w.path, w.stamp); ok {
					if hash := h.String(); opts.Skip(w.path, hash) {
						files[i] = record.File{Path: w.path, Hash: hash}
						skipped[i] = true
						ix.Stats.Skipped++
						continue
					}
				}
			}
			need = append(need, w.path)
		}
		old = readOld(func(lo, hi string) bool {
			k, _ := slices.BinarySearch(need, lo)
			return scope.chunk(lo, hi) && k < len(need) && (hi == "" || need[k] < hi)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	ix.Stats.CacheHit = old.base != nil
	cached := merge(old.base, old.delta, here)
	if scope != nil {
		cached = slices.DeleteFunc(cached, func(c cachedEntry) bool { return !scope.has(c.File.Path) })
	}

	// Both lists are sorted by path: merge them.
	var analyze, rehash, unproven []int
	// matched[i] is the index in cached of the result reused for file i, or -1.
	matched := make([]int, len(l.files))
	// unchecked[i] says file i's result is a summary only (see Options.Settled).
	unchecked := make([]bool, len(l.files))
	// reuse says whether a cached result whose content is proven may stand for file i: an
	// unchecked one only when the caller settles the file, else it is analyzed again.
	reuse := func(i int, o *cachedEntry) bool {
		if o.Unchecked && (settled == nil || !settled(l.files[i].path, o.File.Hash)) {
			return false
		}
		unchecked[i] = o.Unchecked
		return true
	}
	j := 0
	for i, w := range l.files {
		for j < len(cached) && cached[j].File.Path < w.path {
			j++
			ix.Stats.Removed++
		}
		matched[i] = -1
		var o *cachedEntry
		if j < len(cached) && cached[j].File.Path == w.path {
			o = &cached[j]
			j++
		}
		switch {
		case skipped[i]:
		case o == nil || !w.ok:
			analyze = append(analyze, i)
		case !o.local || o.Stamp != w.stamp:
			// The fingerprint does not vouch for the content: git's index or a hash may.
			matched[i] = j - 1
			unproven = append(unproven, i)
		case o.Stamp.MTime >= o.racyAfter || o.Stamp.CTime >= o.racyAfter:
			matched[i] = j - 1
			rehash = append(rehash, i)
		case !reuse(i, o):
			analyze = append(analyze, i)
		default:
			matched[i] = j - 1
			files[i] = o.File
			ix.Stats.Reused++
		}
	}
	ix.Stats.Removed += len(cached) - j

	// A file git's index vouches for has the content git hashed: when that is the cached
	// content (same hash, and the same size, so that no checkout conversion such as an eol
	// or working-tree-encoding attribute made the work-tree file differ from the blob), its
	// result holds without reading the file.
	vouched := make([]bool, len(l.files))
	switch {
	case git != nil, len(unproven) == 0:
	case gitc != nil:
		git = <-gitc
	default:
		git = readGitIndex(e.Root)
	}
	for _, i := range unproven {
		w, o := &l.files[i], &cached[matched[i]]
		h, ok := git.hash(w.path, w.stamp)
		switch {
		case ok && gitrepo.HashIs(h, o.File.Hash) && o.Stamp.Size == w.stamp.Size && !reuse(i, o):
			matched[i] = -1 // the content is the cached one, but its result is a summary only
			analyze = append(analyze, i)
		case ok && gitrepo.HashIs(h, o.File.Hash) && o.Stamp.Size == w.stamp.Size:
			files[i] = o.File
			vouched[i] = true
			ix.Stats.Reused++
			ix.Stats.Vouched++
		case ok:
			matched[i] = -1 // git says the content is not the cached one
			analyze = append(analyze, i)
		default:
			rehash = append(rehash, i)
		}
	}

	// A file nothing vouches for is unchanged if its content still hashes the same.
	contents := make([][]byte, len(l.files))
	for _, i := range rehash {
		rel := l.files[i].path
		src, ff := record.ReadFile(e.Root, rel, e.Config.MaxFileSize)
		ix.Stats.Rehashed++
		if o := &cached[matched[i]]; ff == nil && gitrepo.BlobHash(src).String() == o.File.Hash && reuse(i, o) {
			files[i] = o.File
			ix.Stats.Reused++
			// Store it again with this run's fingerprint and start, so that it stops being
			// hashed on every run.
			matched[i] = -1
			continue
		}
		contents[i] = src
		matched[i] = -1
		analyze = append(analyze, i)
	}

	if len(analyze) > gcAnalyzeMax {
		// Analyzing makes garbage: collect as usual meanwhile.
		gcOn(gcPercent)
		gcRestored = true
	}
	if err := analyzeAll(ctx, e, l.files, analyze, contents, files, settled, unchecked, opts.Progress); err != nil {
		return nil, err
	}
	ix.Stats.Analyzed = len(analyze)

	for _, f := range l.findings {
		files = append(files, record.File{Path: f.Path, Findings: []finding.Finding{f}})
	}
	ix.Files = files
	ix.Stats.Files = len(l.files)
	for _, f := range files {
		if f.Record != nil {
			ix.Stats.Records++
		}
	}

	for _, i := range analyze {
		if unchecked[i] {
			ix.Stats.Summarized++
		}
	}
	if path != "" && (old.base == nil || len(analyze) > 0 || ix.Stats.Removed > 0 || ix.Stats.Rehashed > 0) {
		w := &writer{path: path, key: key, scanStart: began.UnixNano(), old: old, scope: scope,
			ws: l.files, files: files, matched: matched, cached: cached, vouched: vouched, unchecked: unchecked, skipped: skipped}
		ix.Stats.Written, ix.Stats.WriteErr = w.store(ix.Stats.Removed)
	}
	ix.Stats.Elapsed = time.Since(began)
	return ix, nil
}

// loaded is the cache as read: the base and the delta written since.
type loaded struct{ base, delta *snapshot }

// cachedEntry is a cached result that a walked file may reuse: from the base cache, or from
// the delta written since, which overrides it.
type cachedEntry struct {
	*entry
	base      int   // index in the base's entries, or -1 when it comes from the delta
	racyAfter int64 // stamps from this instant on are racily clean
	local     bool  // written in this clone's cache folder: its stamp may vouch for the file
}

// merge lists the entries of the base cache and its delta by path; the delta's win.
// here is the cloneID of the cache folder now ("" for none).
func merge(base, delta *snapshot, here string) []cachedEntry {
	if base == nil {
		return nil
	}
	var ds []entry
	var deltaRacy int64
	if delta != nil {
		ds = delta.Entries
		deltaRacy = delta.ScanStart - int64(racyWindow)
	}
	baseRacy := base.ScanStart - int64(racyWindow)
	baseLocal := here != "" && base.Clone == here
	deltaLocal := here != "" && delta != nil && delta.Clone == here
	out := make([]cachedEntry, 0, len(base.Entries)+len(ds))
	i, j := 0, 0
	for i < len(base.Entries) || j < len(ds) {
		switch {
		case j == len(ds) || (i < len(base.Entries) && base.Entries[i].File.Path < ds[j].File.Path):
			out = append(out, cachedEntry{&base.Entries[i], i, baseRacy, baseLocal})
			i++
		default:
			if i < len(base.Entries) && base.Entries[i].File.Path == ds[j].File.Path {
				i++
			}
			out = append(out, cachedEntry{&ds[j], -1, deltaRacy, deltaLocal})
			j++
		}
	}
	return out
}

// deltaMin is the most entries a delta may hold, whatever the size of the base; beyond
// deltaMin and a sixteenth of the base, the base is written again with everything.
var deltaMin = 512

// writer is what store needs to write the index after a run.
type writer struct {
	path, key string
	scanStart int64
	old       loaded
	scope     *scope
	ws        []walked
	files     []record.File
	matched   []int // as in Build
	cached    []cachedEntry
	vouched   []bool // results reused on git's word: their cached stamps are stale
	unchecked []bool // summaries only, without the per-file checks
	skipped   []bool // not read (Options.Skip): nothing to cache
}

// store writes the index after a run that changed something. Entries that are not in the
// base cache as they are (new, changed, or in the delta already) go to a small delta file
// next to it, so that a one-file change writes one entry, not the whole cache; when the
// delta grows too big, files were removed, or there is no base yet, the base is written
// again (copying its unchanged chunks) and the delta removed. An index limited to some kinds
// only ever writes the delta, keeping the delta's entries of the other kinds.
//
// Every entry written carries this run's lstat fingerprint of a file whose content was
// proven (by a fingerprint of this clone, git's index or a hash) to be the one its result
// is for, and the snapshot carries this clone's identity.
func (w *writer) store(removed int) (bool, error) {
	clone := cloneID(filepath.Dir(w.path), true)
	usable := func(i int) bool {
		return w.ws[i].ok && w.files[i].Hash != "" && !w.skipped[i]
	}
	baseIndex := func(i int) int {
		if m := w.matched[i]; m >= 0 {
			return w.cached[m].base
		}
		return -1
	}
	var fresh []entry
	for i := range w.ws {
		if baseIndex(i) < 0 && usable(i) {
			fresh = append(fresh, entry{Stamp: w.ws[i].stamp, File: w.files[i], Unchecked: w.unchecked[i]})
		}
	}
	// Files left unread (Options.Skip) keep their entries: over an existing cache only the
	// delta is written, and the old delta's entries for those files carry over.
	anySkipped := slices.Contains(w.skipped, true)
	skippedPath := func(p string) bool {
		i, found := slices.BinarySearchFunc(w.ws, p, func(x walked, p string) int { return strings.Compare(x.path, p) })
		return found && w.skipped[i]
	}
	if w.scope != nil || (anySkipped && w.old.base != nil) {
		if w.old.base == nil {
			return false, nil // a partial index cannot start a cache
		}
		if d := w.old.delta; d != nil && d.Clone == clone && clone != "" {
			for _, en := range d.Entries {
				if !w.scope.has(en.File.Path) || skippedPath(en.File.Path) {
					fresh = append(fresh, en)
				}
			}
			slices.SortFunc(fresh, func(a, b entry) int { return strings.Compare(a.File.Path, b.File.Path) })
		}
		return written(writeCache(deltaPath(w.path), encode(w.key, clone, w.scanStart, plan(nil, fresh, nil))))
	}
	base := w.old.base
	if base != nil && removed == 0 && len(fresh) <= max(deltaMin, len(base.Entries)/16) {
		return written(writeCache(deltaPath(w.path), encode(w.key, clone, w.scanStart, plan(nil, fresh, nil))))
	}
	all := make([]entry, 0, len(w.ws))
	src := make([]int, 0, len(w.ws))
	for i := range w.ws {
		if usable(i) {
			all = append(all, entry{Stamp: w.ws[i].stamp, File: w.files[i], Unchecked: w.unchecked[i]})
			b := baseIndex(i)
			if w.vouched[i] || base == nil || base.Clone != clone {
				b = -1 // its chunk in the old cache holds another stamp
			}
			src = append(src, b)
		}
	}
	if err := writeCache(w.path, encode(w.key, clone, w.scanStart, plan(base, all, src))); err != nil {
		return false, err
	}
	return true, removeCache(deltaPath(w.path))
}

func written(err error) (bool, error) { return err == nil, err }

// scope is the part of the repository an index is limited to: the folders of some kinds.
// A nil *scope is everything.
type scope struct{ folders []string }

func newScope(kinds []record.Kind) *scope {
	if len(kinds) == 0 {
		return nil
	}
	s := &scope{}
	for _, k := range kinds {
		if info, ok := record.Lookup(k); ok {
			s.folders = append(s.folders, info.Folder)
		}
	}
	return s
}

// has reports whether a repository-relative path lies in the scope.
func (s *scope) has(p string) bool {
	if s == nil {
		return true
	}
	for _, f := range s.folders {
		if p == f || (strings.HasPrefix(p, f) && len(p) > len(f) && p[len(f)] == '/') {
			return true
		}
	}
	return false
}

// chunk reports whether a cache chunk holding the paths from lo up to hi ("" for no end) may
// hold paths in the scope.
func (s *scope) chunk(lo, hi string) bool {
	if s == nil {
		return true
	}
	for _, f := range s.folders {
		// The folder's paths are those from f+"/" up to f+"0" ('0' follows '/').
		if lo < f+"0" && (hi == "" || hi > f+"/") {
			return true
		}
	}
	return false
}

// gcAnalyzeMax is how many files Build analyzes with the collector still off.
const gcAnalyzeMax = 1000

// gc remembers the collector's own percent while Build has changed it.
var gc struct {
	sync.Mutex
	base    int
	changed bool
}

// gcOff stops the collector for a load and returns the percent to come back to.
func gcOff() int {
	gc.Lock()
	defer gc.Unlock()
	p := debug.SetGCPercent(-1)
	if gc.changed {
		p = gc.base
	}
	gc.base, gc.changed = p, true
	return p
}

// gcOn restores the collector's percent.
func gcOn(percent int) {
	gc.Lock()
	defer gc.Unlock()
	debug.SetGCPercent(percent)
	gc.changed = false
}

// gcAfter turns the collector back on after a load, with a goal of twice the heap the load
// left rather than twice the tiny heap the last collection (at start-up) marked: otherwise
// it would start at once and mark the whole index, which a command-line run keeps to its
// end. Once a collection has run, the usual percent comes back, so that a process that
// builds an index again and again does not grow without bound. A percent below zero
// (GOGC=off) is left as it is.
func gcAfter(percent int) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if percent < 0 || s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		gcOn(percent)
		return
	}
	live, heap := max(s[0].Value.Uint64(), 4<<20), s[1].Value.Uint64()
	scaled := int(float64(heap)*float64(100+percent)/float64(live)) - 100
	if scaled <= percent {
		gcOn(percent)
		return
	}
	gc.Lock()
	debug.SetGCPercent(scaled)
	gc.Unlock()
	sentinel := &struct{ _ *int }{}
	runtime.AddCleanup(sentinel, func(percent int) {
		gc.Lock()
		defer gc.Unlock()
		if gc.changed && gc.base == percent {
			debug.SetGCPercent(percent)
			gc.changed = false
		}
	}, percent)
}

// released reports whether a version names one build of gitsm: a release, not a development
// build ("dev", or a `git describe` of a dirty tree), whose code may change under the same
// name.
func released(version string) bool {
	return version != "" && version != "dev" && !strings.Contains(version, "dirty")
}

// analyzeAll analyzes the files at the indexes todo in parallel, with content already read
// where contents has it. A file that settled accepts gets its summary only, and summaryOnly
// says so.
func analyzeAll(ctx context.Context, e *check.Engine, ws []walked, todo []int, contents [][]byte, out []record.File, settled func(path, hash string) bool, summaryOnly []bool, progress io.Writer) error {
	if len(todo) == 0 {
		return nil
	}
	var done atomic.Int64
	stop := showProgress(progress, len(todo), &done)
	defer stop()
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rel := ws[i].path
				src := contents[i]
				if src == nil {
					var ff *finding.Finding
					if src, ff = record.ReadFile(e.Root, rel, e.Config.MaxFileSize); ff != nil {
						out[i] = record.File{Path: rel, Findings: []finding.Finding{*ff}}
						done.Add(1)
						continue
					}
				}
				if settled == nil {
					out[i], _ = e.Analyze(rel, src)
				} else if h := gitrepo.BlobHash(src).String(); settled(rel, h) {
					out[i] = e.Summarize(rel, src, h)
					summaryOnly[i] = true
				} else {
					out[i], _ = e.Analyze(rel, src)
				}
				done.Add(1)
			}
		}()
	}
	var err error
feed:
	for _, i := range todo {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return err
}

// progressMin is how many files a build must analyze before it shows progress.
const progressMin = 500

func showProgress(w io.Writer, total int, done *atomic.Int64) (stop func()) {
	if w == nil || total < progressMin {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				fmt.Fprintf(w, "\r%*s\r", 60, "")
				return
			case <-t.C:
				n := done.Load()
				fmt.Fprintf(w, "\rindexing records: %d/%d files (%d%%)", n, total, n*100/int64(total))
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}

// Source is the check.Source that gets per-file results from the index, so that `gitsm
// validate` reads only the files that changed since the last run.
type Source struct {
	Options Options
	// Index, when set after Files, is the index that Files built.
	Index *Index
}

// Files builds the index and returns its per-file results.
func (s *Source) Files(ctx context.Context, e *check.Engine) ([]record.File, error) {
	ix, err := Build(ctx, e, s.Options)
	if err != nil {
		return nil, err
	}
	s.Index = ix
	return ix.Files, nil
}

// FilesSettled is Files with Options.Settled set to settled and Options.Skip to skip.
func (s *Source) FilesSettled(ctx context.Context, e *check.Engine, settled, skip func(path, hash string) bool) ([]record.File, error) {
	opts := s.Options
	opts.Settled = settled
	opts.Skip = skip
	ix, err := Build(ctx, e, opts)
	if err != nil {
		return nil, err
	}
	s.Index = ix
	return ix.Files, nil
}

// Records returns the summaries of the files that are records, in path order.
func (ix *Index) Records() []*record.Record {
	out := make([]*record.Record, 0, ix.Stats.Records)
	for i := range ix.Files {
		if r := ix.Files[i].Record; r != nil {
			out = append(out, r)
		}
	}
	return out
}

// Load reads the settings of the repository at root, compiles its schemas and builds its
// index: what list, show and impact start from.
func Load(ctx context.Context, root string, opts Options) (*Index, *check.Engine, error) {
	e, err := check.New(root)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; fix the file and run again", err)
	}
	ix, err := Build(ctx, e, opts)
	if err != nil {
		return nil, nil, err
	}
	return ix, e, nil
}

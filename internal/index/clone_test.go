package index

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/finding"
)

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// committed is the fixture as a git repository with everything committed.
func committed(t *testing.T) string {
	t.Helper()
	dir := fixture(t)
	if err := os.Remove(filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "init", "-q", "-b", "main")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "records")
	return dir
}

// cloneWithCache makes a fresh clone of src and copies src's cache folder into it, as a CI
// job restoring .git/gitsm with actions/cache does.
func cloneWithCache(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "clone")
	gitRun(t, filepath.Dir(dst), "clone", "-q", "file://"+src, dst)
	from, to := filepath.Join(src, ".git", CacheFolder), filepath.Join(dst, ".git", CacheFolder)
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func validate(t *testing.T, dir string, src check.Source) *check.Result {
	t.Helper()
	res, err := engine(t, dir).Run(context.Background(), src, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func indexSource() *Source { return &Source{Options: Options{Version: "test", Build: "test"}} }

// settleGitIndex dates the work tree's files back and has git write its index a clock tick
// later, so that git's stat data vouches for every file whose content its index holds: files
// written in the same tick as the index are racily clean, and a checkout or a copy of a few
// files fits in one tick. Modified files stay modified. The new time is two hours back, in
// whole seconds: git built without nanosecond stat times (Debian's) sees no change, and keeps
// its old stat data, when only the nanoseconds move (fixture dates files an hour back).
func settleGitIndex(t *testing.T, dir string) {
	t.Helper()
	aged := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			return fs.SkipDir
		}
		return os.Chtimes(p, aged, aged)
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	gitRun(t, dir, "update-index", "-q", "--refresh")
}

// TestRestoredCache checks that a fresh clone with a cache restored from another clone reads
// no record file that git's index vouches for, and gets exactly a cold run's results.
func TestRestoredCache(t *testing.T) {
	noRacy(t)
	src := committed(t)
	build(t, src, Options{})
	dst := cloneWithCache(t, src)
	// Files written in the same clock tick as git's index are racily clean: git's stat data
	// proves nothing about them, and they are hashed. A checkout of a few files is that quick.
	settleGitIndex(t, dst)
	before, err := os.Stat(CachePath(dst))
	if err != nil {
		t.Fatal(err)
	}
	ix := build(t, dst, Options{})
	s := ix.Stats
	if !s.CacheHit || s.Analyzed != 0 || s.Vouched != s.Files || s.Rehashed != 0 || s.Reused != s.Files {
		t.Errorf("restored cache: got %+v, want every record file vouched for by git's index, none read", s)
	}
	if diff := cmp.Diff(scan(t, dst), ix.Files, equateEmpty); diff != "" {
		t.Errorf("index differs from a scan (-scan +index):\n%s", diff)
	}
	// The restored base is not rewritten for the clone's new fingerprints: at most the
	// hashed files go to a delta.
	if after, err := os.Stat(CachePath(dst)); err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("restored cache: the base was written again (%v)", err)
	}
	again := build(t, dst, Options{})
	if got := again.Stats; got.Analyzed != 0 || got.Rehashed != 0 || got.Reused != s.Files || got.Written {
		t.Errorf("next run: got %+v, want everything reused, nothing read or written", got)
	}
}

// sameSizeEdit rewrites a record so that it is no longer valid (an unknown kind), keeping
// its size, and sets its modification time to mtime: only the change time and the content
// tell the edit.
func sameSizeEdit(t *testing.T, dir, rel string, mtime time.Time) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "kind: Incident", "kind: Incidenx", 1)
	if edited == string(b) {
		t.Fatalf("%s has no kind: Incident", rel)
	}
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func mtimeOf(t *testing.T, dir, rel string) time.Time {
	t.Helper()
	info, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return info.ModTime()
}

// TestCacheDisagreesWithContent checks that no cached result is used for a file whose content
// is not the one it was computed for, even when everything but the content and the change
// time looks the same: the bad record is still reported, exactly as by a cold run.
func TestCacheDisagreesWithContent(t *testing.T) {
	const victim = "incidents/2026/INC-000001.yaml"
	tests := []struct {
		name string
		// prepare returns the repository to validate, with victim edited.
		prepare func(t *testing.T) string
	}{
		{
			name: "this clone's cache, size and mtime kept",
			prepare: func(t *testing.T) string {
				dir := committed(t)
				build(t, dir, Options{})
				// The cached fingerprint and git's index both hold this size and mtime.
				sameSizeEdit(t, dir, victim, mtimeOf(t, dir, victim))
				return dir
			},
		},
		{
			name: "restored cache in a fresh clone, size and mtime of git's index kept",
			prepare: func(t *testing.T) string {
				src := committed(t)
				build(t, src, Options{})
				dst := cloneWithCache(t, src)
				sameSizeEdit(t, dst, victim, mtimeOf(t, dst, victim))
				return dst
			},
		},
		{
			name: "restored cache in a fresh clone, size and mtime of the cached fingerprint kept",
			prepare: func(t *testing.T) string {
				src := committed(t)
				build(t, src, Options{})
				dst := cloneWithCache(t, src)
				sameSizeEdit(t, dst, victim, mtimeOf(t, src, victim))
				return dst
			},
		},
		{
			name: "a cache from elsewhere whose fingerprints equal the files' exactly",
			prepare: func(t *testing.T) string {
				src := committed(t)
				build(t, src, Options{})
				dst := cloneWithCache(t, src)
				sameSizeEdit(t, dst, victim, mtimeOf(t, dst, victim))
				forgeStamps(t, dst)
				return dst
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.prepare(t)
			want := validate(t, dir, check.Scan{})
			if !hasFinding(want.Findings, victim, "kind") {
				t.Fatalf("a cold run does not report the edited record: %v", want.Findings)
			}
			got := validate(t, dir, indexSource())
			if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
				t.Errorf("validate through the cache differs from a cold run (-cold +cached):\n%s", diff)
			}
		})
	}
}

// forgeStamps rewrites the cache of dir so that every entry carries the exact lstat
// fingerprint the file has now — what no honest run of another clone could have written —
// while keeping the results, which for the edited file are those of its old content.
func forgeStamps(t *testing.T, dir string) {
	t.Helper()
	path := CachePath(dir)
	key := cacheKey("test", "test", engine(t, dir).Config.Hash)
	s := readCache(path, key, nil)
	if s == nil {
		t.Fatal("no cache to forge")
	}
	for i := range s.Entries {
		en := &s.Entries[i]
		info, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(en.File.Path)))
		if err != nil {
			t.Fatal(err)
		}
		en.Stamp = stampOf(info)
	}
	if err := writeCache(path, encode(key, s.Clone, time.Now().Add(-time.Hour).UnixNano(), plan(nil, s.Entries, nil))); err != nil {
		t.Fatal(err)
	}
	if err := removeCache(deltaPath(path)); err != nil {
		t.Fatal(err)
	}
}

func hasFinding(fs []finding.Finding, path, rule string) bool {
	for _, f := range fs {
		if f.Path == path && f.Rule == rule {
			return true
		}
	}
	return false
}

// TestBaseSummariesOnly checks that validate --base, which reads the records unchanged since
// the base for their summaries only, reports exactly what a cold run that checks every file
// fully reports, with and without a cache.
func TestBaseSummariesOnly(t *testing.T) {
	noRacy(t)
	dir := committed(t)
	write(t, dir, "incidents/2026/INC-000001.yaml", strings.Replace(readFile(t, dir, "incidents/2026/INC-000001.yaml"), "priority: P3", "priority: P1", 1))
	write(t, dir, "incidents/2027/INC-000100.yaml", "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000100\ntitle: new\n")
	opts := check.Options{Base: "HEAD"}
	want, err := engine(t, dir).Run(context.Background(), check.Scan{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Findings) == 0 || want.Records != 2 {
		t.Fatalf("cold run: got %d records and %v, want the two changed records with findings", want.Records, want.Findings)
	}
	for _, o := range []Options{{NoCache: true}, {}, {}} {
		o.Version, o.Build = "test", "test"
		src := &Source{Options: o}
		got, err := engine(t, dir).Run(context.Background(), src, opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
			t.Errorf("%+v: differs from a cold run (-cold +got):\n%s", o, diff)
		}
		// The unchanged files the rules across records need are read for their summary only
		// (and cached marked unchecked, for the next run); the others are not read at all.
		s := src.Index.Stats
		switch {
		case o.NoCache || !s.CacheHit:
			if s.Skipped == 0 || s.Summarized+s.Skipped != s.Files-2 || s.Analyzed != s.Summarized+2 {
				t.Errorf("%+v: got %+v, want all but the two changed files skipped or read for their summary only", o, s)
			}
		case s.Summarized != 0 || s.Analyzed != 0 || s.Reused+s.Skipped != s.Files:
			t.Errorf("%+v: got %+v, want every file's result from the cache or skipped", o, s)
		}
	}
	// A run that reports every file's findings does not take an unchecked summary for a
	// check: it analyzes those files again, and then caches their full results.
	full, err := engine(t, dir).Run(context.Background(), check.Scan{}, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for run, wantAnalyzed := range []int{-2, 0} {
		src := indexSource()
		got, err := engine(t, dir).Run(context.Background(), src, check.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full, got, equateEmpty); diff != "" {
			t.Errorf("full run %d after summaries: differs from a cold run (-cold +got):\n%s", run, diff)
		}
		s := src.Index.Stats
		if wantAnalyzed < 0 {
			wantAnalyzed += s.Files // all but the two changed files, whose full results are cached
		}
		if s.Summarized != 0 || s.Analyzed != wantAnalyzed {
			t.Errorf("full run %d: got %+v, want %d files analyzed, none for a summary only", run, s, wantAnalyzed)
		}
	}
}

func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNoCacheFlag checks that NoCache (validate --no-cache) neither reads nor writes the
// cache of a git repository.
func TestNoCacheFlag(t *testing.T) {
	dir := committed(t)
	ix := build(t, dir, Options{NoCache: true})
	if ix.Stats.CacheHit || ix.Stats.Written || ix.Stats.Analyzed != ix.Stats.Files {
		t.Errorf("no cache: got %+v, want every file analyzed, nothing written", ix.Stats)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", CacheFolder)); !os.IsNotExist(err) {
		t.Errorf("no cache: .git/gitsm exists (%v), want none", err)
	}
	build(t, dir, Options{})
	if ix := build(t, dir, Options{NoCache: true}); ix.Stats.CacheHit || ix.Stats.Reused != 0 {
		t.Errorf("no cache over a warm cache: got %+v, want it ignored", ix.Stats)
	}
}

// TestCodeID checks that a release is named by its version alone — so that reinstalling it
// (as every CI job does) keeps the cache — and that a development build is not.
func TestCodeID(t *testing.T) {
	if got := codeID("v1.2.3"); got != "" {
		t.Errorf("release: got %q, want the version alone", got)
	}
	for _, v := range []string{"dev", "v1.2.3-dirty", ""} {
		if got := codeID(v); got == "" {
			t.Errorf("%q: got no code ID, want the build's revision or the executable's fingerprint", v)
		}
	}
	if cacheKey("v1.2.3", codeID("v1.2.3"), "c") != cacheKey("v1.2.3", "", "c") {
		t.Errorf("a release's cache key depends on more than its version and settings")
	}
}

// TestSummariesOnly checks that an index of summaries only (reports) caches them marked
// unchecked, that the next such index reuses them, and that one needing the checks does not.
func TestSummariesOnly(t *testing.T) {
	dir := committed(t)
	write(t, dir, "incidents/2027/INC-000100.yaml", "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000100\ntitle: new\n")
	cold := build(t, dir, Options{NoCache: true})
	first := build(t, dir, Options{SummariesOnly: true})
	if s := first.Stats; s.Summarized != s.Files || s.Analyzed != s.Files || !s.Written {
		t.Errorf("first summaries: got %+v, want every file read for its summary and the cache written", s)
	}
	for _, f := range first.Files {
		if f.Path == "incidents/2027/INC-000100.yaml" && len(f.Findings) != 0 {
			t.Errorf("summary of an invalid record: got findings %v, want none (the schema is not checked)", f.Findings)
		}
	}
	second := build(t, dir, Options{SummariesOnly: true})
	if s := second.Stats; s.Reused != s.Files || s.Analyzed != 0 {
		t.Errorf("second summaries: got %+v, want every summary from the cache", s)
	}
	if diff := cmp.Diff(first.Records(), second.Records(), equateEmpty); diff != "" {
		t.Errorf("cached summaries differ (-first +second):\n%s", diff)
	}
	checked := build(t, dir, Options{})
	if s := checked.Stats; s.Analyzed != s.Files || s.Summarized != 0 {
		t.Errorf("checked after summaries: got %+v, want every file checked again", s)
	}
	if diff := cmp.Diff(cold.Files, checked.Files, equateEmpty); diff != "" {
		t.Errorf("checked after summaries differs from a cold build (-cold +got):\n%s", diff)
	}
	// Checked results serve a later report too.
	if s := build(t, dir, Options{SummariesOnly: true}).Stats; s.Reused != s.Files || s.Analyzed != 0 {
		t.Errorf("summaries after a check: got %+v, want every result from the cache", s)
	}
}

// TestBaseSkipsUnneeded checks that validate --base, which leaves unread the unchanged records
// that no changed record needs, reports exactly what a cold full check limited to the changed
// records reports, when the changed records' findings depend on unchanged ones: a conflict
// with an unchanged change, a duplicate ID, references that resolve or not.
func TestBaseSkipsUnneeded(t *testing.T) {
	noRacy(t)
	edits := map[string]func(t *testing.T, dir string){
		"a new change conflicting with an unchanged one": func(t *testing.T, dir string) {
			write(t, dir, "changes/2027/CHG-000100.yaml", strings.Replace(readFile(t, dir, "changes/2026/CHG-000016.yaml"), "id: CHG-000016", "id: CHG-000100", 1))
		},
		"a new record with an unchanged record's ID": func(t *testing.T, dir string) {
			write(t, dir, "incidents/2027/INC-000002.yaml", strings.Replace(readFile(t, dir, "incidents/2026/INC-000002.yaml"), "title: ", "title: Again - ", 1))
		},
		"references to unchanged records, present and missing": func(t *testing.T, dir string) {
			write(t, dir, "incidents/2026/INC-000001.yaml", strings.Replace(readFile(t, dir, "incidents/2026/INC-000001.yaml"), "service: storefront\n", "service: storefront\nproblem: PRB-000005\ncaused_by: CHG-999999\nparent: INC-000002\n", 1))
		},
		"a changed CI": func(t *testing.T, dir string) {
			write(t, dir, "cis/lb-public.yaml", readFile(t, dir, "cis/lb-public.yaml")+"depends_on: [lb-public, no-such-ci]\n")
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			dir := committed(t)
			edit(t, dir)
			settleGitIndex(t, dir)
			opts := check.Options{Base: "HEAD"}
			want, err := engine(t, dir).Run(context.Background(), check.Scan{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Findings) < 2 { // a symlink in cis/ is always reported
				t.Fatalf("cold run: %v, want the edit's findings", want.Findings)
			}
			src := &Source{Options: Options{Version: "test", Build: "test", NoCache: true}}
			got, err := engine(t, dir).Run(context.Background(), src, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
				t.Errorf("differs from a cold run (-cold +skipping):\n%s", diff)
			}
			if s := src.Index.Stats; s.Skipped == 0 {
				t.Errorf("got %+v, want unchanged records left unread", s)
			}
		})
	}
}

// TestBaseSkipKeepsCache checks validate --base over a cache, in the clone that wrote it and in
// a fresh clone it was restored into: the files it leaves unread keep their cached results
// (only a delta is written), so a full check afterwards reads only what the edit changed, and
// both report exactly what a cold run reports.
func TestBaseSkipKeepsCache(t *testing.T) {
	noRacy(t)
	const victim = "incidents/2026/INC-000001.yaml"
	for _, restored := range []bool{false, true} {
		t.Run(fmt.Sprintf("restored=%v", restored), func(t *testing.T) {
			dir := committed(t)
			build(t, dir, Options{})
			if restored {
				dir = cloneWithCache(t, dir)
			}
			before, err := os.Stat(CachePath(dir))
			if err != nil {
				t.Fatal(err)
			}
			write(t, dir, victim, strings.Replace(readFile(t, dir, victim), "priority: P3", "priority: P1", 1))
			// A deleted record too: a cache that lost files is rewritten whole, unless files
			// were left unread.
			if err := os.Remove(filepath.Join(dir, "incidents", "2026", "INC-000002.yaml")); err != nil {
				t.Fatal(err)
			}
			settleGitIndex(t, dir)
			opts := check.Options{Base: "HEAD"}
			want, err := engine(t, dir).Run(context.Background(), check.Scan{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			src := indexSource()
			got, err := engine(t, dir).Run(context.Background(), src, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
				t.Errorf("--base differs from a cold run (-cold +skipping):\n%s", diff)
			}
			if s := src.Index.Stats; s.Skipped == 0 || !s.CacheHit || s.Analyzed != 1 {
				t.Errorf("--base: got %+v, want files left unread, the edited one analyzed", s)
			}
			if after, err := os.Stat(CachePath(dir)); err != nil || !os.SameFile(before, after) {
				t.Errorf("--base rewrote the base cache (%v), want a delta only", err)
			}
			full := indexSource()
			gotFull, err := engine(t, dir).Run(context.Background(), full, check.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantFull, err := engine(t, dir).Run(context.Background(), check.Scan{}, check.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantFull, gotFull, equateEmpty); diff != "" {
				t.Errorf("full run after --base differs from a cold run (-cold +cached):\n%s", diff)
			}
			// The CIs, SLAs and calendars --base read for their summaries are checked now;
			// everything else comes from the cache.
			if s := full.Index.Stats; s.Analyzed > 20 || s.Reused < s.Files-20 {
				t.Errorf("full run after --base: got %+v, want nearly every result from the cache", s)
			}
		})
	}
}

package index

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/record"
)

// fixture copies the examples repository (with its broken records moved into the kind
// folders, and entries that cannot be records) into a temp dir with a .git folder, and dates
// every file an hour back so that none is racily clean.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "examples")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(dir, rel)
		if top, rest, _ := strings.Cut(filepath.ToSlash(rel), "/"); top == "invalid" && rest != "" {
			if d.IsDir() {
				return nil
			}
			folder := "incidents/bad"
			switch {
			case strings.HasPrefix(d.Name(), "CHG-"):
				folder = "changes/bad"
			case !strings.HasPrefix(d.Name(), "INC-"):
				folder = "cis"
			}
			dst = filepath.Join(dir, folder, d.Name())
		} else if top == "invalid" {
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "incidents/notes.yml", "not a record\n")
	write(t, dir, "incidents/.drafts/INC-999999.yaml", "hidden\n")
	write(t, dir, "cis/README.md", "not a record\n")
	if err := os.Symlink("web-frontend.yaml", filepath.Join(dir, "cis", "alias.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	age(t, dir, time.Hour)
	return dir
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// age sets the modification time of every file under dir to d ago.
func age(t *testing.T, dir string, d time.Duration) {
	t.Helper()
	then := time.Now().Add(-d)
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.Type()&fs.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(p, then, then)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// noRacy makes only files changed after a run began racily clean (the window exists for
// coarse timestamps; fixture files are written well before a build).
func noRacy(t *testing.T) {
	old := racyWindow
	racyWindow = -time.Hour
	t.Cleanup(func() { racyWindow = old })
}

func engine(t *testing.T, dir string) *check.Engine {
	t.Helper()
	e, err := check.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func build(t *testing.T, dir string, opts Options) *Index {
	t.Helper()
	if opts.Version == "" {
		opts.Version = "test"
	}
	opts.Build = "test"
	ix, err := Build(context.Background(), engine(t, dir), opts)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func scan(t *testing.T, dir string) []record.File {
	t.Helper()
	files, err := check.Scan{}.Files(context.Background(), engine(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var equateEmpty = cmpopts.EquateEmpty()

// stats keeps the counters a test compares.
type stats struct {
	Analyzed, Rehashed, Reused, Removed int
	CacheHit, Written                   bool
}

func statsOf(s Stats) stats {
	return stats{s.Analyzed, s.Rehashed, s.Reused, s.Removed, s.CacheHit, s.Written}
}

func TestBuildEqualsScan(t *testing.T) {
	noRacy(t)
	dir := fixture(t)
	want := scan(t, dir)
	if len(want) < 80 {
		t.Fatalf("fixture has %d files, want the examples", len(want))
	}
	cold := build(t, dir, Options{})
	if diff := cmp.Diff(want, cold.Files, equateEmpty); diff != "" {
		t.Errorf("cold index differs from a scan (-scan +index):\n%s", diff)
	}
	warm := build(t, dir, Options{})
	if diff := cmp.Diff(want, warm.Files, equateEmpty); diff != "" {
		t.Errorf("warm index differs from a scan (-scan +index):\n%s", diff)
	}
	if got, want := statsOf(warm.Stats), (stats{Reused: warm.Stats.Files, CacheHit: true}); got != want {
		t.Errorf("warm stats: got %+v, want %+v", got, want)
	}
	if cold.Stats.Analyzed != cold.Stats.Files || !cold.Stats.Written {
		t.Errorf("cold stats: got %+v, want every file analyzed and the cache written", cold.Stats)
	}
}

// TestValidateEqualsCold checks that `gitsm validate` through the index gives exactly the
// findings of a cold run, before and after an edit that breaks a reference elsewhere.
func TestValidateEqualsCold(t *testing.T) {
	noRacy(t)
	dir := fixture(t)
	run := func(src check.Source) *check.Result {
		t.Helper()
		res, err := engine(t, dir).Run(context.Background(), src, check.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, step := range []struct {
		name string
		edit func()
	}{
		{"as is", func() {}},
		{"warm", func() {}},
		{"a CI removed", func() {
			if err := os.Remove(filepath.Join(dir, "cis", "session-cache.yaml")); err != nil {
				t.Fatal(err)
			}
		}},
		{"an incident edited", func() {
			p := filepath.Join(dir, "incidents", "2026", "INC-000001.yaml")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(strings.Replace(string(b), "priority: P3", "priority: P1", 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.edit()
			src := &Source{Options: Options{Version: "test", Build: "test"}}
			got := run(src)
			want := run(check.Scan{})
			if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
				t.Errorf("validate through the index differs from a cold run (-cold +index):\n%s", diff)
			}
			if len(want.Findings) == 0 {
				t.Errorf("the fixture gives no findings; it should hold broken records")
			}
		})
	}
}

func TestBuildIncremental(t *testing.T) {
	noRacy(t)
	tests := []struct {
		name string
		edit func(t *testing.T, dir string)
		opts Options
		want func(files int) stats
	}{
		{
			name: "one file changed is the only one read",
			edit: func(t *testing.T, dir string) {
				write(t, dir, "incidents/2026/INC-000001.yaml", "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000001\ntitle: shorter\n")
			},
			want: func(n int) stats {
				return stats{Analyzed: 1, Rehashed: 1, Reused: n - 1, CacheHit: true, Written: true}
			},
		},
		{
			name: "a new file is read",
			edit: func(t *testing.T, dir string) {
				write(t, dir, "incidents/2027/INC-000100.yaml", "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000100\ntitle: new\n")
			},
			want: func(n int) stats { return stats{Analyzed: 1, Reused: n - 1, CacheHit: true, Written: true} },
		},
		{
			name: "a removed file is dropped",
			edit: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "cis", "lb-public.yaml")); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n int) stats { return stats{Reused: n, Removed: 1, CacheHit: true, Written: true} },
		},
		{
			name: "touched but unchanged is hashed, not analyzed",
			edit: func(t *testing.T, dir string) {
				then := time.Now().Add(-30 * time.Minute)
				if err := os.Chtimes(filepath.Join(dir, "slas", "incident-response.yaml"), then, then); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n int) stats { return stats{Rehashed: 1, Reused: n, CacheHit: true, Written: true} },
		},
		{
			name: "config change invalidates",
			edit: func(t *testing.T, dir string) {
				f, err := os.OpenFile(filepath.Join(dir, ".gitsm", "config.yaml"), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteString("# changed\n"); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n int) stats { return stats{Analyzed: n, Written: true} },
		},
		{
			name: "another gitsm version invalidates",
			opts: Options{Version: "v9.9.9"},
			want: func(n int) stats { return stats{Analyzed: n, Written: true} },
		},
		{
			name: "rebuild ignores the cache",
			opts: Options{Rebuild: true},
			want: func(n int) stats { return stats{Analyzed: n, Written: true} },
		},
		{
			name: "corrupt cache is ignored",
			edit: func(t *testing.T, dir string) {
				p := CachePath(dir)
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				b[len(b)/2] ^= 0xff
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n int) stats { return stats{Analyzed: n, Written: true} },
		},
		{
			name: "truncated cache is ignored",
			edit: func(t *testing.T, dir string) {
				if err := os.Truncate(CachePath(dir), 100); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n int) stats { return stats{Analyzed: n, Written: true} },
		},
		{
			name: "garbage cache is ignored",
			edit: func(t *testing.T, dir string) {
				write(t, dir, ".git/gitsm/records.index", "GITSMIX\n\x01garbage")
			},
			want: func(n int) stats { return stats{Analyzed: n, Written: true} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fixture(t)
			build(t, dir, Options{})
			if tt.edit != nil {
				tt.edit(t, dir)
			}
			ix := build(t, dir, tt.opts)
			if diff := cmp.Diff(tt.want(ix.Stats.Files), statsOf(ix.Stats)); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(scan(t, dir), ix.Files, equateEmpty); diff != "" {
				t.Errorf("index differs from a scan (-scan +index):\n%s", diff)
			}
			// The cache written now serves the next run whole.
			again := build(t, dir, Options{Version: tt.opts.Version})
			if got, want := statsOf(again.Stats), (stats{Reused: ix.Stats.Files, CacheHit: true}); got != want {
				t.Errorf("next run: got %+v, want %+v", got, want)
			}
			if diff := cmp.Diff(ix.Files, again.Files, equateEmpty); diff != "" {
				t.Errorf("next run differs (-this +next):\n%s", diff)
			}
		})
	}
}

// TestBuildRacy checks that a file whose timestamp is too close to the run that cached it is
// read and hashed again rather than trusted, and re-analyzed only if its content changed.
func TestBuildRacy(t *testing.T) {
	dir := fixture(t)
	old := racyWindow
	racyWindow = -time.Hour
	build(t, dir, Options{})
	racyWindow = 24 * time.Hour // every file is now "too close"
	t.Cleanup(func() { racyWindow = old })
	ix := build(t, dir, Options{})
	n := ix.Stats.Files
	if got, want := statsOf(ix.Stats), (stats{Rehashed: n, Reused: n, CacheHit: true, Written: true}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if diff := cmp.Diff(scan(t, dir), ix.Files, equateEmpty); diff != "" {
		t.Errorf("index differs from a scan (-scan +index):\n%s", diff)
	}
}

// TestBuildRacySettles checks that a file hashed again because it was racily clean is stored
// anew under the run that hashed it: once its timestamp is older than the window before that
// run, the next run trusts it, instead of hashing it on every run until the whole cache is
// written again.
func TestBuildRacySettles(t *testing.T) {
	old := racyWindow
	t.Cleanup(func() { racyWindow = old })
	racyWindow = time.Second
	dir := fixture(t)
	build(t, dir, Options{}) // within a second of the files: all racy from now on for this base
	time.Sleep(2 * time.Second)
	ix := build(t, dir, Options{})
	n := ix.Stats.Files
	if got, want := statsOf(ix.Stats), (stats{Rehashed: n, Reused: n, CacheHit: true, Written: true}); got != want {
		t.Fatalf("second run: got %+v, want %+v (did the first run start more than %v after the files were written?)", got, want, racyWindow)
	}
	ix = build(t, dir, Options{})
	if got, want := statsOf(ix.Stats), (stats{Reused: n, CacheHit: true}); got != want {
		t.Errorf("third run: got %+v, want %+v", got, want)
	}
}

func TestNoGitNoCache(t *testing.T) {
	noRacy(t)
	dir := fixture(t)
	if err := os.Remove(filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	if got := CachePath(dir); got != "" {
		t.Fatalf("CachePath outside git: got %q, want none", got)
	}
	for range 2 {
		ix := build(t, dir, Options{})
		if ix.Stats.CacheHit || ix.Stats.Written || ix.Stats.Analyzed != ix.Stats.Files {
			t.Errorf("without git: got %+v, want an in-memory build", ix.Stats)
		}
	}
}

func TestCachePath(t *testing.T) {
	top := t.TempDir()
	for _, d := range []string{".git", "records/sub", "wt"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	linked := filepath.Join(top, ".git", "worktrees", "wt")
	if err := os.MkdirAll(linked, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, top, "wt/.git", "gitdir: "+linked+"\n")
	tests := []struct {
		name, root string
		want       string
	}{
		{"top of the work tree", top, filepath.Join(top, ".git", "gitsm", "records.index")},
		{"a subfolder", filepath.Join(top, "records", "sub"), filepath.Join(top, ".git", "gitsm", "records-")},
		{"a linked work tree", filepath.Join(top, "wt"), filepath.Join(linked, "gitsm", "records.index")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CachePath(tt.root)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %s, want %s…", got, tt.want)
			}
		})
	}
}

// TestDelta checks that small changes go to the delta file and leave the base cache alone,
// that a big change writes the base again, and that a broken delta only costs a re-read.
func TestDelta(t *testing.T) {
	noRacy(t)
	dir := fixture(t)
	build(t, dir, Options{})
	base := CachePath(dir)
	delta := deltaPath(base)
	before, err := os.Stat(base)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(rel, title string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.Replace(string(b), "\ntitle: ", "\ntitle: "+title+" ", 1))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	edit("incidents/2026/INC-000002.yaml", "one")
	ix := build(t, dir, Options{})
	after, err := os.Stat(base)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("a one-file change rewrote the base cache")
	}
	if s := readCache(delta, cacheKey("test", "test", engine(t, dir).Config.Hash), nil); s == nil || len(s.Entries) != 1 {
		t.Errorf("delta: got %v, want one entry", s)
	}
	if got, want := statsOf(ix.Stats), (stats{Analyzed: 1, Rehashed: 1, Reused: ix.Stats.Files - 1, CacheHit: true, Written: true}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}

	// A second change keeps the first in the delta.
	edit("incidents/2026/INC-000003.yaml", "two")
	build(t, dir, Options{})
	if s := readCache(delta, cacheKey("test", "test", engine(t, dir).Config.Hash), nil); s == nil || len(s.Entries) != 2 {
		t.Errorf("delta: got %v, want two entries", s)
	}
	again := build(t, dir, Options{})
	if got, want := statsOf(again.Stats), (stats{Reused: again.Stats.Files, CacheHit: true}); got != want {
		t.Errorf("base and delta: got %+v, want %+v", got, want)
	}
	if diff := cmp.Diff(scan(t, dir), again.Files, equateEmpty); diff != "" {
		t.Errorf("index differs from a scan (-scan +index):\n%s", diff)
	}

	// A broken delta costs a re-read of what it held, nothing else.
	write(t, dir, ".git/gitsm/records.delta", "GITSMIX\nbroken")
	ix = build(t, dir, Options{})
	if got, want := statsOf(ix.Stats), (stats{Analyzed: 2, Rehashed: 2, Reused: ix.Stats.Files - 2, CacheHit: true, Written: true}); got != want {
		t.Errorf("broken delta: got %+v, want %+v", got, want)
	}

	// Past the delta's limit, the base is written again and the delta goes.
	old := deltaMin
	deltaMin = 0
	t.Cleanup(func() { deltaMin = old })
	for _, id := range []string{"000004", "000005", "000006", "000007", "000008", "000009", "000010"} {
		edit("incidents/2026/INC-"+id+".yaml", "many")
	}
	ix = build(t, dir, Options{})
	if ix.Stats.Analyzed != 7 || !ix.Stats.Written {
		t.Errorf("got %+v, want 7 analyzed and written", ix.Stats)
	}
	if _, err := os.Stat(delta); !os.IsNotExist(err) {
		t.Errorf("the delta is still there after the base was written again: %v", err)
	}
	again = build(t, dir, Options{})
	if got, want := statsOf(again.Stats), (stats{Reused: again.Stats.Files, CacheHit: true}); got != want {
		t.Errorf("after the base was written again: got %+v, want %+v", got, want)
	}
	if diff := cmp.Diff(scan(t, dir), again.Files, equateEmpty); diff != "" {
		t.Errorf("index differs from a scan (-scan +index):\n%s", diff)
	}
}

// TestBuildKinds checks an index limited to one kind: it holds exactly that kind's files as a
// full index does, reads only its folder, and writes changes to the delta only.
func TestBuildKinds(t *testing.T) {
	noRacy(t)
	dir := fixture(t)
	incidents := func(files []record.File) []record.File {
		var out []record.File
		for _, f := range files {
			if strings.HasPrefix(f.Path, "incidents/") {
				out = append(out, f)
			}
		}
		return out
	}
	only := Options{Kinds: []record.Kind{record.Incident}}

	// Without a cache a partial build is right but writes nothing.
	cold := build(t, dir, only)
	if diff := cmp.Diff(incidents(scan(t, dir)), cold.Files, equateEmpty); diff != "" {
		t.Errorf("partial cold index differs from a scan (-scan +index):\n%s", diff)
	}
	if cold.Stats.Written {
		t.Errorf("a partial index wrote a cache")
	}
	full := build(t, dir, Options{})
	base, err := os.Stat(CachePath(dir))
	if err != nil {
		t.Fatal(err)
	}

	warm := build(t, dir, only)
	if diff := cmp.Diff(incidents(full.Files), warm.Files, equateEmpty); diff != "" {
		t.Errorf("partial warm index differs (-full +partial):\n%s", diff)
	}
	if got, want := statsOf(warm.Stats), (stats{Reused: warm.Stats.Files, CacheHit: true}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}

	// A change in another kind is not seen, and not written.
	write(t, dir, "cis/web-frontend.yaml", "apiVersion: gitsm/v1\nkind: CI\nid: web-frontend\ntitle: changed\n")
	if ix := build(t, dir, only); ix.Stats.Analyzed != 0 || ix.Stats.Written {
		t.Errorf("a CI change: got %+v, want nothing analyzed or written", ix.Stats)
	}
	// A change in the kind goes to the delta; the base stays.
	write(t, dir, "incidents/2026/INC-000002.yaml", "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000002\ntitle: changed\n")
	ix := build(t, dir, only)
	if got, want := statsOf(ix.Stats), (stats{Analyzed: 1, Rehashed: 1, Reused: ix.Stats.Files - 1, CacheHit: true, Written: true}); got != want {
		t.Errorf("an incident change: got %+v, want %+v", got, want)
	}
	if after, err := os.Stat(CachePath(dir)); err != nil || !os.SameFile(base, after) || !after.ModTime().Equal(base.ModTime()) {
		t.Errorf("a partial index rewrote the base cache")
	}
	// A full build then reads only the CI.
	again := build(t, dir, Options{})
	if got, want := statsOf(again.Stats), (stats{Analyzed: 1, Rehashed: 1, Reused: again.Stats.Files - 1, CacheHit: true, Written: true}); got != want {
		t.Errorf("full build after: got %+v, want %+v", got, want)
	}
	if diff := cmp.Diff(scan(t, dir), again.Files, equateEmpty); diff != "" {
		t.Errorf("index differs from a scan (-scan +index):\n%s", diff)
	}
}

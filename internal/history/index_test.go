package history

import (
	"context"
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func syncHEAD(t *testing.T, dir string, opts Options) (*Index, plumbing.Hash, Stats) {
	t.Helper()
	ix, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	tip, ref, err := ix.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	st, err := ix.Sync(context.Background(), ref, tip, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix, tip, st
}

func commitsOf(t *testing.T, ix *Index, tip plumbing.Hash, p string) []string {
	t.Helper()
	es, err := ix.Log(tip, p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Commit.Hash.String())
	}
	return out
}

func TestCacheIncremental(t *testing.T) {
	r := newGitRepo(t)
	for i, st := range []string{"new", "in_progress", "on_hold", "in_progress", "resolved"} {
		r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", st, "x-step: "+string(rune('a'+i))))
		r.commit("step " + st)
	}
	_, _, st := syncHEAD(t, r.dir, Options{})
	if st.Read != 5 || st.Rebuilt {
		t.Fatalf("cold: got %+v, want 5 commits read", st)
	}
	_, _, st = syncHEAD(t, r.dir, Options{})
	if st.Read != 0 || st.Rebuilt {
		t.Fatalf("warm: got %+v, want nothing read", st)
	}
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "closed"))
	r.commit("close")
	before, err := os.ReadFile(cachePath(r.dir, ""))
	if err != nil {
		t.Fatal(err)
	}
	ix, tip, st := syncHEAD(t, r.dir, Options{})
	if st.Read != 1 || st.Rebuilt {
		t.Fatalf("one new commit: got %+v, want exactly 1 commit read", st)
	}
	if got := len(commitsOf(t, ix, tip, "incidents/2026/INC-000001.yaml")); got != 6 {
		t.Errorf("got %d commits in the history, want 6", got)
	}
	// The new commit went to the journal; the cache file was not rewritten.
	after, _ := os.ReadFile(cachePath(r.dir, ""))
	if string(before) != string(after) {
		t.Error("the cache file was rewritten for one new commit; want it appended to the journal")
	}
	ix, tip, st = syncHEAD(t, r.dir, Options{})
	if st.Read != 0 || len(commitsOf(t, ix, tip, "incidents/2026/INC-000001.yaml")) != 6 {
		t.Errorf("cache + journal: got %+v, want nothing read and 6 commits", st)
	}

	// A torn append: the last entry is cut short. Its commit is read from git again.
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "closed", "x-note: reopened and closed"))
	r.commit("again")
	syncHEAD(t, r.dir, Options{})
	jp := journalPath(cachePath(r.dir, ""))
	j, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jp, j[:len(j)-5], 0o644); err != nil {
		t.Fatal(err)
	}
	ix, tip, st = syncHEAD(t, r.dir, Options{})
	if st.Read != 1 || len(commitsOf(t, ix, tip, "incidents/2026/INC-000001.yaml")) != 7 {
		t.Errorf("torn journal: got %+v, want the lost commit read again and 7 commits", st)
	}
}

func TestCacheRewrittenHistoryIsRebuilt(t *testing.T) {
	r := newGitRepo(t)
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	r.commit("open")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "in_progress"))
	r.commit("work")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "resolved"))
	r.commit("resolve")
	syncHEAD(t, r.dir, Options{})

	// Rewrite the last two commits (an amended history, force-pushed), then a new commit.
	r.git("reset", "-q", "--hard", "HEAD~2")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "canceled"))
	r.commit("cancel instead")
	ix, tip, st := syncHEAD(t, r.dir, Options{})
	if !st.Rebuilt {
		t.Fatalf("got %+v, want the cache rebuilt after the rewrite", st)
	}
	want := []string{r.git("rev-parse", "HEAD"), r.git("rev-parse", "HEAD~1")}
	got := commitsOf(t, ix, tip, "incidents/2026/INC-000001.yaml")
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %v, want %v", got, want)
	}
	if ix.Commit(plumbing.NewHash(r.git("rev-parse", "HEAD@{2}"))) != nil {
		t.Errorf("a commit of the rewritten history is still in the index")
	}
}

func TestCacheDamagedIsRebuilt(t *testing.T) {
	r := newGitRepo(t)
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	r.commit("open")
	ix, _, _ := syncHEAD(t, r.dir, Options{})
	b, err := os.ReadFile(ix.path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-3] ^= 0xff
	if err := os.WriteFile(ix.path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, st := syncHEAD(t, r.dir, Options{})
	if st.Read != 1 {
		t.Errorf("got %+v, want the damaged cache ignored and the commit read again", st)
	}
}

// TestDetachedHEADIsNotARewrite: checking out older commits (as CI does) is not a rewritten
// history; only a named branch's tip is followed from run to run.
func TestDetachedHEADIsNotARewrite(t *testing.T) {
	r := newGitRepo(t)
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	first := r.commit("open")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "in_progress"))
	second := r.commit("work")
	r.git("checkout", "-q", "--detach", second)
	syncHEAD(t, r.dir, Options{})
	r.git("checkout", "-q", "--detach", first)
	_, _, st := syncHEAD(t, r.dir, Options{})
	if st.Rebuilt || st.Read != 0 {
		t.Errorf("got %+v, want the cache used as is", st)
	}
}

package history

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// buildMixed makes a history with every way a record change reaches main: direct commits, a
// merge commit, a squash merge, a rebase merge, a move across folders, a delete and re-add,
// and a branch that edits the record while main does too.
func buildMixed(t *testing.T) *gitRepo {
	r := newGitRepo(t)
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	r.write("incidents/2026/INC-000002.yaml", incident("INC-000002", "new"))
	r.write("README.md", "records\n")
	r.commit("initial records")

	// A merge commit from a feature branch.
	r.git("checkout", "-q", "-b", "feature/a")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "in_progress"))
	r.commit("INC-000001: start work")
	r.write("incidents/2026/INC-000002.yaml", incident("INC-000002", "in_progress"))
	r.commit("INC-000002: start work")
	r.git("checkout", "-q", "main")
	r.write("README.md", "records, more\n")
	r.commit("readme")
	r.merge("feature/a", "Merge pull request #1 from org/feature/a")

	// A squash merge.
	r.git("checkout", "-q", "-b", "feature/b")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "on_hold", "on_hold_reason: awaiting_vendor"))
	r.commit("wip")
	r.git("checkout", "-q", "main")
	r.clock++
	r.git("merge", "-q", "--squash", "feature/b")
	r.git("commit", "-q", "-m", "INC-000001: on hold (#2)")

	// A rebase merge: the branch's commits replayed on main.
	r.git("checkout", "-q", "-b", "feature/c")
	r.write("incidents/2026/INC-000001.yaml", incident("INC-000001", "in_progress", "assignee: frank"))
	r.commit("INC-000001: back in progress")
	r.git("checkout", "-q", "main")
	r.write("incidents/2026/INC-000002.yaml", incident("INC-000002", "resolved"))
	r.commit("INC-000002: resolved")
	r.clock++
	r.git("rebase", "-q", "main", "feature/c")
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--ff-only", "feature/c")

	// A move across folders, with an edit.
	r.git("rm", "-q", "incidents/2026/INC-000001.yaml")
	r.write("incidents/archive/INC-000001.yaml", incident("INC-000001", "in_progress", "assignee: ivan"))
	r.commit("archive INC-000001")

	// Deleted, then added again.
	r.git("rm", "-q", "incidents/2026/INC-000002.yaml")
	r.commit("delete INC-000002")
	r.write("README.md", "records, even more\n")
	r.commit("readme again")
	// Restored with content of its own: git log --follow would take a file this much like
	// another record for a copy of it and list that record's history too.
	r.write("incidents/2026/INC-000002.yaml", "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000002\ntitle: Payment provider timeouts during the evening peak\nstate: closed\nimpact: 1\nurgency: 1\nopened_at: 2026-01-03T18:00:00Z\nresolution:\n  code: solved_permanently\n  notes: The provider raised our connection pool limit after the escalation call.\ntimeline:\n  - at: 2026-01-03T18:00:00Z\n    state: new\n    by: heidi\n    note: Restored from the archive after an accidental deletion by the cleanup job.\n")
	r.commit("INC-000002: restored")

	// A branch and main both edit the record: the merge differs from both parents.
	r.git("checkout", "-q", "-b", "feature/d")
	r.write("incidents/archive/INC-000001.yaml", incident("INC-000001", "in_progress", "assignee: ivan", "category: network"))
	r.commit("INC-000001: category")
	r.git("checkout", "-q", "main")
	r.write("incidents/archive/INC-000001.yaml", incident("INC-000001", "in_progress", "assignee: ivan", "channel: phone"))
	r.commit("INC-000001: channel")
	r.clock++
	cmd := []string{"merge", "-q", "--no-ff", "-m", "Merge pull request #4 from org/feature/d", "feature/d"}
	r.tryGit(cmd...)
	return r
}

func TestLogMatchesGitLogFollow(t *testing.T) {
	r := buildMixed(t)
	if st := r.git("status", "--porcelain"); st != "" {
		// The last merge conflicts: resolve it by hand, as people do.
		r.write("incidents/archive/INC-000001.yaml", incident("INC-000001", "in_progress", "assignee: ivan", "category: network", "channel: phone"))
		r.git("add", "-A")
		r.git("commit", "-q", "--no-edit")
	}
	ix, err := Open(r.dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tip, ref, err := ix.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), ref, tip, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"incidents/archive/INC-000001.yaml", "incidents/2026/INC-000002.yaml"} {
		t.Run(p, func(t *testing.T) {
			want := strings.Fields(r.git("log", "--follow", "--format=%H", "--", p))
			es, err := ix.Log(tip, p)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Commit.Hash.String())
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("commits differ from git log --follow (-git +gitsm):\n%s", diff)
			}
		})
	}
}

func TestLogChangesAndPullRequests(t *testing.T) {
	r := buildMixed(t)
	if st := r.git("status", "--porcelain"); st != "" {
		r.write("incidents/archive/INC-000001.yaml", incident("INC-000001", "in_progress", "assignee: ivan", "category: network", "channel: phone"))
		r.git("add", "-A")
		r.git("commit", "-q", "--no-edit")
	}
	ix, tip, _ := syncHEAD(t, r.dir, Options{})
	introduced := ix.Introduced(tip)
	type row struct {
		Subject, Change, OldPath string
		PR                       int
	}
	var got []row
	es, err := ix.Log(tip, "incidents/archive/INC-000001.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		old := ""
		if e.OldPath != e.Path {
			old = e.OldPath
		}
		got = append(got, row{e.Commit.Subject, e.Change, old, PR(e.Commit, nil, introduced, ix.Commit)})
	}
	want := []row{
		{"INC-000001: channel", Modified, "", 0},
		{"INC-000001: category", Modified, "", 4},
		{"archive INC-000001", Renamed, "incidents/2026/INC-000001.yaml", 0},
		{"INC-000001: back in progress", Modified, "", 0},
		{"INC-000001: on hold (#2)", Modified, "", 2},
		{"INC-000001: start work", Modified, "", 1},
		{"initial records", Added, "", 0},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	es, err = ix.Log(tip, "incidents/2026/INC-000002.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, e.Change)
	}
	if d := cmp.Diff([]string{Added, Deleted, Modified, Modified, Added}, kinds); d != "" {
		t.Errorf("deleted and re-added (-want +got):\n%s", d)
	}
}

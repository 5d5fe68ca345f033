package check

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/gitrepo"
)

// TestBaseTreeEqualsFullRead reads the base of validate --base the short way (only the folders
// whose tree differs from git's index) in a repository whose index differs from the base in
// every way a pull request's can — a commit since the base, a staged change, a staged
// deletion, a new folder, a merge conflict, the records root a subfolder — and compares every
// lookup with the whole base tree as go-git lists it.
func TestBaseTreeEqualsFullRead(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	for _, prefix := range []string{"", "ops/records"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			top := t.TempDir()
			root := filepath.Join(top, filepath.FromSlash(prefix))
			env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+top, "GIT_AUTHOR_NAME=t",
				"GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
			git := func(ok bool, args ...string) {
				t.Helper()
				c := exec.Command("git", args...)
				c.Dir, c.Env = top, env
				if out, err := c.CombinedOutput(); (err == nil) != ok {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			write := func(rel, data string) {
				t.Helper()
				p := filepath.Join(root, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			git(true, "init", "-q", "-b", "main")
			for _, rel := range []string{
				"incidents/2024/01/INC-1.yaml", "incidents/2024/01/INC-2.yaml", "incidents/2024/02/INC-3.yaml",
				"incidents/2025/01/INC-4.yaml", "changes/2024/CHG-1.yaml", "changes/2024/CHG-2.yaml",
				"problems/PRB-1.yaml", "problems/notes.txt", "cis/CI-1.yaml", "README.yaml",
			} {
				write(rel, rel+"\n")
			}
			git(true, "add", "-A")
			git(true, "commit", "-q", "-m", "base")
			git(true, "branch", "base")
			write("incidents/2024/01/INC-2.yaml", "edited\n")
			git(true, "commit", "-q", "-am", "edit")
			write("changes/2024/CHG-1.yaml", "staged\n")
			write("changes/2026/CHG-9.yaml", "new folder\n")
			git(true, "add", "-A")
			git(true, "rm", "-q", "--cached", filepath.Join(prefix, "cis/CI-1.yaml"))
			write("incidents/2025/01/INC-4.yaml", "work tree only\n")
			check := func() {
				t.Helper()
				repo, commit, err := (&Engine{Root: root}).openBase("base")
				if err != nil {
					t.Fatal(err)
				}
				bt, err := (&Engine{Root: root}).readBase(repo, commit, "base")
				if err != nil {
					t.Fatal(err)
				}
				all, err := repo.Files(commit, "incidents", "changes", "problems", "cis")
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]gitrepo.Entry{}
				for _, en := range all {
					if gitrepo.IsRecordPath(en.Path) {
						want[en.Path] = en
					}
				}
				got := map[string]gitrepo.Entry{}
				if err := bt.each(func(en gitrepo.Entry) error { got[en.Path] = en; return nil }); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("base files (-full read +short way):\n%s", diff)
				}
				if bt.size != len(want) {
					t.Errorf("size = %d, want %d", bt.size, len(want))
				}
				paths := []string{"incidents/2024/01/INC-1.yaml", "incidents/2024/01/INC-2.yaml", "incidents/2024/02/INC-3.yaml",
					"incidents/2025/01/INC-4.yaml", "changes/2024/CHG-1.yaml", "changes/2024/CHG-2.yaml", "changes/2026/CHG-9.yaml",
					"problems/PRB-1.yaml", "problems/notes.txt", "cis/CI-1.yaml", "README.yaml", "incidents/2024/01/INC-0.yaml"}
				// The cursor, in path order and out of it, finds what lookup finds.
				cur := bt.cursor()
				for _, p := range append(slices.Sorted(slices.Values(paths)), paths...) {
					en, ok := bt.lookup(p)
					w, wok := want[p]
					if ok != wok || en != w {
						t.Errorf("lookup(%s) = %v %v, want %v %v", p, en, ok, w, wok)
					}
					if en, ok := cur.lookup(p); ok != wok || en != w {
						t.Errorf("cursor lookup(%s) = %v %v, want %v %v", p, en, ok, w, wok)
					}
				}
				if len(bt.same) == 0 {
					t.Errorf("no folder was taken from the index: the short way was not taken")
				}
			}
			check()
			// A merge conflict in the index.
			git(true, "commit", "-q", "-m", "more")
			git(true, "clean", "-q", "-fd")
			git(true, "reset", "-q", "--hard")
			git(true, "checkout", "-q", "-b", "side", "base")
			write("incidents/2024/01/INC-2.yaml", "side\n")
			git(true, "commit", "-q", "-am", "side")
			git(false, "merge", "-q", "main")
			check()
		})
	}
}

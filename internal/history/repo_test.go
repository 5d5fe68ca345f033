package history

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo is a real repository in a temp dir, driven by the git CLI, with a clock that moves
// forward one minute per commit so that the order of commits is well defined.
type gitRepo struct {
	t     *testing.T
	dir   string
	clock int
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.git("config", "user.name", "Grace Hopper")
	r.git("config", "user.email", "grace@example.com")
	r.git("config", "commit.gpgsign", "false")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := fmt.Sprintf("2026-01-01T00:%02d:%02dZ", r.clock/60, r.clock%60)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// tryGit runs git and ignores a failure (a merge that stops on a conflict).
func (r *gitRepo) tryGit(args ...string) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := fmt.Sprintf("2026-01-01T00:%02d:%02dZ", r.clock/60, r.clock%60)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	_ = cmd.Run()
}

func (r *gitRepo) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *gitRepo) commit(msg string) string {
	r.t.Helper()
	r.clock++
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// merge merges branch into the current branch with a merge commit, as GitHub's merge button.
func (r *gitRepo) merge(branch, msg string) string {
	r.t.Helper()
	r.clock++
	r.git("merge", "-q", "--no-ff", "-m", msg, branch)
	return r.git("rev-parse", "HEAD")
}

func incident(id, state string, extra ...string) string {
	s := fmt.Sprintf("apiVersion: gitsm/v1\nkind: Incident\nid: %s\ntitle: Checkout returns 502\nstate: %s\nimpact: 2\nurgency: 2\nopened_at: 2026-01-01T09:00:00Z\ntimeline:\n  - at: 2026-01-01T09:00:00Z\n    state: new\n    by: grace\n", id, state)
	for _, e := range extra {
		s += e + "\n"
	}
	return s
}

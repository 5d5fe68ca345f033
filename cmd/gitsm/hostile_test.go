package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gitsmRepo makes a git repository with `gitsm init` in a temp dir and returns its path. The
// gitsm on PATH is this test binary (testscript.Main puts it there).
func gitsmRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	run(t, dir, "git", "init", "-q")
	run(t, dir, "gitsm", "init", ".")
	run(t, dir, "git", "add", "-A")
	run(t, dir, "git", "commit", "-qm", "init")
	return dir
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out, err := gitsmCmd(dir, name, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func gitsmCmd(dir, name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Dir = dir
	c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "NO_COLOR=1")
	return c
}

// TestConcurrentSet runs ten `gitsm set` processes on one record at once: every one must
// apply (they take the record's edit lock in turn), none may be lost.
func TestConcurrentSet(t *testing.T) {
	dir := gitsmRepo(t)
	rel := run(t, dir, "gitsm", "new", "incident", "--title", "t", "--set", "impact=2", "--set", "urgency=2")
	id := strings.TrimSuffix(filepath.Base(rel), ".yaml")
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	outs := make([][]byte, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = gitsmCmd(dir, "gitsm", "set", id, fmt.Sprintf("x-f%d=v%d", i, i)).CombinedOutput()
		}()
	}
	wg.Wait()
	src, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("set x-f%d: %v\n%s", i, errs[i], outs[i])
			continue
		}
		if want := fmt.Sprintf("x-f%d: v%d\n", i, i); !bytes.Contains(src, []byte(want)) {
			t.Errorf("x-f%d exited 0 but is not in the record: a lost update\n%s", i, src)
		}
	}
	if out, err := gitsmCmd(dir, "gitsm", "validate").CombinedOutput(); err != nil {
		t.Errorf("validate after the edits: %v\n%s", err, out)
	}
}

// TestKilledWrites kills `gitsm new` and `gitsm set` at random moments: every record must be
// whole (the repository validates) and no temporary file may show in `git status`.
func TestKilledWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills hundreds of processes")
	}
	dir := gitsmRepo(t)
	rel := run(t, dir, "gitsm", "new", "incident", "--title", "t", "--set", "impact=2", "--set", "urgency=2")
	id := strings.TrimSuffix(filepath.Base(rel), ".yaml")
	// How long a run takes here, so that the kills land across the whole run.
	start := time.Now()
	run(t, dir, "gitsm", "set", id, "x-probe=1")
	span := time.Since(start)
	killed := 0
	for i := range 100 {
		c := gitsmCmd(dir, "gitsm", "new", "incident", "--title", fmt.Sprint("k", i), "--set", "impact=3", "--set", "urgency=3")
		if i%2 == 1 {
			c = gitsmCmd(dir, "gitsm", "set", id, fmt.Sprintf("x-k%d=v", i))
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(span * 3 / 2))))
		_ = c.Process.Signal(syscall.SIGKILL)
		if c.Wait() != nil && !c.ProcessState.Exited() {
			killed++
		}
	}
	if killed < 20 {
		t.Fatalf("only %d of 100 runs were killed before they ended; the test proves nothing", killed)
	}
	t.Logf("%d of 100 runs killed (a run takes about %v)", killed, span)
	err := filepath.WalkDir(filepath.Join(dir, "incidents"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		if info, err := d.Info(); err != nil || info.Size() == 0 {
			t.Errorf("%s is empty after a killed run", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := gitsmCmd(dir, "gitsm", "validate").CombinedOutput(); err != nil {
		t.Errorf("validate after killed runs: %v\n%s", err, out)
	}
	for _, line := range strings.Split(run(t, dir, "git", "status", "--porcelain", "--untracked-files=all"), "\n") {
		if line != "" && !strings.HasSuffix(line, ".yaml") {
			t.Errorf("git status lists %q after killed runs", line)
		}
		if strings.Contains(line, "gitsm-") {
			t.Errorf("git status lists a temporary file: %q", line)
		}
	}
}

// TestRepoFlagLikeGit checks -C as git -C has it: the paths new, set and transition print are
// relative to the -C folder, so `git -C DIR add "$(gitsm -C DIR new …)"` works from anywhere.
func TestRepoFlagLikeGit(t *testing.T) {
	dir := gitsmRepo(t)
	elsewhere := t.TempDir()
	rel := run(t, elsewhere, "gitsm", "-C", dir, "new", "incident", "--title", "t", "--set", "impact=2", "--set", "urgency=2")
	run(t, elsewhere, "git", "-C", dir, "add", rel)
	id := strings.TrimSuffix(filepath.Base(rel), ".yaml")
	if got := run(t, elsewhere, "gitsm", "-C", dir, "set", id, "x-a=1"); got != rel {
		t.Errorf("set printed %q, want %q", got, rel)
	}
	if got := run(t, elsewhere, "gitsm", "-C", dir, "transition", id, "in_progress"); got != rel {
		t.Errorf("transition printed %q, want %q", got, rel)
	}
	// -C a folder inside the repository: paths are relative to that folder.
	sub := filepath.Join(dir, "incidents")
	got := run(t, elsewhere, "gitsm", "-C", sub, "set", id, "x-a=2")
	if want, _ := filepath.Rel("incidents", rel); got != filepath.ToSlash(want) {
		t.Errorf("-C incidents: set printed %q, want %q", got, want)
	}
	run(t, elsewhere, "git", "-C", sub, "add", got)
}

// TestRepoFlagPlainFolder checks a folder of records that is in no repository: with -C it is
// the root and gets checked; without -C gitsm says it found no repository (exit 2).
func TestRepoFlagPlainFolder(t *testing.T) {
	dir := gitsmRepo(t)
	rel := run(t, dir, "gitsm", "new", "incident", "--title", "t", "--set", "impact=2", "--set", "urgency=2")
	plain := t.TempDir()
	src, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(plain, "incidents"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plain, "incidents", filepath.Base(rel)), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := gitsmCmd(t.TempDir(), "gitsm", "-C", plain, "validate").CombinedOutput(); err != nil {
		t.Errorf("gitsm -C PLAIN validate: %v, want exit 0\n%s", err, out)
	}
	c := gitsmCmd(plain, "gitsm", "validate")
	if out, err := c.CombinedOutput(); c.ProcessState == nil || c.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "not in a gitsm records repository") {
		t.Errorf("gitsm validate in a plain folder: %v, want exit 2 and no repository\n%s", err, out)
	}
}

// TestValidatePathsAndSymlinks checks `validate .` inside a repository and a record named
// through a symlinked folder inside it, which is the record the walk finds, not a duplicate.
func TestValidatePathsAndSymlinks(t *testing.T) {
	dir := gitsmRepo(t)
	rel := run(t, dir, "gitsm", "new", "incident", "--title", "t", "--set", "impact=2", "--set", "urgency=2")
	for _, args := range [][]string{{"validate", "."}, {"validate", "incidents"}, {"-C", "incidents", "validate", "."}} {
		if out, err := gitsmCmd(dir, "gitsm", args...).CombinedOutput(); err != nil {
			t.Errorf("gitsm %s: %v, want exit 0\n%s", strings.Join(args, " "), err, out)
		}
	}
	year := filepath.Base(filepath.Dir(rel))
	if err := os.Symlink(year, filepath.Join(dir, "incidents", "current")); err != nil {
		t.Skip(err)
	}
	out, _ := gitsmCmd(dir, "gitsm", "validate", filepath.Join("incidents", "current", filepath.Base(rel))).CombinedOutput()
	if strings.Contains(string(out), "id.duplicate") {
		t.Errorf("a record named through a symlinked folder is reported as its own duplicate:\n%s", out)
	}
	if !strings.Contains(string(out), "1 record checked") {
		t.Errorf("want the record checked once:\n%s", out)
	}
}

// TestFindingPathsRelativeToDir checks the text report's paths: relative to the -C folder (or
// the working directory), as git status gives them; json keeps them relative to the root.
func TestFindingPathsRelativeToDir(t *testing.T) {
	dir := gitsmRepo(t)
	rel := run(t, dir, "gitsm", "new", "incident", "--title", "t", "--set", "impact=2", "--set", "urgency=2")
	p := filepath.Join(dir, rel)
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(src, "bogus: 1\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	fromIncidents := strings.TrimPrefix(rel, "incidents/") + ":"
	tests := []struct {
		name string
		dir  string
		args []string
		want string
	}{
		{"-C the root", t.TempDir(), []string{"-C", dir, "validate"}, rel + ":"},
		{"-C a subfolder", t.TempDir(), []string{"-C", filepath.Join(dir, "incidents"), "validate"}, fromIncidents},
		{"in a subfolder", filepath.Join(dir, "incidents"), []string{"validate"}, fromIncidents},
		{"json from a subfolder", filepath.Join(dir, "incidents"), []string{"validate", "--format", "json"}, `"path": "` + rel + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := gitsmCmd(tt.dir, "gitsm", tt.args...).Output()
			if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(tt.want)).Match(out) {
				t.Errorf("gitsm %s: want %q in the report:\n%s", strings.Join(tt.args, " "), tt.want, out)
			}
		})
	}
}

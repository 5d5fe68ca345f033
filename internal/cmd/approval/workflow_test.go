package approval_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The record workflow's step, run by bash as GitHub runs it (-eo pipefail) with gitsm and git
// stubbed: evidence that says "not approved" (exit 1) is still pushed, and the job still fails;
// exit 2 wrote nothing, so nothing is pushed.
func TestRecordWorkflowPublishesNotApprovedEvidence(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	dir := t.TempDir()
	if code, _, errOut := run(t, dir, map[string]string{}, "init", "records"); code != 0 {
		t.Fatalf("gitsm init: exit %d\n%s", code, errOut)
	}
	src, err := os.ReadFile(filepath.Join(dir, "records", ".github", "workflows", "gitsm-approval-record.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct{ Name, Run string }
		}
	}
	if err := yaml.Unmarshal(src, &wf); err != nil {
		t.Fatal(err)
	}
	script := ""
	for _, st := range wf.Jobs["record"].Steps {
		if st.Name == "Record the approval evidence" {
			script = st.Run
		}
	}
	if script == "" {
		t.Fatalf("no step \"Record the approval evidence\" in:\n%s", src)
	}
	for _, tt := range []struct {
		gitsmExit, wantExit int
		wantPush            bool
	}{{0, 0, true}, {1, 1, true}, {2, 2, false}} {
		bin := t.TempDir()
		log := filepath.Join(bin, "git.log")
		stub := func(name, body string) {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		stub("git", `echo "$@" >> "`+log+`"`)
		stub("gitsm", "exit "+string(rune('0'+tt.gitsmExit)))
		cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
		cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "PR=7", "GITHUB_TOKEN=x"}
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		logged, _ := os.ReadFile(log)
		pushed := strings.Contains(string(logged), "push origin refs/notes/gitsm")
		if code != tt.wantExit || pushed != tt.wantPush {
			t.Errorf("gitsm exits %d: step exits %d, pushed %v; want %d, %v\n%s%s", tt.gitsmExit, code, pushed, tt.wantExit, tt.wantPush, out, logged)
		}
	}
}

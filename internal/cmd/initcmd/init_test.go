package initcmd

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/iostreams"
	"github.com/gitsm/gitsm/internal/policy"
)

func TestTemplates(t *testing.T) {
	vars := struct{ Version, Branch, WorkDir string }{"v1.2.3", "main", "records/itsm"}
	files, err := plan("/r", "/g", vars)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]byte{}
	for _, f := range files {
		byName[filepath.Base(f.path)] = f.content
	}

	t.Run("config holds the defaults", func(t *testing.T) {
		got, err := config.Parse(byName["config.yaml"])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(config.Default(), got, cmpopts.IgnoreFields(config.Config{}, "Hash")); diff != "" {
			t.Errorf("the config template differs from the defaults (-want +got):\n%s", diff)
		}
	})
	t.Run("policy parses", func(t *testing.T) {
		p, err := policy.Parse(byName["policy.yaml"])
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.Groups["cab"]; !ok {
			t.Error("the starter policy has no cab group")
		}
		for _, g := range p.Groups {
			for _, m := range g.Members {
				if !strings.Contains(m, "--") {
					t.Errorf("placeholder login %q could be a real GitHub account; use one with --", m)
				}
			}
		}
	})
	for _, name := range []string{"gitsm-validate.yml", "gitsm-approval.yml", "gitsm-approval-record.yml"} {
		t.Run(name, func(t *testing.T) {
			src := byName[name]
			var doc map[string]any
			if err := yaml.Unmarshal(src, &doc); err != nil {
				t.Fatalf("not YAML: %v", err)
			}
			for _, want := range []string{`GITSM_VERSION: "v1.2.3"`, `working-directory: "records/itsm"`} {
				if !strings.Contains(string(src), want) {
					t.Errorf("missing %s", want)
				}
			}
			if strings.Contains(string(src), "[[") {
				t.Error("an unexpanded template action is left")
			}
			if _, ok := doc["permissions"]; !ok {
				t.Error("no top-level permissions: the token would get the repository's defaults")
			}
		})
	}
}

// workflow is the part of a GitHub Actions workflow the tests look at.
type workflow struct {
	Name        string
	On          map[string]any
	Permissions any
	Jobs        map[string]struct {
		If          string
		Permissions map[string]string
		Env         map[string]string
		Steps       []struct {
			Name string
			Uses string
			With map[string]any
			Env  map[string]string
			Run  string
		}
	}
}

func workflows(t *testing.T) map[string]workflow {
	t.Helper()
	files, err := plan("/r", "/r", struct{ Version, Branch, WorkDir string }{"v1.2.3", "main", "."})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]workflow{}
	for _, f := range files {
		if !strings.HasSuffix(f.path, ".yml") {
			continue
		}
		var wf workflow
		if err := yaml.Unmarshal(f.content, &wf); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f.path), err)
		}
		out[filepath.Base(f.path)] = wf
	}
	return out
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s+(.*)$`)

var pinned = regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9-]+@[0-9a-f]{40}$`)

// Every action of every installed workflow is pinned by a full commit SHA with its version in a
// comment, every checkout keeps no credentials, and no job gets a token in its environment.
func TestWorkflowsPinnedAndLeastPrivilege(t *testing.T) {
	files, err := plan("/r", "/r", struct{ Version, Branch, WorkDir string }{"v1.2.3", "main", "."})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.path, ".yml") {
			continue
		}
		for i, line := range strings.Split(string(f.content), "\n") {
			m := usesLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			ref, comment, _ := strings.Cut(m[1], " # ")
			if !pinned.MatchString(ref) || !regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(comment) {
				t.Errorf("%s:%d: %q is not pinned as owner/name@<40-hex SHA> # vX.Y.Z", filepath.Base(f.path), i+1, strings.TrimSpace(line))
			}
		}
	}
	for name, wf := range workflows(t) {
		for id, job := range wf.Jobs {
			for k := range job.Env {
				if k == "GITHUB_TOKEN" || k == "GH_TOKEN" {
					t.Errorf("%s: job %s gives every step the token (%s); give it to the steps that need it", name, id, k)
				}
			}
			for _, s := range job.Steps {
				if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != false {
					t.Errorf("%s: job %s: checkout without persist-credentials: false", name, id)
				}
			}
		}
		if name == "gitsm-validate.yml" {
			continue // its triggers and permissions are its own
		}
		if p, ok := wf.Permissions.(map[string]any); !ok || len(p) != 0 {
			t.Errorf("%s: top-level permissions %v, want {} (each job names what it needs)", name, wf.Permissions)
		}
	}
}

// The gate never runs a pull request's copy of itself nor its code: it triggers on
// pull_request_target, workflow_run (from the trigger workflow) and merge_group only, checks out
// the base, and fetches the head as data.
func TestApprovalWorkflowNeverRunsHeadCode(t *testing.T) {
	wfs := workflows(t)
	gate, trigger := wfs["gitsm-approval.yml"], wfs["gitsm-approval-trigger.yml"]
	if diff := cmp.Diff([]string{"merge_group", "pull_request_target", "workflow_run"}, keys(gate.On)); diff != "" {
		t.Errorf("gate triggers (-want +got):\n%s", diff)
	}
	run, _ := gate.On["workflow_run"].(map[string]any)
	if diff := cmp.Diff([]any{trigger.Name}, run["workflows"]); diff != "" {
		t.Errorf("the gate's workflow_run does not follow the trigger workflow (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pull_request_review"}, keys(trigger.On)); diff != "" {
		t.Errorf("trigger triggers (-want +got):\n%s", diff)
	}
	for _, job := range trigger.Jobs {
		if len(job.Permissions) != 0 || len(job.Env) != 0 {
			t.Errorf("the trigger job has permissions %v or env %v; it needs none", job.Permissions, job.Env)
		}
		for _, s := range job.Steps {
			if s.Uses != "" || strings.Contains(s.Run, "${{") {
				t.Errorf("the trigger step %q uses an action or an expression", s.Name)
			}
		}
	}
	job := gate.Jobs["approval"]
	want := map[string]string{"contents": "read", "pull-requests": "read", "statuses": "write", "issues": "write"}
	if diff := cmp.Diff(want, job.Permissions); diff != "" {
		t.Errorf("gate permissions (-want +got):\n%s", diff)
	}
	if !strings.Contains(job.If, "github.event.workflow_run.event == 'pull_request_review'") {
		t.Errorf("the gate runs on any workflow_run: if %q", job.If)
	}
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "actions/checkout") {
			ref, _ := s.With["ref"].(string)
			if strings.Contains(ref, "head") || !strings.Contains(ref, "base") {
				t.Errorf("checkout of %q, want the base", ref)
			}
		}
		if strings.Contains(s.Run, "checkout") || strings.Contains(s.Run, "head.ref") {
			t.Errorf("a step may run head code: %q", s.Run)
		}
		if _, ok := s.Env["GITHUB_TOKEN"]; ok && !strings.Contains(s.Run, "gitsm approval check") && !strings.Contains(s.Run, "git -c") {
			t.Errorf("step %q gets the token without needing it", s.Name)
		}
	}
	if gate.Jobs["approval"].Env["GITSM_VERSION"] != "v1.2.3" {
		t.Errorf("GITSM_VERSION = %q, want the pinned v1.2.3", gate.Jobs["approval"].Env["GITSM_VERSION"])
	}
}

func TestInstallVersion(t *testing.T) {
	info := func(path, version string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: path, Version: version}}, true
		}
	}
	tests := []struct {
		name, version string
		info          func() (*debug.BuildInfo, bool)
		want          string
	}{
		{"a release build", "v1.4.0", info("github.com/gitsm/gitsm", "(devel)"), "v1.4.0"},
		{"go install @v1.4.1", "dev", info("github.com/gitsm/gitsm", "v1.4.1"), "v1.4.1"},
		{"go install @commit", "dev", info("github.com/gitsm/gitsm", "v0.0.0-20260301120000-0123456789ab"), "v0.0.0-20260301120000-0123456789ab"},
		{"a dirty checkout", "dev", info("github.com/gitsm/gitsm", "v0.0.0-20260301120000-0123456789ab+dirty"), "latest"},
		{"a development build", "abc1234", info("github.com/gitsm/gitsm", "(devel)"), "latest"},
		{"no build info", "dev", func() (*debug.BuildInfo, bool) { return nil, false }, "latest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := installVersion(tt.version, tt.info); got != tt.want {
				t.Errorf("installVersion = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunRefusesThenForces(t *testing.T) {
	dir := t.TempDir()
	ios, _, out, _ := iostreams.Test()
	f := &command.Factory{IO: ios, WorkDir: dir, Getenv: func(string) string { return "" }, Now: time.Now, Version: "v0.9.0", Quiet: true}
	if err := Run(context.Background(), &Options{Factory: f}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "initialized an empty git repository in . (branch main)") {
		t.Errorf("output does not say git was initialized:\n%s", out)
	}
	wf, _ := os.ReadFile(filepath.Join(dir, ".github", "workflows", "gitsm-validate.yml"))
	if !strings.Contains(string(wf), `GITSM_VERSION: "v0.9.0"`) {
		t.Error("a release build does not pin its own version in the workflows")
	}
	mine := []byte("id_digits: 4\n")
	cfgPath := filepath.Join(dir, ".gitsm", "config.yaml")
	if err := os.WriteFile(cfgPath, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), &Options{Factory: f})
	if command.ExitCode(err) != 1 {
		t.Fatalf("second init: %v, want exit 1", err)
	}
	if got, _ := os.ReadFile(cfgPath); string(got) != string(mine) {
		t.Error("a refused init changed the config")
	}
	if err := Run(context.Background(), &Options{Factory: f, Force: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(cfgPath); string(got) == string(mine) {
		t.Error("init --force left the config as it was")
	}
}

func TestNewCmdInitFlags(t *testing.T) {
	tests := []struct {
		args []string
		want Options
	}{
		{nil, Options{}},
		{[]string{"records"}, Options{Dir: "records"}},
		{[]string{"--force", "--gitsm-version", "v1.0.0", "x"}, Options{Dir: "x", Force: true, GitsmVersion: "v1.0.0"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdInit(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

package initcmd

import (
	"context"
	"os"
	"path/filepath"
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

func TestApprovalWorkflowNeverRunsHeadCode(t *testing.T) {
	files, err := plan("/r", "/r", struct{ Version, Branch, WorkDir string }{"latest", "main", "."})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f.path) != "gitsm-approval.yml" {
			continue
		}
		var wf struct {
			Permissions map[string]string
			Jobs        map[string]struct {
				Steps []struct {
					Uses string
					With map[string]any
					Run  string
				}
			}
		}
		if err := yaml.Unmarshal(f.content, &wf); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"contents": "read", "pull-requests": "read", "statuses": "write", "issues": "write"}
		if diff := cmp.Diff(want, wf.Permissions); diff != "" {
			t.Errorf("permissions (-want +got):\n%s", diff)
		}
		for _, job := range wf.Jobs {
			for _, s := range job.Steps {
				if strings.HasPrefix(s.Uses, "actions/checkout") && s.With["ref"] != "${{ github.event.pull_request.base.sha }}" {
					t.Errorf("checkout of %v, want the base commit", s.With["ref"])
				}
				if strings.Contains(s.Run, "checkout") || strings.Contains(s.Run, "head.ref") {
					t.Errorf("a step may run head code: %q", s.Run)
				}
			}
		}
		return
	}
	t.Fatal("no gitsm-approval.yml planned")
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

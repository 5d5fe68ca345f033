package transition

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/iostreams"
)

const incident = `apiVersion: gitsm/v1
kind: Incident
id: INC-000001
title: Reopened
state: resolved
impact: 3
urgency: 3
opened_at: 2026-03-02T10:00:00Z
acknowledged_at: 2026-03-02T10:05:00Z
resolved_at: 2026-03-02T11:00:00Z
resolution:
  code: solved_workaround
timeline:
  - at: 2026-03-02T10:00:00Z
    state: new
    by: a
  - at: 2026-03-02T10:05:00Z
    state: in_progress
    by: a
  - at: 2026-03-02T11:00:00Z
    state: resolved
    by: a
`

const problem = `apiVersion: gitsm/v1
kind: Problem
id: PRB-000001
title: Pool exhaustion
state: new
impact: 2
urgency: 2
assignment_group: ops
opened_at: 2026-03-02T10:00:00Z
timeline:
  - at: 2026-03-02T10:00:00Z
    state: new
    by: a
`

const standardChange = `apiVersion: gitsm/v1
kind: Change
id: CHG-000001
title: Rotate a certificate
type: standard
template: std-cert
state: new
cis: [web]
requested_by: a
assignment_group: ops
timeline:
  - at: 2026-03-02T10:00:00Z
    state: new
    by: a
`

const ci = `apiVersion: gitsm/v1
kind: CI
id: web
title: Web
class: application
owner: ops
environment: production
lifecycle: production
`

const cfg = `templates:
  - id: std-cert
    title: Rotate a certificate
`

func repo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range map[string]string{
		".gitsm/config.yaml":             cfg,
		"incidents/2026/INC-000001.yaml": incident,
		"problems/2026/PRB-000001.yaml":  problem,
		"changes/2026/CHG-000001.yaml":   standardChange,
		"cis/web.yaml":                   ci,
	} {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func run(t *testing.T, root string, opts Options) (string, error) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	opts.Factory = &command.Factory{IO: ios, WorkDir: root, Quiet: true,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC) }}
	if opts.By == "" {
		opts.By = "tester"
	}
	err := Run(context.Background(), &opts)
	return out.String(), err
}

func read(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReopenAndResolveAgain(t *testing.T) {
	root := repo(t)
	const rel = "incidents/2026/INC-000001.yaml"
	if _, err := run(t, root, Options{ID: "INC-000001", State: "in_progress", At: "2026-03-03T09:00:00Z", Note: "It is back"}); err != nil {
		t.Fatal(err)
	}
	got := read(t, root, rel)
	// A reopen keeps resolved_at: it is still the time of the last resolved entry.
	for _, want := range []string{"state: in_progress\n", "resolved_at: 2026-03-02T11:00:00Z\n", "    note: It is back\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("after the reopen the record lacks %q:\n%s", want, got)
		}
	}
	if _, err := run(t, root, Options{ID: "INC-000001", State: "resolved", At: "2026-03-03T12:00:00Z",
		Sets: []string{"resolution.code=solved_permanently"}}); err != nil {
		t.Fatal(err)
	}
	got = read(t, root, rel)
	for _, want := range []string{"resolved_at: 2026-03-03T12:00:00Z\n", "  code: solved_permanently\n", "acknowledged_at: 2026-03-02T10:05:00Z\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("after resolving again the record lacks %q:\n%s", want, got)
		}
	}
}

func TestProblemWalk(t *testing.T) {
	root := repo(t)
	steps := []Options{
		{State: "assess", At: "2026-03-02T11:00:00Z"},
		{State: "root_cause_analysis", At: "2026-03-03T11:00:00Z"},
		{State: "fix-in-progress", At: "2026-03-04T11:00:00Z", Sets: []string{"root_cause=Pool too small", "known_error=true"}},
		{State: "resolved", At: "2026-03-05T11:00:00Z", Sets: []string{"resolution.code=fixed"}},
		{State: "closed", At: "2026-03-06T11:00:00Z"},
	}
	for _, s := range steps {
		s.ID = "PRB-000001"
		if _, err := run(t, root, s); err != nil {
			t.Fatalf("to %s: %v", s.State, err)
		}
	}
	got := read(t, root, "problems/2026/PRB-000001.yaml")
	for _, want := range []string{"state: closed\n", "known_error: true\n", "root_cause: Pool too small\n",
		"resolved_at: 2026-03-05T11:00:00Z\n", "closed_at: 2026-03-06T11:00:00Z\n", "    state: fix_in_progress\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the closed problem lacks %q:\n%s", want, got)
		}
	}
}

func TestStandardChangeAndCI(t *testing.T) {
	root := repo(t)
	if _, err := run(t, root, Options{ID: "CHG-000001", State: "assess"}); command.ExitCode(err) != 1 {
		t.Errorf("a standard change to assess: %v, want exit 1", err)
	}
	steps := []Options{
		{State: "scheduled", At: "2026-03-02T11:00:00Z", Sets: []string{"risk=low", "planned_start=2026-03-08T01:00:00Z", "planned_end=2026-03-08T02:00:00Z"}},
		{State: "implement", At: "2026-03-08T01:05:00Z"},
		{State: "review", At: "2026-03-08T01:30:00Z"},
		{State: "closed", At: "2026-03-08T09:00:00Z", Sets: []string{"outcome=successful"}},
	}
	for _, s := range steps {
		s.ID = "CHG-000001"
		if _, err := run(t, root, s); err != nil {
			t.Fatalf("to %s: %v", s.State, err)
		}
	}
	got := read(t, root, "changes/2026/CHG-000001.yaml")
	for _, want := range []string{"actual_start: 2026-03-08T01:05:00Z\n", "actual_end: 2026-03-08T01:30:00Z\n", "outcome: successful\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the closed change lacks %q:\n%s", want, got)
		}
	}

	if _, err := run(t, root, Options{ID: "web", State: "deprecated"}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, root, "cis/web.yaml"); got != strings.Replace(ci, "lifecycle: production", "lifecycle: deprecated", 1) {
		t.Errorf("the CI after the move:\n%s", got)
	}
	before := read(t, root, "cis/web.yaml")
	if _, err := run(t, root, Options{ID: "web", State: "production"}); command.ExitCode(err) != 1 {
		t.Errorf("a CI back to production: %v, want exit 1", err)
	}
	if read(t, root, "cis/web.yaml") != before {
		t.Error("a refused move changed the file")
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		code int
		msg  string
	}{
		{"unknown state", Options{ID: "INC-000001", State: "done"}, 2, `"done" is not a state of an incident`},
		{"not allowed", Options{ID: "INC-000001", State: "on_hold"}, 1, "INC-000001 is resolved; from resolved it may go to: closed, in_progress"},
		{"same state", Options{ID: "INC-000001", State: "resolved"}, 1, "INC-000001 is already resolved"},
		{"timestamp by hand", Options{ID: "INC-000001", State: "closed", Sets: []string{"closed_at=2026-03-05T00:00:00Z"}}, 2, "gitsm transition sets it from --at"},
		{"state by hand", Options{ID: "INC-000001", State: "closed", Sets: []string{"state=closed"}}, 2, "use gitsm transition"},
		{"bad time", Options{ID: "INC-000001", State: "closed", At: "2026-03-05 10:00"}, 2, "not an RFC 3339 time"},
		{"missing record", Options{ID: "INC-000404", State: "closed"}, 2, "no record INC-000404"},
		{"no states", Options{ID: "sla-x", State: "closed"}, 2, "no record sla-x"},
		{"note on a CI", Options{ID: "web", State: "deprecated", Note: "x"}, 2, "CIs have no timeline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := repo(t)
			before := read(t, root, "incidents/2026/INC-000001.yaml")
			_, err := run(t, root, tt.opts)
			if got := command.ExitCode(err); got != tt.code || err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got exit %d, %v; want exit %d, %q", got, err, tt.code, tt.msg)
			}
			if read(t, root, "incidents/2026/INC-000001.yaml") != before {
				t.Error("a refused transition changed the file")
			}
			var cf *command.CheckFailedError
			if tt.code == 1 && !errors.As(err, &cf) {
				t.Errorf("exit 1 without a message to print: %T", err)
			}
		})
	}
}

func TestNewCmdTransitionFlags(t *testing.T) {
	tests := []struct {
		args []string
		want Options
	}{
		{[]string{"INC-000001", "in_progress"}, Options{ID: "INC-000001", State: "in_progress"}},
		{[]string{"INC-000001", "on_hold", "--note", "waiting", "--at", "2026-03-02T10:00:00Z", "--by", "ann", "--set", "on_hold_reason=awaiting_vendor"},
			Options{ID: "INC-000001", State: "on_hold", Note: "waiting", At: "2026-03-02T10:00:00Z", By: "ann", Sets: []string{"on_hold_reason=awaiting_vendor"}}},
		{[]string{"CHG-000001", "assess", "-s", "risk=low", "-s", "backout_plan=a,b"},
			Options{ID: "CHG-000001", State: "assess", Sets: []string{"risk=low", "backout_plan=a,b"}}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdTransition(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
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

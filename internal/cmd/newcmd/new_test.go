package newcmd

import (
	"context"
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

func factory(t *testing.T, root string) (*command.Factory, *iostreams.IOStreams) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, ".gitsm"), 0o755); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	env := map[string]string{"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com"}
	return &command.Factory{IO: ios, WorkDir: root, Quiet: true, Getenv: func(k string) string { return env[k] },
		Now: func() time.Time { return time.Date(2026, 3, 2, 10, 14, 30, 500, time.FixedZone("CET", 3600)) }}, ios
}

func TestNewIncidentDefaults(t *testing.T) {
	root := t.TempDir()
	f, ios := factory(t, root)
	if err := Run(context.Background(), &Options{Factory: f, Kind: "inc", Title: "Checkout returns 502", Sets: []string{"urgency=1"}}); err != nil {
		t.Fatal(err)
	}
	if got := ios.Out.(interface{ String() string }).String(); got != "incidents/2026/INC-000001.yaml\n" {
		t.Errorf("stdout = %q", got)
	}
	got, err := os.ReadFile(filepath.Join(root, "incidents", "2026", "INC-000001.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: gitsm/v1
kind: Incident
id: INC-000001
title: Checkout returns 502
state: new
impact: 3
urgency: 1
priority: P3
caller: Ann <ann@example.com>
opened_at: 2026-03-02T09:14:30Z
timeline:
  - at: 2026-03-02T09:14:30Z
    state: new
    by: Ann <ann@example.com>
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("new incident (-want +got):\n%s", diff)
	}
}

func TestNewAsksOnATerminal(t *testing.T) {
	root := t.TempDir()
	f, ios := factory(t, root)
	ios.StdinTTY = true
	ios.In = strings.NewReader("Upgrade the orders database\norders-db, orders-db-dr\ndba\n")
	for _, p := range []string{"cis/orders-db.yaml", "cis/orders-db-dr.yaml"} {
		id := strings.TrimSuffix(filepath.Base(p), ".yaml")
		ci := "apiVersion: gitsm/v1\nkind: CI\nid: " + id + "\ntitle: DB\nclass: database\nowner: dba\nenvironment: production\nlifecycle: production\n"
		if err := os.MkdirAll(filepath.Join(root, "cis"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(ci), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Run(context.Background(), &Options{Factory: f, Kind: "change"}); err != nil {
		t.Fatal(err)
	}
	prompts := ios.ErrOut.(interface{ String() string }).String()
	if diff := cmp.Diff("Title: cis (A,B): assignment_group (VALUE): ", prompts); diff != "" {
		t.Errorf("prompts (-want +got):\n%s", diff)
	}
	got, err := os.ReadFile(filepath.Join(root, "changes", "2026", "CHG-000001.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"title: Upgrade the orders database\n", "cis: [orders-db, orders-db-dr]\n", "assignment_group: dba\n", "type: normal\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the change lacks %q:\n%s", want, got)
		}
	}
}

func TestNewRefusals(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		code int
		msg  string
	}{
		{"unknown kind", Options{Kind: "ticket", Title: "x"}, 2, `unknown kind "ticket"`},
		{"no title", Options{Kind: "incident"}, 2, "--title is required"},
		{"id on a numbered kind", Options{Kind: "incident", Title: "x", ID: "x"}, 2, "--id is for CIs"},
		{"no slug", Options{Kind: "sla", Title: "x"}, 2, "needs its ID"},
		{"bad slug", Options{Kind: "ci", Title: "x", ID: "-x"}, 2, "is not a slug"},
		{"state", Options{Kind: "incident", Title: "x", Sets: []string{"state=closed"}}, 2, "not here"},
		{"append", Options{Kind: "incident", Title: "x", Sets: []string{"cis+=a"}}, 2, "no list to add to"},
		{"unknown field", Options{Kind: "incident", Title: "x", Sets: []string{"colour=red"}}, 1, "incident has no field colour"},
		{"bad value", Options{Kind: "incident", Title: "x", Sets: []string{"impact=0"}}, 1, "must be >= 1"},
		{"missing", Options{Kind: "problem", Title: "x"}, 1, "a new problem needs assignment_group; pass --set assignment_group=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			f, _ := factory(t, root)
			tt.opts.Factory = f
			err := Run(context.Background(), &tt.opts)
			if got := command.ExitCode(err); got != tt.code || err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got exit %d, %v; want exit %d, %q", got, err, tt.code, tt.msg)
			}
			for _, folder := range []string{"incidents", "problems", "cis", "slas"} {
				if _, err := os.Stat(filepath.Join(root, folder)); err == nil {
					t.Errorf("a refused run created %s/", folder)
				}
			}
		})
	}
}

func TestNewCmdNewFlags(t *testing.T) {
	tests := []struct {
		args []string
		want Options
	}{
		{[]string{"incident", "--title", "x"}, Options{Kind: "incident", Title: "x"}},
		{[]string{"ci", "-t", "Web", "--id", "web", "-s", "class=api", "--set", "owner=ops"},
			Options{Kind: "ci", Title: "Web", ID: "web", Sets: []string{"class=api", "owner=ops"}}},
		{[]string{"chg", "--title", "x", "--at", "2026-03-02T10:00:00Z", "--by", "ann"},
			Options{Kind: "chg", Title: "x", At: "2026-03-02T10:00:00Z", By: "ann"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdNew(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
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

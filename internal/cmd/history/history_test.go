package history

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/command"
	githistory "github.com/gitsm/gitsm/internal/history"
	"github.com/gitsm/gitsm/internal/iostreams"
)

func TestNewCmdHistoryFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr bool
	}{
		{name: "id", args: []string{"INC-000001"}, want: Options{ID: "INC-000001", Rev: "HEAD"}},
		{name: "rev and rebuild", args: []string{"orders-db", "--rev", "main", "--rebuild"}, want: Options{ID: "orders-db", Rev: "main", Rebuild: true}},
		{name: "path-like id refused", args: []string{"../../etc/passwd"}, wantErr: true},
		{name: "no id", args: []string{}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Options
			cmd := NewCmdHistory(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.wantErr {
				if err == nil {
					t.Fatal("got no error, want one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.Factory = nil
			if d := cmp.Diff(tt.want, *got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func gitIn(t *testing.T, dir string, n int, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := time.Date(2026, 1, 1, 9, n, 0, 0, time.UTC).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_AUTHOR_NAME=Grace Hopper", "GIT_AUTHOR_EMAIL=grace@example.com",
		"GIT_COMMITTER_NAME=Grace Hopper", "GIT_COMMITTER_EMAIL=grace@example.com",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestRunJSON(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, dir, 0, "init", "-q", "-b", "main")
	v1 := "id: INC-000001\nstate: new\ntimeline:\n  - {at: '2026-01-01T09:00:00Z', state: new, by: grace}\n"
	write("incidents/2026/INC-000001.yaml", v1)
	gitIn(t, dir, 1, "add", "-A")
	gitIn(t, dir, 1, "commit", "-q", "-m", "open")
	write("incidents/2026/INC-000001.yaml", strings.Replace(v1, "state: new\n", "state: in_progress\n", 1)+
		"  - {at: '2026-01-01T09:05:00Z', state: in_progress, by: frank, note: on it}\n")
	gitIn(t, dir, 2, "add", "-A")
	gitIn(t, dir, 2, "commit", "-q", "-m", "INC-000001: work (#12)")

	ios, _, out, _ := iostreams.Test()
	f := &command.Factory{IO: ios, WorkDir: dir, Format: "json", Quiet: true}
	if err := Run(context.Background(), &Options{Factory: f, ID: "INC-000001", Rev: "HEAD"}); err != nil {
		t.Fatal(err)
	}
	var got Result
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Commits) != 2 {
		t.Fatalf("got %d commits, want 2", len(got.Commits))
	}
	c := got.Commits[0]
	c.Commit, c.Date = "", time.Time{}
	want := Commit{Author: githistory.Person{Name: "Grace Hopper", Email: "grace@example.com"}, PR: 12, Change: "modified",
		Path: "incidents/2026/INC-000001.yaml", Subject: "INC-000001: work (#12)",
		Fields: []githistory.FieldChange{{Field: "state", From: "new", To: "in_progress"}},
		Events: []githistory.Event{{At: "2026-01-01T09:05:00Z", State: "in_progress", By: "frank", Note: "on it"}}}
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got.Commits[1].Change != "added" || got.Commits[1].PR != 0 {
		t.Errorf("first commit: got %+v", got.Commits[1])
	}

	err := Run(context.Background(), &Options{Factory: f, ID: "INC-000099", Rev: "HEAD"})
	if err == nil || command.ExitCode(err) != 2 {
		t.Errorf("unknown record: got %v, want an error (exit 2)", err)
	}
	f.Format = "csv"
	var ue *command.UsageError
	if err := Run(context.Background(), &Options{Factory: f, ID: "INC-000001", Rev: "HEAD"}); !errors.As(err, &ue) {
		t.Errorf("--format csv: got %v, want a usage error", err)
	}
}

package approval_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/cmd/approval"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/iostreams"
)

// plan runs `gitsm approval plan --format json` in dir and decodes the plan.
func plan(t *testing.T, dir string, args ...string) approval.Plan {
	t.Helper()
	code, out, errOut := run(t, dir, nil, append([]string{"approval", "plan", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var p approval.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return p
}

type recordSummary struct {
	ID, Label string
	Rules     []string
	Problems  []string
}

func summarize(p approval.Plan) []recordSummary {
	out := []recordSummary{}
	for _, r := range p.Records {
		s := recordSummary{ID: r.ID + " " + r.Path, Label: r.Why, Problems: r.Problems}
		if r.NeedsApproval {
			s.Label = "needs: " + r.Why
		}
		for _, rr := range r.Rules {
			s.Rules = append(s.Rules, rr.Name+": "+rr.Requires)
		}
		out = append(out, s)
	}
	return out
}

func TestPlanRecords(t *testing.T) {
	const rule = "normal changes need the CAB and the owners of the CIs they touch: 1 approval from cab (grace, heidi); 1 approval from team-shop (frank, ivan) (owner of checkout-api)"
	tests := []struct {
		name  string
		base  map[string]string
		edits map[string]string
		want  []recordSummary
	}{
		{
			name:  "a change record that does not parse at the head fails closed",
			edits: map[string]string{"changes/CHG-000001.yaml": "apiVersion: gitsm/v1\nkind: Change\nid: CHG-000001\nstate: [scheduled\n"},
			want: []recordSummary{{ID: "CHG-000001 changes/CHG-000001.yaml", Label: "needs: the record could not be read",
				Problems: []string{"unreadable record: at HEAD: line N: YAML syntax error: did not find expected ',' or ']'"}}},
		},
		{
			name:  "a base version that does not parse is judged as absent",
			base:  map[string]string{"changes/CHG-000001.yaml": "kind: [\n"},
			edits: scheduling(),
			want: []recordSummary{{ID: "CHG-000001 changes/CHG-000001.yaml", Label: "needs: adds a change already in state scheduled",
				Rules: []string{rule}, Problems: []string{}}},
		},
		{
			name:  "a change record outside changes/ is judged too",
			edits: map[string]string{"incidents/CHG-000009.yaml": change("CHG-000009", "scheduled", "checkout-api")},
			want: []recordSummary{{ID: "CHG-000009 incidents/CHG-000009.yaml", Label: "needs: adds a change already in state scheduled",
				Rules: []string{rule}, Problems: []string{}}},
		},
		{
			name:  "an edit of an incident is not a change",
			edits: map[string]string{"incidents/INC-000001.yaml": "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000001\ntitle: edited\n"},
			want:  []recordSummary{},
		},
		{
			name:  "a change deleted after approval",
			base:  map[string]string{"changes/CHG-000001.yaml": change("CHG-000001", "scheduled", "checkout-api")},
			edits: map[string]string{"changes/CHG-000001.yaml": ""},
			want: []recordSummary{{ID: "CHG-000001 changes/CHG-000001.yaml", Label: "needs: deletes a change in state scheduled",
				Rules: []string{rule}, Problems: []string{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			base := with(baseFiles(), tt.base)
			b := fx.commit("base\n", base)
			h := fx.commit("head\n", with(base, tt.edits), b)
			fx.branch("main", b)
			fx.branch("topic", h)
			fx.checkout("topic")
			got := summarize(plan(t, fx.dir, "--base", "main"))
			for i := range got {
				for j, p := range got[i].Problems {
					// Where the YAML parser places the error is its business, not the plan's.
					got[i].Problems[j] = lineNumber.ReplaceAllString(strings.Replace(p, h.String()[:12], "HEAD", 1), "line N")
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

var lineNumber = regexp.MustCompile(`line \d+`)

// A records repository in a folder of a larger git repository: paths are relative to the
// records root, files outside it are named with ../ and guarded by ** globs only.
func TestPlanRecordsInSubfolder(t *testing.T) {
	fx := newFixture(t)
	base := map[string]string{"README.md": "monorepo\n", "services/api/main.go": "package main\n"}
	for p, c := range baseFiles() {
		base["ops/records/"+p] = c
	}
	b := fx.commit("base\n", base)
	h := fx.commit("head\n", with(base, map[string]string{
		"ops/records/.gitsm/policy.yaml":      weakPolicy,
		"ops/records/changes/CHG-000001.yaml": change("CHG-000001", "scheduled", "checkout-api"),
		"README.md":                           "monorepo, edited\n",
	}), b)
	fx.branch("main", b)
	fx.branch("topic", h)
	fx.checkout("topic")
	root := filepath.Join(fx.dir, "ops", "records")
	if err := os.MkdirAll(filepath.Join(root, ".gitsm"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := plan(t, root, "--base", "main")
	want := []string{"../../README.md", ".gitsm/policy.yaml", "changes/CHG-000001.yaml"}
	if diff := cmp.Diff(want, p.ChangedPaths); diff != "" {
		t.Errorf("changed paths (-want +got):\n%s", diff)
	}
	if len(p.PathRules) != 1 || !cmp.Equal(p.PathRules[0].Paths, []string{".gitsm/policy.yaml"}) {
		t.Errorf("path rules: %+v", p.PathRules)
	}
	if len(p.Records) != 1 || p.Records[0].ID != "CHG-000001" || !p.Records[0].NeedsApproval {
		t.Errorf("records: %+v", p.Records)
	}
}

func TestPlanBaseSettings(t *testing.T) {
	tests := []struct {
		name    string
		base    map[string]string
		wantErr string
	}{
		{"invalid settings", map[string]string{".gitsm/config.yaml": "prefixes: {change: chg}\n"}, "the settings at the base"},
		{"no policy", map[string]string{".gitsm/policy.yaml": ""}, ".gitsm/policy.yaml at the base"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			b := fx.commit("base\n", with(baseFiles(), tt.base))
			fx.branch("main", b)
			fx.checkout("main")
			code, out, errOut := run(t, fx.dir, nil, "approval", "plan", "--base", "main")
			if code != 2 || out != "" || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and %q", code, out, errOut, tt.wantErr)
			}
		})
	}
}

// Flag parsing: what each subcommand hands its run function.
func TestFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &command.Factory{IO: ios}
	t.Run("plan", func(t *testing.T) {
		var got *approval.PlanOptions
		cmd := approval.NewCmdPlan(f, func(_ context.Context, o *approval.PlanOptions) error { got = o; return nil })
		cmd.SetArgs([]string{"--base", "origin/main"})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.Base != "origin/main" || got.Head != "HEAD" {
			t.Errorf("got base %q head %q, want origin/main HEAD", got.Base, got.Head)
		}
	})
	t.Run("check", func(t *testing.T) {
		var got *approval.CheckOptions
		cmd := approval.NewCmdCheck(f, func(_ context.Context, o *approval.CheckOptions) error { got = o; return nil })
		cmd.SetArgs([]string{"--base", "b", "--head", "h", "--pr", "42", "--no-publish"})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		want := approval.CheckOptions{Factory: f, Base: "b", Head: "h", PR: 42, NoPublish: true}
		if diff := cmp.Diff(want, *got, cmp.Comparer(func(a, b *command.Factory) bool { return a == b })); diff != "" {
			t.Errorf("options (-want +got):\n%s", diff)
		}
	})
	t.Run("record", func(t *testing.T) {
		var got *approval.RecordOptions
		cmd := approval.NewCmdRecord(f, func(_ context.Context, o *approval.RecordOptions) error { got = o; return nil })
		cmd.SetArgs([]string{"--pr", "42", "--merge-commit", "abc123"})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.PR != 42 || got.MergeCommit != "abc123" {
			t.Errorf("got %+v", got)
		}
	})
}

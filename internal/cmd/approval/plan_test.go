package approval_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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

// planRun runs `gitsm approval plan --format json` and decodes what it printed, whatever the
// exit code.
func planRun(t *testing.T, dir string, args ...string) (int, approval.Plan, string) {
	t.Helper()
	code, out, errOut := run(t, dir, nil, append([]string{"approval", "plan", "--format", "json"}, args...)...)
	var p approval.Plan
	if out != "" {
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	return code, p, errOut
}

// Bypass 1: a branch started before main approved a change edits that change's scope. Against
// the merge base the branch changes nothing that needs approval, but merging it into main as it
// is now widens an approved change: the plan refuses until the branch is updated.
func TestPlanRefusesStaleBranch(t *testing.T) {
	fx := newFixture(t)
	b0 := fx.commit("base\n", baseFiles())
	main1 := fx.commit("schedule CHG-000001\n", with(baseFiles(), scheduling()), b0)
	widened := strings.Replace(change("CHG-000001", "authorize", "checkout-api", "payments-db"),
		"planned_end: 2026-03-03T02:00:00Z", "planned_end: 2026-03-03T09:00:00Z", 1)
	topic := fx.commit("widen CHG-000001\n", with(baseFiles(), map[string]string{"changes/CHG-000001.yaml": widened}), b0)
	fx.branch("main", main1)
	fx.branch("topic", topic)
	fx.checkout("topic")

	code, p, _ := planRun(t, fx.dir, "--base", "main")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !p.NeedsApproval {
		t.Errorf("needs_approval is false, want true")
	}
	want := "main changed changes/CHG-000001.yaml (CHG-000001) since the branch point"
	if !slices.ContainsFunc(p.Errors, func(e string) bool { return strings.Contains(e, want) && strings.Contains(e, "update the branch") }) {
		t.Errorf("errors %q, want one saying %q and to update the branch", p.Errors, want)
	}
	_, out, errOut := run(t, fx.dir, nil, "approval", "plan", "--base", "main")
	if !strings.Contains(out+errOut, "update the branch") {
		t.Errorf("the text plan does not say to update the branch:\n%s%s", out, errOut)
	}

	// The branch updated (main merged in): the widened scope of the scheduled change now shows
	// as what it is, an edit of approved scope.
	merged := fx.commit("Merge branch 'main' into topic\n", with(with(baseFiles(), scheduling()), map[string]string{
		"changes/CHG-000001.yaml": strings.Replace(widened, "state: authorize", "state: scheduled", 1)}), topic, main1)
	fx.branch("topic", merged)
	code, p, errOut = planRun(t, fx.dir, "--base", "main")
	if code != 0 || len(p.Errors) != 0 || len(p.Records) != 1 || !p.Records[0].NeedsApproval ||
		!strings.Contains(p.Records[0].Why, "edits the approved scope (cis, planned_end)") {
		t.Errorf("after the update: exit %d, errors %q, records %+v\n%s", code, p.Errors, p.Records, errOut)
	}
}

// Under a merge queue the merge group's commit (first parent: the base) is judged against the
// base directly: what it merges is exactly what it contains.
func TestPlanJudgesMergeGroupCommit(t *testing.T) {
	fx := newFixture(t)
	b0 := fx.commit("base\n", baseFiles())
	main1 := fx.commit("schedule CHG-000001\n", with(baseFiles(), scheduling()), b0)
	topic := fx.commit("add a CI to CHG-000001\n", with(baseFiles(), map[string]string{
		"changes/CHG-000001.yaml": change("CHG-000001", "authorize", "checkout-api", "payments-db")}), b0)
	group := fx.commit("Merge pull request #7 from shop/topic\n", with(baseFiles(), map[string]string{
		"changes/CHG-000001.yaml": change("CHG-000001", "scheduled", "checkout-api", "payments-db")}), main1, topic)
	fx.branch("main", main1)
	fx.branch("gh-readonly-queue/main/pr-7", group)
	fx.checkout("main")
	code, p, errOut := planRun(t, fx.dir, "--base", "main", "--head", "gh-readonly-queue/main/pr-7")
	if code != 0 || len(p.Errors) != 0 || p.MergeBase != main1.String() {
		t.Fatalf("exit %d, errors %q, merge base %s (want %s)\n%s", code, p.Errors, p.MergeBase, main1, errOut)
	}
	if len(p.Records) != 1 || !p.Records[0].NeedsApproval || !strings.Contains(p.Records[0].Why, "edits the approved scope (cis)") {
		t.Errorf("records %+v, want CHG-000001 needing approval for its cis", p.Records)
	}
	code, mg, errOut := planRun(t, fx.dir, "--merge-group", "--base", "main", "--head", "gh-readonly-queue/main/pr-7")
	if code != 0 || !cmp.Equal(mg.Records, p.Records) {
		t.Errorf("--merge-group: exit %d, records %+v, want the same plan\n%s", code, mg.Records, errOut)
	}
	// A merge group commit must sit on the base it is judged against.
	code, _, errOut = planRun(t, fx.dir, "--merge-group", "--base", b0.String(), "--head", "gh-readonly-queue/main/pr-7")
	if code != 2 || !strings.Contains(errOut, "does not have the base") {
		t.Errorf("--merge-group on another base: exit %d\n%s, want 2 and a refusal", code, errOut)
	}
}

// Bypass 3: CI, SLA and calendar records route and weaken approval; editing them needs approval.
func TestPlanGuardsDefinitions(t *testing.T) {
	slaFile := "apiVersion: gitsm/v1\nkind: SLA\nid: sla-gold\ntitle: Gold\ntarget: resolution\napplies_to: {kind: Incident}\ncalendar: 24x7\ngoals:\n  - {priority: P1, duration: 4h}\n"
	base := with(baseFiles(), map[string]string{"slas/sla-gold.yaml": slaFile})
	ciEdit := func(field, from, to string) map[string]string {
		return map[string]string{"cis/checkout-api.yaml": strings.Replace(ci("checkout-api", "team-shop"), field+": "+from, field+": "+to, 1)}
	}
	tests := []struct {
		name      string
		edits     map[string]string
		wantNeeds bool
		wantWhy   string
		wantReq   []string
	}{
		{name: "a CI changes owner", edits: ciEdit("owner", "team-shop", "team-data"), wantNeeds: true,
			wantWhy: "edits owner of CI checkout-api",
			wantReq: []string{"1 approval from team-shop (frank, ivan) (owner of checkout-api at the base)", "1 approval from team-data (judy) (new owner of checkout-api)"}},
		{name: "a CI changes environment", edits: ciEdit("environment", "production", "development"), wantNeeds: true,
			wantWhy: "edits environment of CI checkout-api",
			wantReq: []string{"1 approval from team-shop (frank, ivan) (owner of checkout-api at the base)"}},
		{name: "a CI's title alone needs nothing", edits: ciEdit("title", "checkout-api", "Checkout API"), wantNeeds: false,
			wantWhy: "edits CI checkout-api outside the fields approval routes on"},
		{name: "a CI is added", edits: map[string]string{"cis/search.yaml": ci("search", "team-data")}, wantNeeds: true,
			wantWhy: "adds CI search",
			wantReq: []string{"1 approval from team-data (judy) (new owner of search)"}},
		{name: "a CI is deleted", edits: map[string]string{"cis/payments-db.yaml": ""}, wantNeeds: true,
			wantWhy: "deletes CI payments-db",
			wantReq: []string{"1 approval from team-data (judy) (owner of payments-db at the base)"}},
		{name: "an SLA is weakened", edits: map[string]string{"slas/sla-gold.yaml": strings.Replace(slaFile, "4h", "40h", 1)}, wantNeeds: true,
			wantWhy: "edits SLA sla-gold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			b := fx.commit("base\n", base)
			h := fx.commit("head\n", with(base, tt.edits), b)
			fx.branch("main", b)
			fx.branch("topic", h)
			fx.checkout("topic")
			_, p, errOut := planRun(t, fx.dir, "--base", "main")
			if len(p.Records) != 1 {
				t.Fatalf("records %+v, want one\n%s", p.Records, errOut)
			}
			r := p.Records[0]
			if r.NeedsApproval != tt.wantNeeds || !strings.Contains(r.Why, tt.wantWhy) || p.NeedsApproval != tt.wantNeeds {
				t.Errorf("got needs %v (plan %v), why %q; want needs %v, why containing %q", r.NeedsApproval, p.NeedsApproval, r.Why, tt.wantNeeds, tt.wantWhy)
			}
			var req []string
			for _, rr := range r.Rules {
				req = append(req, strings.Split(rr.Requires, "; ")...)
			}
			for _, w := range tt.wantReq {
				if !slices.Contains(req, w) {
					t.Errorf("requires %q, want %q among them", req, w)
				}
			}
		})
	}
}

// Bypass 4: a normal change in authorize retyped to a standard change from a template is not
// pre-approved: the normal change's rules still apply.
func TestPlanTypeLaundering(t *testing.T) {
	laundered := strings.NewReplacer("type: normal", "type: standard\ntemplate: std-cert-rotation",
		"state: authorize", "state: scheduled").Replace(change("CHG-000001", "authorize", "checkout-api"))
	for _, tt := range []struct {
		name  string
		edits map[string]string
	}{
		{"retyped and scheduled at once", map[string]string{"changes/CHG-000001.yaml": laundered}},
		{"retyped before scheduling", map[string]string{"changes/CHG-000001.yaml": strings.Replace(laundered, "state: scheduled", "state: authorize", 1)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			b := fx.commit("base\n", baseFiles())
			h := fx.commit("head\n", with(baseFiles(), tt.edits), b)
			fx.branch("main", b)
			fx.branch("topic", h)
			fx.checkout("topic")
			p := plan(t, fx.dir, "--base", "main")
			if !p.NeedsApproval || len(p.Records) != 1 || len(p.Records[0].Rules) == 0 ||
				!strings.HasPrefix(p.Records[0].Rules[0].Name, "normal changes need the CAB") {
				t.Errorf("needs approval %v, records %+v; want the normal change rule to apply", p.NeedsApproval, p.Records)
			}
		})
	}
}

// What git holds that cannot be read never passes for absent, and a record only pairs with
// itself across a move.
// shopCI is a service CI that depends on checkout-api: a services rule naming it selects
// changes of checkout-api.
var shopCI = "apiVersion: gitsm/v1\nkind: CI\nid: shop\ntitle: shop\nclass: service\nowner: team-shop\nenvironment: production\nlifecycle: production\ndepends_on: [checkout-api]\n"

// serviceRule is a base with a services rule for shop, whose CI file holds shop.
func serviceRule(shop string) map[string]string {
	return map[string]string{
		".gitsm/policy.yaml": basePolicy + "  - name: the shop service needs the admins\n    match: {services: [shop]}\n    require: [{group: admins}]\n",
		"cis/shop.yaml":      shop,
	}
}

func TestPlanReadsRecordsClosed(t *testing.T) {
	small := map[string]string{".gitsm/config.yaml": "max_file_size: 4096\ntemplates:\n  - {id: std-cert-rotation, title: Rotate a certificate}\n"}
	oversized := change("CHG-000001", "authorize", "checkout-api") + "# " + strings.Repeat("x", 5000) + "\n"
	scheduled := map[string]string{"changes/CHG-000001.yaml": change("CHG-000001", "scheduled", "checkout-api")}
	tests := []struct {
		name  string
		base  map[string]string
		edits map[string]string
		// want is, per record, "ID: why" and whether it is approved without reviews.
		want    []string
		problem string
	}{
		{name: "a symlinked change record in the head", edits: map[string]string{"changes/CHG-000001.yaml": symlinkTo + "CHG-000002.yaml"},
			want: []string{"CHG-000001: the record could not be read"}, problem: "is a symbolic link"},
		{name: "an oversized change record in the head", base: small, edits: map[string]string{"changes/CHG-000001.yaml": oversized},
			want: []string{"CHG-000001: the record could not be read"}, problem: "over the limit"},
		{name: "an oversized change record added", base: small, edits: map[string]string{"changes/CHG-000003.yaml": strings.ReplaceAll(oversized, "CHG-000001", "CHG-000003")},
			want: []string{"CHG-000003: the record could not be read"}, problem: "over the limit"},
		{name: "deleting a change whose base version is unreadable", base: map[string]string{"changes/CHG-000001.yaml": "kind: [\n"},
			edits: map[string]string{"changes/CHG-000001.yaml": ""}, want: []string{"CHG-000001: the record could not be read"}, problem: "unreadable record"},
		{name: "control: a change moved to another folder is one edit", base: scheduled,
			edits: map[string]string{"changes/CHG-000001.yaml": "", "changes/2026/CHG-000001.yaml": change("CHG-000001", "scheduled", "checkout-api")},
			want:  []string{"CHG-000001: edits a change in state scheduled outside its approved scope"}},
		{name: "a deleted change and an added one pair only when their IDs match", base: scheduled,
			edits: map[string]string{"changes/CHG-000001.yaml": "", "changes/2026/CHG-000003.yaml": change("CHG-000003", "scheduled", "checkout-api")},
			want:  []string{"CHG-000003: adds a change already in state scheduled", "CHG-000001: deletes a change in state scheduled"}},
		{name: "two CIs with one ID at the base", base: map[string]string{"cis/eu/checkout-api.yaml": ci("checkout-api", "team-data")},
			edits: scheduling(), want: []string{"CHG-000001: moves the change from authorize to scheduled"}, problem: "2 files have this ID: cis/checkout-api.yaml, cis/eu/checkout-api.yaml"},
		{name: "an unparseable base CI that a services rule may follow", base: serviceRule("kind: [\n"),
			edits: scheduling(), want: []string{"CHG-000001: moves the change from authorize to scheduled"}, problem: "cis/shop.yaml: line"},
		{name: "an oversized base CI that a services rule may follow", base: with(small, serviceRule(shopCI+"# "+strings.Repeat("x", 5000)+"\n")),
			edits: scheduling(), want: []string{"CHG-000001: moves the change from authorize to scheduled"}, problem: "cis/shop.yaml cannot be read"},
		{name: "a symlinked base CI that a services rule may follow", base: serviceRule(symlinkTo + "checkout-api.yaml"),
			edits: scheduling(), want: []string{"CHG-000001: moves the change from authorize to scheduled"}, problem: "cis/shop.yaml is a symbolic link"},
		{name: "control: the service CI readable", base: serviceRule(shopCI),
			edits: scheduling(), want: []string{"CHG-000001: moves the change from authorize to scheduled"}},
		{name: "a base CI that fails its schema", base: map[string]string{"cis/checkout-api.yaml": strings.Replace(ci("checkout-api", "team-shop"), "environment: production", "environment: moon", 1)},
			edits: scheduling(), want: []string{"CHG-000001: moves the change from authorize to scheduled"}, problem: "cis/checkout-api.yaml fails its schema at /environment"},
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
			p := plan(t, fx.dir, "--base", "main")
			var got []string
			var problems []string
			for _, r := range p.Records {
				got = append(got, r.ID+": "+r.Why)
				problems = append(problems, r.Problems...)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if tt.problem == "" {
				if len(problems) > 0 {
					t.Errorf("problems %q, want none", problems)
				}
				return
			}
			if !p.NeedsApproval || !slices.ContainsFunc(problems, func(s string) bool { return strings.Contains(s, tt.problem) }) {
				t.Errorf("needs approval %v, problems %q; want a problem containing %q", p.NeedsApproval, problems, tt.problem)
			}
		})
	}
}

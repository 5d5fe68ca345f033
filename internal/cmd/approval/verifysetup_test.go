package approval_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
)

const protectionURL = "https://api.github.com/repos/shop/records/branches/main/protection"

// hardenedProtection is a classic branch protection rule as GitHub returns it, with everything
// the gate needs.
func hardenedProtection() map[string]any {
	return map[string]any{
		"url": protectionURL,
		"required_status_checks": map[string]any{
			"url": protectionURL + "/required_status_checks", "strict": true,
			"contexts":     []any{"gitsm/approval", "gitsm validate"},
			"contexts_url": protectionURL + "/required_status_checks/contexts",
			"checks":       []any{map[string]any{"context": "gitsm/approval", "app_id": 987654}, map[string]any{"context": "gitsm validate", "app_id": 15368}},
		},
		"enforce_admins": map[string]any{"url": protectionURL + "/enforce_admins", "enabled": true},
		"required_pull_request_reviews": map[string]any{
			"url": protectionURL + "/required_pull_request_reviews", "dismiss_stale_reviews": true,
			"require_code_owner_reviews": true, "required_approving_review_count": 1, "require_last_push_approval": true,
			"bypass_pull_request_allowances": map[string]any{"users": []any{}, "teams": []any{}, "apps": []any{}},
		},
		"required_signatures":              map[string]any{"url": protectionURL + "/required_signatures", "enabled": false},
		"required_linear_history":          map[string]any{"enabled": false},
		"allow_force_pushes":               map[string]any{"enabled": false},
		"allow_deletions":                  map[string]any{"enabled": false},
		"block_creations":                  map[string]any{"enabled": false},
		"required_conversation_resolution": map[string]any{"enabled": false},
		"lock_branch":                      map[string]any{"enabled": false},
		"allow_fork_syncing":               map[string]any{"enabled": false},
	}
}

const goodCodeowners = "# owners\n* @shop/everyone\n/.github/ @shop/gitsm-admins\n/.gitsm/ @shop/gitsm-admins\n"

func TestVerifySetup(t *testing.T) {
	tests := []struct {
		name     string
		settings func() githubtest.Settings
		wantCode int
		// want maps check → statuses, in order.
		want    map[string][]string
		wantOut []string
	}{
		{
			name: "hardened with branch protection",
			settings: func() githubtest.Settings {
				return githubtest.Settings{Protection: hardenedProtection(), WorkflowPermissions: "read",
					Files: map[string]string{".github/CODEOWNERS": goodCodeowners}}
			},
			wantCode: 0,
			want: map[string][]string{"required-check": {"ok"}, "check-source": {"ok"}, "up-to-date": {"ok"}, "code-owner-review": {"ok"},
				"codeowners": {"ok"}, "workflow-token": {"ok"}, "no-bypass": {"ok"}},
		},
		{
			name: "nothing set up",
			settings: func() githubtest.Settings {
				return githubtest.Settings{WorkflowPermissions: "write", CanApproveReviews: true}
			},
			wantCode: 1,
			want: map[string][]string{"required-check": {"missing"}, "up-to-date": {"missing"}, "code-owner-review": {"missing"},
				"codeowners": {"missing"}, "workflow-token": {"missing", "warning"}, "no-bypass": {"missing"}},
			wantOut: []string{`PATCH /repos/shop/records/branches/main/protection/required_status_checks with "checks": [{"context": "gitsm/approval", "app_id": 15368}]`,
				`{"default_workflow_permissions": "read"}`},
		},
		{
			name: "contexts without a source, admins not included, a bypass allowance, CODEOWNERS that unowns .gitsm",
			settings: func() githubtest.Settings {
				p := hardenedProtection()
				rsc := p["required_status_checks"].(map[string]any)
				rsc["checks"] = []any{map[string]any{"context": "gitsm/approval", "app_id": nil}}
				rsc["strict"] = false
				p["enforce_admins"] = map[string]any{"url": protectionURL + "/enforce_admins", "enabled": false}
				p["required_pull_request_reviews"].(map[string]any)["bypass_pull_request_allowances"] = map[string]any{
					"users": []any{map[string]any{"login": "mallory", "id": 7, "type": "User"}}, "teams": []any{}, "apps": []any{}}
				return githubtest.Settings{Protection: p, WorkflowPermissions: "read",
					Files: map[string]string{"CODEOWNERS": "* @shop/everyone\n/.gitsm/\n"}}
			},
			wantCode: 1,
			want: map[string][]string{"required-check": {"ok"}, "check-source": {"missing"}, "up-to-date": {"missing"}, "code-owner-review": {"ok"},
				"codeowners": {"missing"}, "workflow-token": {"ok"}, "no-bypass": {"missing", "missing"}},
			wantOut: []string{"CODEOWNERS gives no owner to .gitsm/policy.yaml", "user:mallory"},
		},
		{
			name:     "rulesets with a merge queue, GitHub Actions as the source and a bypass actor",
			settings: func() githubtest.Settings { return rulesetSettings("active") },
			wantCode: 1,
			want: map[string][]string{"required-check": {"ok"}, "check-source": {"warning"}, "up-to-date": {"ok"}, "code-owner-review": {"ok"},
				"codeowners": {"ok"}, "workflow-token": {"ok"}, "no-bypass": {"missing"}},
			wantOut: []string{`ruleset "main" may be bypassed by RepositoryRole:5 (always)`},
		},
		{
			// A ruleset in evaluate mode (or disabled) only reports: it blocks nothing.
			name:     "the same rulesets, only evaluated",
			settings: func() githubtest.Settings { return rulesetSettings("evaluate") },
			wantCode: 1,
			want: map[string][]string{"required-check": {"missing"}, "up-to-date": {"missing"}, "code-owner-review": {"missing"},
				"codeowners": {"ok"}, "workflow-token": {"ok"}, "no-bypass": {"missing"}, "enforcement": {"warning"}},
			wantOut: []string{`ruleset "main" is in evaluate mode`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPR(t, scheduling())
			s := server(t, p)
			s.Settings = tt.settings()
			code, out, errOut := run(t, p.fx.dir, githubEnv(s), "approval", "verify-setup", "--format", "json")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, out, errOut)
			}
			var rep struct {
				OK       bool
				Findings []struct{ Check, Status, Message, Fix string }
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			got := map[string][]string{}
			for _, f := range rep.Findings {
				got[f.Check] = append(got[f.Check], f.Status)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", diff, out)
			}
			_, text, _ := run(t, p.fx.dir, githubEnv(s), "approval", "verify-setup")
			for _, w := range tt.wantOut {
				if !strings.Contains(text, w) {
					t.Errorf("text output lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

func rulesetSettings(enforcement string) githubtest.Settings {
	src := map[string]any{"ruleset_source_type": "Repository", "ruleset_source": "shop/records", "ruleset_id": 42}
	rule := func(typ string, params map[string]any) map[string]any {
		r := map[string]any{"type": typ}
		for k, v := range src {
			r[k] = v
		}
		if params != nil {
			r["parameters"] = params
		}
		return r
	}
	return githubtest.Settings{
		Rules: []map[string]any{
			rule("deletion", nil),
			rule("required_status_checks", map[string]any{"strict_required_status_checks_policy": false, "do_not_enforce_on_create": false,
				"required_status_checks": []any{map[string]any{"context": "gitsm/approval", "integration_id": 15368}}}),
			rule("pull_request", map[string]any{"required_approving_review_count": 1, "dismiss_stale_reviews_on_push": true,
				"require_code_owner_review": true, "require_last_push_approval": true, "required_review_thread_resolution": false}),
			rule("merge_queue", map[string]any{"check_response_timeout_minutes": 60, "grouping_strategy": "ALLGREEN", "max_entries_to_build": 5,
				"max_entries_to_merge": 5, "merge_method": "MERGE", "min_entries_to_merge": 1, "min_entries_to_merge_wait_minutes": 5}),
		},
		Rulesets: map[int64]map[string]any{42: {
			"id": 42, "name": "main", "target": "branch", "source_type": "Repository", "source": "shop/records", "enforcement": enforcement,
			"bypass_actors":           []any{map[string]any{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}},
			"current_user_can_bypass": "always", "node_id": "RRS_1",
			"conditions": map[string]any{"ref_name": map[string]any{"include": []any{"~DEFAULT_BRANCH"}, "exclude": []any{}}},
			"rules":      []any{}, "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:00:00Z",
		}},
		WorkflowPermissions: "read",
		Files:               map[string]string{".github/CODEOWNERS": goodCodeowners},
	}
}

func TestVerifySetupCannotRead(t *testing.T) {
	// "": nothing fails, but the ruleset does not show its bypass list (a token without admin).
	for _, key := range []string{"protection", "workflow", "ruleset", "repo", ""} {
		t.Run(key, func(t *testing.T) {
			p := newPR(t, scheduling())
			s := server(t, p)
			s.Settings = githubtest.Settings{Fail: map[string]int{key: http.StatusForbidden}, WorkflowPermissions: "read",
				Rules:    []map[string]any{{"type": "pull_request", "ruleset_source_type": "Repository", "ruleset_source": "shop/records", "ruleset_id": 1, "parameters": map[string]any{"require_code_owner_review": true}}},
				Rulesets: map[int64]map[string]any{1: {"id": 1, "name": "r", "enforcement": "active"}}}
			code, out, errOut := run(t, p.fx.dir, githubEnv(s), "approval", "verify-setup")
			if code != 2 || (key != "repo" && !strings.Contains(errOut, "Administration: read")) {
				t.Errorf("exit %d, want 2 naming Administration: read\n%s\n%s", code, out, errOut)
			}
		})
	}
}

package githubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/google/go-github/v60/github"
)

// ActionsAppID is the ID of the GitHub Actions app, the source of statuses set with
// GITHUB_TOKEN.
const ActionsAppID = 15368

// Setup is what GitHub says about the settings the approval gate depends on, for one branch.
type Setup struct {
	Branch string
	// Protection is the branch protection rule; nil when the branch has none.
	Protection *Protection
	// Rules are the active ruleset rules that apply to the branch.
	Rules []BranchRule
	// Rulesets are the rulesets of Rules, by ID.
	Rulesets map[int64]Ruleset
	// WorkflowPermissions is the default GITHUB_TOKEN permission of workflows: read or write.
	WorkflowPermissions string
	// CanApprovePullRequestReviews says GitHub Actions may approve pull requests.
	CanApprovePullRequestReviews bool
	// CodeownersPath is the CODEOWNERS file GitHub uses ("" when there is none) and
	// Codeowners its text, on the branch.
	CodeownersPath string
	Codeowners     string
}

// RequiredCheck is a required status check and the app that must set it: nil AppID means any
// source (a classic rule's "any source", -1, is also read as nil).
type RequiredCheck struct {
	Context string
	AppID   *int64
}

// Protection is the part of a classic branch protection rule the gate depends on.
type Protection struct {
	// StatusChecks is false when the rule requires no status checks.
	StatusChecks bool
	Checks       []RequiredCheck
	// Strict is "require branches to be up to date before merging".
	Strict bool
	// EnforceAdmins is "do not allow bypassing the above settings".
	EnforceAdmins bool
	// Reviews is false when the rule requires no pull request before merging.
	Reviews          bool
	CodeOwnerReviews bool
	// Bypass are who may merge without the required pull request reviews ("user:x",
	// "team:x", "app:x").
	Bypass []string
}

// BranchRule is one active ruleset rule that applies to the branch.
type BranchRule struct {
	Type      string
	RulesetID int64
	// Source is the repository or organization the ruleset belongs to.
	Source string
	// Strict and Checks are the parameters of a required_status_checks rule.
	Strict bool
	Checks []RequiredCheck
	// CodeOwnerReview is the parameter of a pull_request rule.
	CodeOwnerReview bool
}

// Ruleset is a ruleset's name and who may bypass it.
type Ruleset struct {
	ID          int64
	Name        string
	Enforcement string
	// BypassActors are "Type:ID (mode)"; BypassKnown is false when GitHub did not say (the
	// token may not see them).
	BypassActors []string
	BypassKnown  bool
}

// DefaultBranch is the repository's default branch.
func (c *Client) DefaultBranch(ctx context.Context) (string, error) {
	r, _, err := c.gh.Repositories.Get(ctx, c.owner, c.repo)
	if err != nil {
		return "", c.fail(fmt.Sprintf("read repository %s/%s", c.owner, c.repo), err)
	}
	if r.GetDefaultBranch() == "" {
		return "", &APIError{Op: fmt.Sprintf("read repository %s/%s", c.owner, c.repo), msg: "the response names no default branch"}
	}
	return r.GetDefaultBranch(), nil
}

// adminHint says what a token needs to read repository settings.
const adminHint = "the token needs the Administration: read repository permission (GitHub App or fine-grained token) or the repo scope of an administrator (classic token); the default GITHUB_TOKEN cannot read it"

// get reads the API path into v.
func (c *Client) get(ctx context.Context, op, path string, v any) (status int, err error) {
	req, err := c.gh.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.gh.Do(ctx, req, v)
	if resp != nil {
		status = resp.StatusCode
	}
	if err != nil {
		return status, c.fail(op, err)
	}
	return status, nil
}

// ReadSetup reads the protection, rulesets, Actions settings and CODEOWNERS of branch.
func (c *Client) ReadSetup(ctx context.Context, branch string) (Setup, error) {
	s := Setup{Branch: branch, Rulesets: map[int64]Ruleset{}}
	repoPath := fmt.Sprintf("repos/%s/%s", url.PathEscape(c.owner), url.PathEscape(c.repo))
	b := url.PathEscape(branch)

	var prot protectionJSON
	op := fmt.Sprintf("read the protection of branch %s", branch)
	if _, err := c.get(ctx, op, repoPath+"/branches/"+b+"/protection", &prot); err != nil {
		var er *github.ErrorResponse
		switch {
		case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound && er.Message == "Branch not protected":
		default:
			return s, withHint(err, adminHint)
		}
	} else {
		s.Protection = prot.protection()
	}

	var rules []ruleJSON
	op = fmt.Sprintf("read the rules of branch %s", branch)
	rulesURL := repoPath + "/rules/branches/" + b + "?per_page=100"
	if _, err := c.get(ctx, op, rulesURL, &rules); err != nil {
		return s, withHint(err, "the token needs read access to the repository (Metadata: read)")
	}
	if len(rules) >= 100 {
		return s, &APIError{Op: op, msg: "100 or more rules: the list may be incomplete", err: ErrTruncated}
	}
	for _, r := range rules {
		s.Rules = append(s.Rules, r.rule())
		if _, seen := s.Rulesets[r.RulesetID]; seen || r.RulesetID == 0 {
			continue
		}
		var rs rulesetJSON
		op := fmt.Sprintf("read ruleset %d", r.RulesetID)
		if _, err := c.get(ctx, op, fmt.Sprintf("%s/rulesets/%d?includes_parents=true", repoPath, r.RulesetID), &rs); err != nil {
			return s, withHint(err, adminHint)
		}
		s.Rulesets[r.RulesetID] = rs.ruleset()
	}

	var wf struct {
		DefaultWorkflowPermissions   string `json:"default_workflow_permissions"`
		CanApprovePullRequestReviews bool   `json:"can_approve_pull_request_reviews"`
	}
	op = "read the default workflow permissions"
	if _, err := c.get(ctx, op, repoPath+"/actions/permissions/workflow", &wf); err != nil {
		return s, withHint(err, adminHint)
	}
	s.WorkflowPermissions, s.CanApprovePullRequestReviews = wf.DefaultWorkflowPermissions, wf.CanApprovePullRequestReviews

	// GitHub uses the first CODEOWNERS it finds in this order.
	for _, p := range []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"} {
		fc, _, resp, err := c.gh.Repositories.GetContents(ctx, c.owner, c.repo, p, &github.RepositoryContentGetOptions{Ref: branch})
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				continue
			}
			return s, withHint(c.fail("read "+p, err), "the token needs Contents: read")
		}
		if fc == nil {
			continue // a folder of that name
		}
		text, err := fc.GetContent()
		if err != nil {
			return s, &APIError{Op: "read " + p, msg: err.Error(), err: err}
		}
		s.CodeownersPath, s.Codeowners = p, text
		break
	}
	return s, nil
}

func withHint(err error, hint string) error {
	var ae *APIError
	if errors.As(err, &ae) {
		ae.msg += "; " + hint
	}
	return err
}

type checkJSON struct {
	Context       string `json:"context"`
	AppID         *int64 `json:"app_id"`
	IntegrationID *int64 `json:"integration_id"`
}

func (c checkJSON) check() RequiredCheck {
	id := c.AppID
	if id == nil {
		id = c.IntegrationID
	}
	if id != nil && *id < 0 {
		id = nil
	}
	return RequiredCheck{Context: c.Context, AppID: id}
}

type protectionJSON struct {
	RequiredStatusChecks *struct {
		Strict   bool        `json:"strict"`
		Contexts []string    `json:"contexts"`
		Checks   []checkJSON `json:"checks"`
	} `json:"required_status_checks"`
	EnforceAdmins *struct {
		Enabled bool `json:"enabled"`
	} `json:"enforce_admins"`
	RequiredPullRequestReviews *struct {
		RequireCodeOwnerReviews     bool `json:"require_code_owner_reviews"`
		BypassPullRequestAllowances *struct {
			Users []struct {
				Login string `json:"login"`
			} `json:"users"`
			Teams []struct {
				Slug string `json:"slug"`
			} `json:"teams"`
			Apps []struct {
				Slug string `json:"slug"`
			} `json:"apps"`
		} `json:"bypass_pull_request_allowances"`
	} `json:"required_pull_request_reviews"`
}

func (p protectionJSON) protection() *Protection {
	out := &Protection{}
	if rsc := p.RequiredStatusChecks; rsc != nil {
		out.StatusChecks, out.Strict = true, rsc.Strict
		seen := map[string]bool{}
		for _, c := range rsc.Checks {
			out.Checks = append(out.Checks, c.check())
			seen[c.Context] = true
		}
		for _, ctx := range rsc.Contexts { // older servers list contexts only: any source
			if !seen[ctx] {
				out.Checks = append(out.Checks, RequiredCheck{Context: ctx})
			}
		}
	}
	out.EnforceAdmins = p.EnforceAdmins != nil && p.EnforceAdmins.Enabled
	if r := p.RequiredPullRequestReviews; r != nil {
		out.Reviews, out.CodeOwnerReviews = true, r.RequireCodeOwnerReviews
		if a := r.BypassPullRequestAllowances; a != nil {
			for _, u := range a.Users {
				out.Bypass = append(out.Bypass, "user:"+u.Login)
			}
			for _, t := range a.Teams {
				out.Bypass = append(out.Bypass, "team:"+t.Slug)
			}
			for _, ap := range a.Apps {
				out.Bypass = append(out.Bypass, "app:"+ap.Slug)
			}
		}
	}
	return out
}

type ruleJSON struct {
	Type              string          `json:"type"`
	RulesetSource     string          `json:"ruleset_source"`
	RulesetSourceType string          `json:"ruleset_source_type"`
	RulesetID         int64           `json:"ruleset_id"`
	Parameters        json.RawMessage `json:"parameters"`
}

func (r ruleJSON) rule() BranchRule {
	out := BranchRule{Type: r.Type, RulesetID: r.RulesetID, Source: r.RulesetSource}
	var p struct {
		Strict          bool        `json:"strict_required_status_checks_policy"`
		Checks          []checkJSON `json:"required_status_checks"`
		CodeOwnerReview bool        `json:"require_code_owner_review"`
	}
	if len(r.Parameters) > 0 && json.Unmarshal(r.Parameters, &p) == nil {
		out.Strict, out.CodeOwnerReview = p.Strict, p.CodeOwnerReview
		for _, c := range p.Checks {
			out.Checks = append(out.Checks, c.check())
		}
	}
	return out
}

type rulesetJSON struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Enforcement  string `json:"enforcement"`
	BypassActors *[]struct {
		ActorID    *int64 `json:"actor_id"`
		ActorType  string `json:"actor_type"`
		BypassMode string `json:"bypass_mode"`
	} `json:"bypass_actors"`
}

func (r rulesetJSON) ruleset() Ruleset {
	out := Ruleset{ID: r.ID, Name: r.Name, Enforcement: r.Enforcement}
	if r.BypassActors != nil {
		out.BypassKnown = true
		for _, a := range *r.BypassActors {
			id := "any"
			if a.ActorID != nil {
				id = fmt.Sprint(*a.ActorID)
			}
			out.BypassActors = append(out.BypassActors, fmt.Sprintf("%s:%s (%s)", a.ActorType, id, a.BypassMode))
		}
		sort.Strings(out.BypassActors)
	}
	return out
}

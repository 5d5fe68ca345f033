package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Bypass 5: who authored or pushed the pull request's commits does not approve it, unless the
// policy opts in; their request for changes still blocks.
func TestCommitAuthorsDoNotApprove(t *testing.T) {
	nonApprovers := map[string]string{"Ivan": "authored commit 1a2b3c4"}
	tests := []struct {
		name    string
		policy  string
		reviews []Review
		want    bool
		wantWhy string
	}{
		{"control: no commit authors", testPolicy, []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, true, ""},
		{"a commit author's approval does not count", testPolicy, []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, false,
			"authored commit 1a2b3c4: who wrote or pushed the pull request's commits does not approve them"},
		{"unless the policy opts in", testPolicy + "commit_authors_may_approve: true\n", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, true, ""},
		{"a commit author's request for changes blocks, opted in or not", testPolicy + "commit_authors_may_approve: true\n",
			[]Review{approve(1, "grace", head, 1), approve(2, "frank2", head, 2), requestChanges(3, "ivan", head, 3)}, false, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(tt.reviews...)
			if i > 0 {
				in.NonApprovers = nonApprovers
			}
			d := mustParse(t, tt.policy).Evaluate(in)
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
			if tt.wantWhy != "" && !slices.ContainsFunc(d.Ignored, func(r IgnoredReview) bool { return r.Login == "ivan" && strings.Contains(r.Reason, tt.wantWhy) }) {
				t.Errorf("ignored %+v, want ivan's review ignored: %s", d.Ignored, tt.wantWhy)
			}
		})
	}
	t.Run("parse", func(t *testing.T) {
		if mustParse(t, testPolicy).CommitAuthorsMayApprove {
			t.Error("commit_authors_may_approve defaults to true, want false")
		}
	})
	// A switch that is not a YAML boolean is an invalid policy, never read as its default or
	// as true: "yes" is a string in YAML 1.2.
	for _, v := range []string{`"true"`, "yes", "1", "[true]", "{}", "null"} {
		t.Run("not a boolean: "+v, func(t *testing.T) {
			for _, key := range []string{"commit_authors_may_approve", "templates_preapproved"} {
				var pe *ParseError
				if _, err := Parse([]byte(testPolicy + key + ": " + v + "\n")); !errors.As(err, &pe) {
					t.Errorf("%s: %s parsed (err %v), want a *ParseError", key, v, err)
				}
			}
		})
	}
}

// A reviewer requesting changes whose membership of a required team cannot be looked up blocks:
// an unanswered lookup is never "not a member".
func TestTeamLookupErrorMakesChangesRequestedBlock(t *testing.T) {
	p := mustParse(t, `groups:
  cab:    {members: [grace]}
  admins: {team: shop/platform-admins}
rules:
  - name: the CAB or an admin
    match: {types: [normal]}
    require: [{any_of: [{group: cab}, {group: admins}]}]
`)
	for _, tt := range []struct {
		name   string
		lookup TeamLookup
		want   bool
	}{
		{"control: not a member", func(string, string) (bool, error) { return false, nil }, true},
		{"a member", func(string, string) (bool, error) { return true, nil }, false},
		{"the lookup fails", func(string, string) (bool, error) { return false, errors.New("404: the token cannot read the team") }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := input(approve(1, "grace", head, 1), requestChanges(2, "oscar", head, 2))
			in.IsTeamMember = tt.lookup
			d := p.Evaluate(in)
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
			if blocked := slices.ContainsFunc(d.Blockers, func(b Blocker) bool { return b.Login == "oscar" }); blocked == tt.want {
				t.Errorf("oscar blocks: %v, want %v", blocked, !tt.want)
			}
		})
	}
}

// A CI the base does not have, or cannot trust, leaves the selection undecided: fail closed
// under every selector that reads CI data.
func TestUnusableCIFailsClosed(t *testing.T) {
	selectors := map[string]string{
		"environment":        "{environments: [production]}",
		"criticality":        "{criticality: 2}",
		"criticality list":   "{criticality: [1, 2]}",
		"service":            "{services: [shop]}",
		"environment+normal": "{types: [normal], environments: [production]}",
	}
	for name, match := range selectors {
		p := mustParse(t, "groups:\n  cab: {members: [grace]}\nrules:\n  - {name: r, match: "+match+", require: [{group: cab}]}\n  - {name: all, match: {}, require: [{none: true}]}\n")
		for _, tt := range []struct {
			name string
			mod  func(*Input)
			want bool
		}{
			{"control", func(*Input) {}, true},
			{"a CI missing at the base", func(in *Input) { in.Changes[0].Head["cis"] = []any{"ghost-ci"} }, false},
			{"a CI failing its schema at the base", func(in *Input) {
				delete(in.CIs, "checkout-api")
				in.InvalidCIs = map[string]string{"checkout-api": "cis/checkout-api.yaml fails its schema at /environment"}
			}, false},
		} {
			t.Run(name+": "+tt.name, func(t *testing.T) {
				in := input(approve(1, "grace", head, 1))
				tt.mod(&in)
				if d := p.Evaluate(in); d.Approved != tt.want {
					t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
				}
			})
		}
	}
	t.Run("an invalid CI the change does not name still undecides services", func(t *testing.T) {
		p := mustParse(t, "groups:\n  cab: {members: [grace]}\nrules:\n  - {name: r, match: {services: [shop]}, require: [{group: cab}]}\n  - {name: all, match: {}, require: [{none: true}]}\n")
		in := input()
		in.Changes[0].Head["cis"] = []any{"staging-api"}
		in.InvalidCIs = map[string]string{"mystery": "2 files have this ID"}
		if d := p.Evaluate(in); d.Approved {
			t.Errorf("approved, want fail closed\n%s", d.Text())
		}
	})
	t.Run("ci_owners names an invalid CI", func(t *testing.T) {
		in := input(approve(1, "grace", head, 1), approve(2, "ivan", head, 2))
		delete(in.CIs, "checkout-api")
		in.InvalidCIs = map[string]string{"checkout-api": "2 files have this ID: cis/a.yaml, cis/checkout-api.yaml"}
		d := mustParse(t, testPolicy).Evaluate(in)
		if d.Approved || !slices.ContainsFunc(d.Records[0].Problems, func(p string) bool { return strings.Contains(p, "2 files have this ID") }) {
			t.Errorf("got approved %v, problems %q; want fail closed naming the duplicate", d.Approved, d.Records[0].Problems)
		}
	})
}

// Bypass 4: a type change after new needs both types' rules; a standard change is pre-approved
// only inside what its template allows.
func TestTypeChanges(t *testing.T) {
	p := mustParse(t, testPolicy)
	tests := []struct {
		name      string
		base      map[string]any
		head      map[string]any
		reviews   []Review
		wantNeeds bool
		want      bool
	}{
		{"normal in authorize retyped to standard and scheduled", chg("C", "normal", "authorize", nil), chg("C", "standard", "scheduled", nil), nil, true, false},
		{"… with the normal change's approvals", chg("C", "normal", "authorize", nil), chg("C", "standard", "scheduled", nil),
			[]Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, true, true},
		{"normal in assess retyped to standard, not yet scheduled", chg("C", "normal", "assess", nil), chg("C", "standard", "assess", nil), nil, true, false},
		{"retyped while new needs nothing", chg("C", "normal", "new", nil), chg("C", "standard", "new", nil), nil, false, true},
		{"emergency retyped to normal while closing still needs its review", chg("C", "emergency", "review", map[string]any{"justification": "outage"}),
			chg("C", "normal", "closed", map[string]any{"outcome": "successful"}),
			[]Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2), approve(3, "heidi", head, 3)}, true, false},
		{"normal retyped to emergency while closing needs the review too", chg("C", "normal", "review", nil),
			chg("C", "emergency", "closed", map[string]any{"outcome": "successful", "justification": "outage"}),
			[]Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2), approve(3, "heidi", head, 3)}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(tt.reviews...)
			in.Changes = []Change{{Path: "changes/C.yaml", Base: tt.base, Head: tt.head}}
			d := p.Evaluate(in)
			if r := d.Records[0]; r.NeedsApproval != tt.wantNeeds || d.Approved != tt.want {
				t.Errorf("needs %v approved %v, want %v %v\n%s", r.NeedsApproval, d.Approved, tt.wantNeeds, tt.want, d.Text())
			}
		})
	}
}

func TestTemplateConstraints(t *testing.T) {
	p := mustParse(t, testPolicy)
	std := func(extra map[string]any) Change {
		return Change{Path: "changes/C.yaml", Base: chg("C", "standard", "new", extra), Head: chg("C", "standard", "scheduled", extra)}
	}
	tmpl := Template{ID: "std-cert-rotation", CIs: []string{"checkout-api", "staging-api"}, Risks: []string{"low", "moderate"}, Environments: []string{"production", "staging"}}
	tests := []struct {
		name    string
		c       Change
		tmpl    Template
		want    bool
		wantWhy string
	}{
		{"inside the template", std(nil), tmpl, true, ""},
		{"no constraints", std(map[string]any{"risk": "very_high", "cis": []any{"payments-db"}}), Template{ID: "std-cert-rotation"}, true, ""},
		{"a risk the template does not allow", std(map[string]any{"risk": "very_high"}), tmpl, false, "risk very_high is not one of low, moderate"},
		{"a CI the template does not name", std(map[string]any{"cis": []any{"payments-db"}}), tmpl, false, "CI payments-db is not one of checkout-api, staging-api"},
		{"an environment the template does not allow", std(map[string]any{"cis": []any{"staging-api"}}),
			Template{ID: "std-cert-rotation", Environments: []string{"production"}}, false, "CI staging-api is in staging, not in production"},
		{"a CI the base does not have under an environment constraint", std(map[string]any{"cis": []any{"ghost-ci"}}),
			Template{ID: "std-cert-rotation", Environments: []string{"production"}}, false, "CI ghost-ci is not a usable CI of the base commit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input()
			in.Templates = []Template{tt.tmpl}
			in.Changes = []Change{tt.c}
			d := p.Evaluate(in)
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
			if tt.wantWhy != "" && !slices.ContainsFunc(d.Records[0].Problems, func(s string) bool { return strings.Contains(s, tt.wantWhy) }) {
				t.Errorf("problems %q, want one containing %q", d.Records[0].Problems, tt.wantWhy)
			}
		})
	}
}

// Bypass 3: CIs, SLAs and calendars route and weaken approval.
func TestDefinitionEdits(t *testing.T) {
	ciRec := func(owner, env string) map[string]any {
		return map[string]any{"id": "checkout-api", "kind": "CI", "class": "api", "owner": owner, "environment": env, "criticality": int64(1), "lifecycle": "production"}
	}
	sla := func(goal string) map[string]any {
		return map[string]any{"id": "sla-gold", "kind": "SLA", "target": "resolution", "goals": []any{map[string]any{"priority": "P1", "duration": goal}}}
	}
	withRules := testPolicy + `  - name: production CIs need the CAB too
    match: {kinds: [CI], environments: [production]}
    require: [{group: cab}]
  - name: SLAs and calendars need the CAB
    match: {kinds: [SLA, Calendar]}
    require: [{group: cab}]
`
	tests := []struct {
		name      string
		policy    string
		c         Change
		reviews   []Review
		wantNeeds bool
		want      bool
		wantRules []string
	}{
		{"owner change without approvals", testPolicy, Change{Kind: KindCI, Path: "cis/checkout-api.yaml", Base: ciRec("team-shop", "production"), Head: ciRec("team-data", "production")},
			nil, true, false, []string{"the owners of a CI approve edits of what routes its changes"}},
		{"owner change with the old owner only", testPolicy, Change{Kind: KindCI, Path: "cis/checkout-api.yaml", Base: ciRec("team-shop", "production"), Head: ciRec("team-data", "production")},
			[]Review{approve(1, "ivan", head, 1)}, true, false, nil},
		{"owner change with both owners", testPolicy, Change{Kind: KindCI, Path: "cis/checkout-api.yaml", Base: ciRec("team-shop", "production"), Head: ciRec("team-data", "production")},
			[]Review{approve(1, "ivan", head, 1), approve(2, "judy", head, 2)}, true, true, nil},
		{"environment change: the base owner and the rule selecting the production version", withRules,
			Change{Kind: KindCI, Path: "cis/checkout-api.yaml", Base: ciRec("team-shop", "production"), Head: ciRec("team-shop", "development")},
			[]Review{approve(1, "ivan", head, 1)}, true, false,
			[]string{"the owners of a CI approve edits of what routes its changes", "production CIs need the CAB too"}},
		{"… approved", withRules,
			Change{Kind: KindCI, Path: "cis/checkout-api.yaml", Base: ciRec("team-shop", "production"), Head: ciRec("team-shop", "development")},
			[]Review{approve(1, "ivan", head, 1), approve(2, "grace", head, 2)}, true, true, nil},
		{"a CI owned by no group of the policy", testPolicy, Change{Kind: KindCI, Path: "cis/checkout-api.yaml", Base: ciRec("nobody", "production"), Head: ciRec("nobody", "staging")},
			[]Review{approve(1, "ivan", head, 1)}, true, false, nil},
		{"a title edit needs nothing", testPolicy, Change{Kind: KindCI, Path: "cis/checkout-api.yaml", Base: ciRec("team-shop", "production"),
			Head: func() map[string]any { m := ciRec("team-shop", "production"); m["title"] = "Checkout"; return m }()}, nil, false, true, nil},
		{"an SLA edit with no rule for SLAs fails closed", testPolicy, Change{Kind: KindSLA, Path: "slas/sla-gold.yaml", Base: sla("4h"), Head: sla("40h")},
			[]Review{approve(1, "grace", head, 1)}, true, false, nil},
		{"an SLA edit with a rule", withRules, Change{Kind: KindSLA, Path: "slas/sla-gold.yaml", Base: sla("4h"), Head: sla("40h")},
			[]Review{approve(1, "grace", head, 1)}, true, true, []string{"SLAs and calendars need the CAB"}},
		{"a calendar deleted without approval", withRules, Change{Kind: KindCalendar, Path: "calendars/office.yaml", Base: map[string]any{"id": "office", "kind": "Calendar"}},
			nil, true, false, []string{"SLAs and calendars need the CAB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(tt.reviews...)
			in.Changes = []Change{tt.c}
			in.ChangedPaths = []string{tt.c.Path}
			d := mustParse(t, tt.policy).Evaluate(in)
			r := d.Records[0]
			if r.NeedsApproval != tt.wantNeeds || d.Approved != tt.want {
				t.Errorf("needs %v approved %v, want %v %v\n%s", r.NeedsApproval, d.Approved, tt.wantNeeds, tt.want, d.Text())
			}
			if tt.wantRules != nil {
				var got []string
				for _, rr := range r.Rules {
					got = append(got, rr.Name)
				}
				if !slices.Equal(got, tt.wantRules) {
					t.Errorf("rules %q, want %q", got, tt.wantRules)
				}
			}
		})
	}
}

func TestParseKinds(t *testing.T) {
	for _, tt := range []struct{ name, match, want string }{
		{"types on CIs", "{kinds: [CI], types: [normal]}", "types and risks select change records only"},
		{"environments on SLAs", "{kinds: [SLA], environments: [production]}", "environments, criticality, services and cis select change records and CIs"},
		{"an unknown kind", "{kinds: [Incident]}", "kinds.0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte("groups: {cab: {members: [grace]}}\nrules:\n  - {name: a, match: " + tt.match + ", require: [{group: cab}]}\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

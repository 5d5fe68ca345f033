package policy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const head = "1111111111111111111111111111111111111111"
const older = "0000000000000000000000000000000000000000"

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// testPolicy extends the SPEC example with an emergency CAB and a team group.
const testPolicy = `groups:
  cab:       {members: [grace, heidi]}
  ecab:      {members: [heidi]}
  team-shop: {members: [frank, ivan]}
  team-data: {members: [judy]}
  admins:    {team: shop/platform-admins}
rules:
  - name: normal changes need the CAB and the owners of the CIs they touch
    match: {types: [normal]}
    require: [{group: cab, count: 1}, {ci_owners: true}]
  - name: high risk needs two CAB members
    match: {types: [normal, emergency], risks: [high, very_high]}
    require: [{group: cab, count: 2}]
  - name: emergency changes need the emergency CAB
    match: {types: [emergency]}
    require: [{group: ecab}]
  - name: the policy and the schemas are guarded
    match: {paths: [".gitsm/**", "schemas/**"]}
    require: [{group: admins, count: 1}]
`

func mustParse(t *testing.T, src string) *Policy {
	t.Helper()
	p, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func testCIs() map[string]map[string]any {
	return map[string]map[string]any{
		"checkout-api": {"id": "checkout-api", "class": "api", "owner": "team-shop", "environment": "production", "criticality": int64(1), "depends_on": []any{"payments-db"}},
		"payments-db":  {"id": "payments-db", "class": "database", "owner": "team-data", "environment": "production", "criticality": int64(2)},
		"shop":         {"id": "shop", "class": "service", "owner": "team-shop", "environment": "production", "depends_on": []any{"checkout-api"}},
		"staging-api":  {"id": "staging-api", "class": "api", "owner": "team-shop", "environment": "staging", "criticality": int64(3)},
	}
}

// chg builds a change record; extra holds field overrides (a nil value deletes the field).
func chg(id, typ, state string, extra map[string]any) map[string]any {
	rec := map[string]any{
		"apiVersion": "gitsm/v1", "kind": "Change", "id": id, "title": "Rotate the checkout TLS certificate",
		"type": typ, "state": state, "risk": "moderate", "cis": []any{"checkout-api"},
		"requested_by": "frank", "assignment_group": "team-shop",
		"implementation_plan": "rotate", "backout_plan": "restore the old certificate",
		"planned_start": "2026-03-03T01:00:00Z", "planned_end": "2026-03-03T02:00:00Z",
	}
	if typ == "standard" {
		rec["template"] = "std-cert-rotation"
	}
	for k, v := range extra {
		if v == nil {
			delete(rec, k)
		} else {
			rec[k] = v
		}
	}
	return rec
}

func approve(id int64, login, commit string, minute int) Review {
	return Review{ID: id, Login: login, UserType: "User", State: "APPROVED", CommitID: commit, SubmittedAt: t0.Add(time.Duration(minute) * time.Minute)}
}

func requestChanges(id int64, login, commit string, minute int) Review {
	r := approve(id, login, commit, minute)
	r.State = "CHANGES_REQUESTED"
	return r
}

// scheduling is a normal change moving from authorize to scheduled: it needs the CAB and the
// owners of checkout-api (team-shop).
func scheduling() Change {
	return Change{
		Path: "changes/2026/CHG-000001.yaml",
		Base: chg("CHG-000001", "normal", "authorize", nil),
		Head: chg("CHG-000001", "normal", "scheduled", nil),
	}
}

func input(reviews ...Review) Input {
	return Input{
		Changes:      []Change{scheduling()},
		CIs:          testCIs(),
		Templates:    []Template{{ID: "std-cert-rotation"}},
		ChangedPaths: []string{"changes/2026/CHG-000001.yaml"},
		Reviews:      reviews,
		Author:       "frank",
		HeadSHA:      head,
	}
}

func approvers(d Decision) []string {
	var out []string
	for _, r := range d.Records {
		for _, rr := range r.Rules {
			for _, a := range rr.Approvers {
				out = append(out, a.Login+"/"+a.Group)
			}
		}
	}
	return out
}

func TestApprovalSatisfied(t *testing.T) {
	p := mustParse(t, testPolicy)
	d := p.Evaluate(input(approve(1, "grace", head, 1), approve(2, "ivan", head, 2)))
	want := Decision{
		Approved: true,
		HeadSHA:  head,
		Records: []RecordDecision{{
			ID: "CHG-000001", Kind: "Change", Path: "changes/2026/CHG-000001.yaml", NeedsApproval: true, Approved: true,
			Why: "moves the change from authorize to scheduled",
			Rules: []RuleResult{{
				Name:      "normal changes need the CAB and the owners of the CIs they touch",
				Satisfied: true,
				Reason:    "approved by grace (cab), ivan (team-shop)",
				Requires:  "1 approval from cab (grace, heidi); 1 approval from team-shop (frank, ivan) (owner of checkout-api)",
				Approvers: []Approver{
					{Login: "grace", Group: "cab", ReviewID: 1, CommitID: head, SubmittedAt: t0.Add(time.Minute)},
					{Login: "ivan", Group: "team-shop", ReviewID: 2, CommitID: head, SubmittedAt: t0.Add(2 * time.Minute)},
				},
			}},
			Problems: []string{},
		}},
		PathRules: []RuleResult{},
		Blockers:  []Blocker{},
		Ignored:   []IgnoredReview{},
		Errors:    []string{},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
	}
}

// Semantic 1: the policy and groups are read from the base commit, never from the PR head; a PR
// that edits .gitsm/** needs the approvals the base policy requires for that. Evaluate only ever
// sees the policy its caller parsed from the base; this test shows that a PR changing the
// policy needs the base policy's admins, and that the head's weakened policy is not consulted.
func TestSemantic1PolicyFromBase(t *testing.T) {
	base := mustParse(t, testPolicy)
	weakened := mustParse(t, "rules: [{name: anything goes, match: {paths: ['**']}, require: [{none: true}]}]\n")
	team := func(team, login string) (bool, error) {
		return team == "shop/platform-admins" && login == "oscar", nil
	}
	tests := []struct {
		name    string
		policy  *Policy
		reviews []Review
		want    bool
	}{
		{"base policy, no admin approval", base, nil, false},
		{"base policy, admin approved", base, []Review{approve(1, "oscar", head, 1)}, true},
		{"base policy, non-admin approved", base, []Review{approve(1, "grace", head, 1)}, false},
		// With the head's policy the PR would pass: the caller must never use it.
		{"head policy would let it through", weakened, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{
				ChangedPaths: []string{".gitsm/policy.yaml"},
				Reviews:      tt.reviews,
				Author:       "frank",
				HeadSHA:      head,
				IsTeamMember: team,
			}
			d := tt.policy.Evaluate(in)
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
		})
	}
	t.Run("path rule result", func(t *testing.T) {
		d := base.Evaluate(Input{ChangedPaths: []string{".gitsm/policy.yaml", "README.md"}, Author: "frank", HeadSHA: head, IsTeamMember: team})
		want := []RuleResult{{
			Name:      "the policy and the schemas are guarded",
			Reason:    "missing 1 more approval from admins (team shop/platform-admins)",
			Approvers: []Approver{},
			Requires:  "1 approval from admins (team shop/platform-admins)",
			Missing:   "1 more approval from admins (team shop/platform-admins)",
			Paths:     []string{".gitsm/policy.yaml"},
		}}
		if diff := cmp.Diff(want, d.PathRules); diff != "" {
			t.Errorf("PathRules mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("unguarded .gitsm file fails closed", func(t *testing.T) {
		p := mustParse(t, "groups: {cab: {members: [grace]}}\nrules:\n  - {name: n, match: {types: [normal]}, require: [{group: cab}]}\n")
		d := p.Evaluate(Input{ChangedPaths: []string{".gitsm/config.yaml"}, Reviews: []Review{approve(1, "grace", head, 1)}, Author: "frank", HeadSHA: head})
		if d.Approved || len(d.Errors) != 1 {
			t.Errorf("got Approved=%v Errors=%q, want not approved with one error", d.Approved, d.Errors)
		}
	})
}

// Semantic 2: only the latest review of each reviewer counts; only APPROVED reviews whose
// commit_id is the head SHA count; CHANGES_REQUESTED from a required approver blocks.
func TestSemantic2LatestReviewAtHead(t *testing.T) {
	tests := []struct {
		name         string
		reviews      []Review
		wantApproved bool
		wantBlockers []string
	}{
		{"both approve at head", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, true, nil},
		{"stale approval ignored", []Review{approve(1, "grace", older, 1), approve(2, "ivan", head, 2)}, false, nil},
		{"stale then fresh approval", []Review{approve(1, "grace", older, 1), approve(2, "ivan", head, 2), approve(3, "grace", head, 3)}, true, nil},
		{"approval then changes requested", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2), requestChanges(3, "grace", head, 3)}, false, []string{"grace"}},
		{"changes requested then approval", []Review{requestChanges(1, "grace", older, 1), approve(2, "ivan", head, 2), approve(3, "grace", head, 3)}, true, nil},
		{"changes requested on an old commit still blocks", []Review{approve(1, "heidi", head, 1), approve(2, "ivan", head, 2), requestChanges(3, "grace", older, 0)}, false, []string{"grace"}},
		{"changes requested by a CI owner blocks", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2), requestChanges(3, "frank", head, 3)}, true, nil},
		{"changes requested by a non-required reviewer does not block", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2), requestChanges(3, "mallory", head, 3)}, true, nil},
		{"comment after approval keeps it", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2), {ID: 3, Login: "grace", UserType: "User", State: "COMMENTED", CommitID: head, SubmittedAt: t0.Add(3 * time.Minute)}}, true, nil},
		{"dismissed approval does not count", []Review{{ID: 1, Login: "grace", UserType: "User", State: "DISMISSED", CommitID: head, SubmittedAt: t0.Add(time.Minute)}, approve(2, "ivan", head, 2)}, false, nil},
		{"same time: higher review id is later", []Review{approve(5, "grace", head, 1), requestChanges(4, "grace", head, 1), approve(2, "ivan", head, 2)}, true, nil},
		{"out of order input: latest by time wins", []Review{requestChanges(9, "grace", head, 5), approve(2, "ivan", head, 2), approve(1, "grace", head, 1)}, false, []string{"grace"}},
	}
	p := mustParse(t, testPolicy)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(input(tt.reviews...))
			if d.Approved != tt.wantApproved {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.wantApproved, d.Text())
			}
			var got []string
			for _, b := range d.Blockers {
				got = append(got, b.Login)
			}
			if diff := cmp.Diff(tt.wantBlockers, got); diff != "" {
				t.Errorf("Blockers mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// The author (frank) cannot review his own PR on GitHub; with another author, a CI owner
	// requesting changes is a required approver and blocks.
	t.Run("changes requested by a required CI owner blocks", func(t *testing.T) {
		in := input(approve(1, "grace", head, 1), approve(2, "ivan", head, 2), requestChanges(3, "frank", head, 3))
		in.Author = "mallory"
		d := p.Evaluate(in)
		if d.Approved || len(d.Blockers) != 1 || d.Blockers[0].Login != "frank" {
			t.Errorf("got Approved=%v Blockers=%+v, want blocked by frank", d.Approved, d.Blockers)
		}
	})
}

// Semantic 3: the PR author never counts, nor do bots, nor deleted users; each person counts once.
func TestSemantic3WhoCounts(t *testing.T) {
	bot := approve(3, "renovate[bot]", head, 3)
	bot.UserType = "Bot"
	typedBot := approve(4, "grace", head, 4)
	typedBot.UserType = "Bot"
	ghost := approve(5, "", head, 5)
	ghost.Deleted = true
	deleted := approve(6, "heidi", head, 6)
	deleted.Deleted = true
	tests := []struct {
		name        string
		author      string
		reviews     []Review
		want        bool
		wantIgnored []string
	}{
		{"author self-approval ignored", "grace", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, false, []string{"grace: pull request author"}},
		{"author matched case-insensitively", "Grace", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, false, []string{"grace: pull request author"}},
		{"bot by login ignored", "frank", []Review{bot, approve(2, "ivan", head, 2)}, false, []string{"renovate[bot]: bot"}},
		{"bot by user type ignored", "frank", []Review{typedBot, approve(2, "ivan", head, 2)}, false, []string{"grace: bot"}},
		{"deleted user ignored", "frank", []Review{ghost, deleted, approve(2, "ivan", head, 2)}, false, []string{": deleted user", "heidi: deleted user"}},
		{"other reviewers count", "frank", []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}, true, nil},
	}
	p := mustParse(t, testPolicy)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(tt.reviews...)
			in.Author = tt.author
			d := p.Evaluate(in)
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
			var got []string
			for _, ig := range d.Ignored {
				got = append(got, ig.Login+": "+ig.Reason)
			}
			if diff := cmp.Diff(tt.wantIgnored, got); diff != "" {
				t.Errorf("Ignored mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("each person counts once", func(t *testing.T) {
		high := scheduling()
		high.Head["risk"] = "high"
		in := input(approve(1, "grace", head, 1), approve(2, "grace", head, 2), approve(3, "GRACE", head, 3), approve(4, "ivan", head, 4))
		in.Changes = []Change{high}
		d := p.Evaluate(in)
		if d.Approved {
			t.Fatalf("two CAB approvals by one person satisfied a count of 2\n%s", d.Text())
		}
		rr := d.Records[0].Rules[1]
		if rr.Missing != "1 more approval from cab (grace, heidi)" {
			t.Errorf("Missing = %q, want one more CAB approval", rr.Missing)
		}
		in.Reviews = append(in.Reviews, approve(5, "heidi", head, 5))
		if d := p.Evaluate(in); !d.Approved {
			t.Errorf("grace and heidi did not satisfy the count of 2\n%s", d.Text())
		}
	})
}

// Semantic 4 (the head SHA given must equal the PR's) is checked by the GitHub adapter against
// the API (githubapi.CheckHead); here: approvals count only at the head SHA given, and without
// one nothing is approved.
func TestSemantic4HeadSHA(t *testing.T) {
	p := mustParse(t, testPolicy)
	in := input(approve(1, "grace", head, 1), approve(2, "ivan", head, 2))
	in.HeadSHA = "2222222222222222222222222222222222222222"
	if d := p.Evaluate(in); d.Approved {
		t.Errorf("approvals of another commit counted")
	}
	in.HeadSHA = ""
	if d := p.Evaluate(in); d.Approved || len(d.Errors) == 0 {
		t.Errorf("got Approved=%v Errors=%q without a head SHA, want not approved with an error", d.Approved, d.Errors)
	}
	in.HeadSHA = strings.ToUpper(head)
	if d := p.Evaluate(in); !d.Approved {
		t.Errorf("head SHA compared case-sensitively\n%s", d.Text())
	}
}

// Semantic 5: fail closed. Any unreadable record, unknown CI, unresolvable group or failed team
// lookup means not approved.
func TestSemantic5FailClosed(t *testing.T) {
	teamPolicy := `groups:
  admins: {team: shop/platform-admins}
  team-shop: {members: [frank, ivan]}
rules:
  - name: admins
    match: {types: [normal]}
    require: [{group: admins}]
`
	ownerPolicy := `groups:
  cab: {members: [grace]}
rules:
  - name: owners
    match: {types: [normal]}
    require: [{ci_owners: true}]
`
	envPolicy := `groups:
  cab: {members: [grace]}
rules:
  - name: production
    match: {environments: [production]}
    require: [{group: cab}]
`
	lookupErr := errors.New("GET /orgs/shop/teams/platform-admins/memberships/grace: 500")
	good := []Review{approve(1, "grace", head, 1), approve(2, "ivan", head, 2)}
	tests := []struct {
		name   string
		policy string
		mod    func(*Input)
	}{
		{"unreadable record", testPolicy, func(in *Input) { in.Changes[0].Err = errors.New("yaml: line 3: bad") }},
		{"record without state", testPolicy, func(in *Input) { delete(in.Changes[0].Head, "state") }},
		{"record with unknown state", testPolicy, func(in *Input) { in.Changes[0].Head["state"] = "approved" }},
		{"record with neither version", testPolicy, func(in *Input) { in.Changes[0] = Change{Path: "changes/CHG-9.yaml"} }},
		{"team lookup error", teamPolicy, func(in *Input) {
			in.IsTeamMember = func(string, string) (bool, error) { return false, lookupErr }
		}},
		{"team lookup error for one approver even if another is a member", teamPolicy, func(in *Input) {
			in.IsTeamMember = func(_, login string) (bool, error) {
				if login == "grace" {
					return false, lookupErr
				}
				return true, nil
			}
		}},
		{"no team lookup configured", teamPolicy, func(in *Input) { in.IsTeamMember = nil }},
		{"ci_owners with an unknown CI", testPolicy, func(in *Input) { in.Changes[0].Head["cis"] = []any{"checkout-api", "ghost-ci"} }},
		{"ci_owners with a CI without owner", ownerPolicy, func(in *Input) { delete(in.CIs["checkout-api"], "owner") }},
		{"ci_owners with an owner that is no group", ownerPolicy, func(in *Input) { in.CIs["checkout-api"]["owner"] = "nobody" }},
		{"selection by environment with an unknown CI", envPolicy, func(in *Input) { in.Changes[0].Head["cis"] = []any{"ghost-ci"} }},
		{"no rule selects the change", "rules: []\n", nil},
		{"record without risk", testPolicy, func(in *Input) { delete(in.Changes[0].Head, "risk") }},
		{"record without cis", testPolicy, func(in *Input) { in.Changes[0].Head["cis"] = []any{} }},
		{"record with an unknown type", testPolicy, func(in *Input) { in.Changes[0].Head["type"] = "minor" }},
		{"standard change with an undeclared template", "rules: []\n", func(in *Input) {
			in.Changes[0] = Change{Path: "changes/CHG-2.yaml", Head: chg("CHG-2", "standard", "scheduled", map[string]any{"template": "std-unknown"})}
		}},
		{"standard change when templates are not pre-approved", "templates_preapproved: false\nrules: []\n", func(in *Input) {
			in.Changes[0] = Change{Path: "changes/CHG-2.yaml", Head: chg("CHG-2", "standard", "scheduled", nil)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.policy)
			in := input(good...)
			in.IsTeamMember = func(string, string) (bool, error) { return true, nil }
			if tt.mod != nil {
				tt.mod(&in)
			}
			d := p.Evaluate(in)
			if d.Approved {
				t.Fatalf("approved, want fail closed\n%s", d.Text())
			}
			if len(d.Records) != 1 || d.Records[0].Approved {
				t.Errorf("record approved, want not\n%s", d.Text())
			}
		})
	}
	t.Run("a failed lookup in an unneeded alternative does not block", func(t *testing.T) {
		p := mustParse(t, `groups:
  admins: {team: shop/platform-admins}
  cab: {members: [grace]}
rules:
  - name: either
    match: {types: [normal]}
    require: [{any_of: [{group: cab}, {group: admins}]}]
`)
		in := input(approve(1, "grace", head, 1))
		in.IsTeamMember = func(string, string) (bool, error) { return false, lookupErr }
		if d := p.Evaluate(in); !d.Approved {
			t.Errorf("not approved\n%s", d.Text())
		}
	})
	t.Run("an unparsable policy is an error", func(t *testing.T) {
		var pe *ParseError
		if _, err := Parse([]byte("rules: {")); !errors.As(err, &pe) {
			t.Errorf("got %v, want a *ParseError", err)
		}
	})
}

// Semantic 6: every change record added or modified is evaluated; approval is needed when the PR
// moves a change to scheduled or beyond (or adds one already there), or edits the approved
// scope of a change past authorize; progress after that needs none.
func TestSemantic6WhenApprovalIsNeeded(t *testing.T) {
	closedFields := map[string]any{"actual_start": "2026-03-03T01:05:00Z", "actual_end": "2026-03-03T01:40:00Z", "outcome": "successful"}
	tests := []struct {
		name      string
		base      map[string]any
		head      map[string]any
		wantNeeds bool
		wantWhy   string
	}{
		{"new to assess", chg("C", "normal", "new", nil), chg("C", "normal", "assess", nil), false, "moves the change from new to assess, before scheduled"},
		{"assess to authorize", chg("C", "normal", "assess", nil), chg("C", "normal", "authorize", nil), false, "moves the change from assess to authorize, before scheduled"},
		{"edit before scheduled", chg("C", "normal", "authorize", nil), chg("C", "normal", "authorize", map[string]any{"risk": "high"}), false, "edits a change in state authorize, before scheduled"},
		{"authorize to scheduled", chg("C", "normal", "authorize", nil), chg("C", "normal", "scheduled", nil), true, "moves the change from authorize to scheduled"},
		{"authorize straight to implement", chg("C", "normal", "authorize", nil), chg("C", "normal", "implement", nil), true, "moves the change from authorize to implement"},
		{"standard new to scheduled", chg("C", "standard", "new", nil), chg("C", "standard", "scheduled", nil), true, "moves the change from new to scheduled"},
		{"added in new", nil, chg("C", "normal", "new", nil), false, "adds a change in state new, before scheduled"},
		{"added already scheduled", nil, chg("C", "normal", "scheduled", nil), true, "adds a change already in state scheduled"},
		{"added already closed", nil, chg("C", "normal", "closed", closedFields), true, "adds a change already in state closed"},
		{"scheduled to implement", chg("C", "normal", "scheduled", nil), chg("C", "normal", "implement", map[string]any{"actual_start": "2026-03-03T01:05:00Z"}), false, "progress from scheduled to implement needs no approval"},
		{"implement to review", chg("C", "normal", "implement", nil), chg("C", "normal", "review", map[string]any{"actual_end": "2026-03-03T01:40:00Z"}), false, "progress from implement to review needs no approval"},
		{"review to closed", chg("C", "normal", "review", nil), chg("C", "normal", "closed", closedFields), false, "progress from review to closed needs no approval"},
		{"risk edited after scheduled", chg("C", "normal", "scheduled", nil), chg("C", "normal", "scheduled", map[string]any{"risk": "high"}), true, "edits the approved scope (risk) of a change in state scheduled"},
		{"planned window edited in implement", chg("C", "normal", "implement", nil), chg("C", "normal", "implement", map[string]any{"planned_end": "2026-03-03T04:00:00Z"}), true, "edits the approved scope (planned_end) of a change in state implement"},
		{"cis added in review", chg("C", "normal", "review", nil), chg("C", "normal", "review", map[string]any{"cis": []any{"checkout-api", "payments-db"}}), true, "edits the approved scope (cis) of a change in state review"},
		{"plans and type edited", chg("C", "normal", "scheduled", nil), chg("C", "emergency", "scheduled", map[string]any{"backout_plan": "none", "test_plan": "smoke"}), true, "edits the approved scope (type, backout_plan, test_plan) of a change in state scheduled"},
		{"scope edit together with progress", chg("C", "normal", "scheduled", nil), chg("C", "normal", "implement", map[string]any{"planned_start": "2026-03-03T00:30:00Z"}), true, "edits the approved scope (planned_start) of a change in state scheduled"},
		{"cis reordered is no scope edit", chg("C", "normal", "scheduled", map[string]any{"cis": []any{"a", "b"}}), chg("C", "normal", "scheduled", map[string]any{"cis": []any{"b", "a"}}), false, "edits a change in state scheduled outside its approved scope"},
		{"assignee edited in implement", chg("C", "normal", "implement", nil), chg("C", "normal", "implement", map[string]any{"assignee": "ivan"}), false, "edits a change in state implement outside its approved scope"},
		{"canceled", chg("C", "normal", "scheduled", nil), chg("C", "normal", "canceled", map[string]any{"risk": "low"}), false, "cancels the change (scheduled → canceled)"},
		{"canceled change revived", chg("C", "normal", "canceled", nil), chg("C", "normal", "scheduled", nil), true, "moves the change from canceled to scheduled"},
		{"id changed in place after scheduled", chg("C", "normal", "scheduled", nil), chg("D", "normal", "scheduled", nil), true, "edits the approved scope (id) of a change in state scheduled"},
		{"id changed in place before scheduled", chg("C", "normal", "authorize", nil), chg("D", "normal", "authorize", nil), false, "edits a change in state authorize, before scheduled"},
		{"deleted after scheduled", chg("C", "normal", "scheduled", nil), nil, true, "deletes a change in state scheduled"},
		{"deleted draft", chg("C", "normal", "new", nil), nil, false, "deletes a change in state new, before approval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			needs, why, err := need(tt.base, tt.head)
			if err != nil {
				t.Fatalf("need: %v", err)
			}
			if needs != tt.wantNeeds || why != tt.wantWhy {
				t.Errorf("need = %v, %q; want %v, %q", needs, why, tt.wantNeeds, tt.wantWhy)
			}
		})
	}
}

// Semantic 6, second half: a PR that changes several change records needs each one's approvals.
func TestSemantic6EachRecordEvaluated(t *testing.T) {
	p := mustParse(t, testPolicy)
	second := Change{
		Path: "changes/2026/CHG-000002.yaml",
		Base: chg("CHG-000002", "normal", "authorize", map[string]any{"cis": []any{"payments-db"}}),
		Head: chg("CHG-000002", "normal", "scheduled", map[string]any{"cis": []any{"payments-db"}}),
	}
	progress := Change{
		Path: "changes/2026/CHG-000003.yaml",
		Base: chg("CHG-000003", "normal", "implement", nil),
		Head: chg("CHG-000003", "normal", "review", map[string]any{"actual_end": "2026-03-03T01:40:00Z"}),
	}
	in := input(approve(1, "grace", head, 1), approve(2, "ivan", head, 2))
	in.Changes = append(in.Changes, second, progress)
	d := p.Evaluate(in)
	type rec struct {
		ID             string
		Needs, Approve bool
		Missing        string
	}
	var got []rec
	for _, r := range d.Records {
		var missing []string
		for _, rr := range r.Rules {
			if rr.Missing != "" {
				missing = append(missing, rr.Missing)
			}
		}
		got = append(got, rec{r.ID, r.NeedsApproval, r.Approved, strings.Join(missing, "; ")})
	}
	want := []rec{
		{"CHG-000001", true, true, ""},
		{"CHG-000002", true, false, "1 more approval from team-data (judy) (owner of payments-db)"},
		{"CHG-000003", false, true, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
	if d.Approved {
		t.Errorf("approved with CHG-000002 lacking its owner's approval")
	}
	in.Reviews = append(in.Reviews, approve(3, "judy", head, 3))
	if d := p.Evaluate(in); !d.Approved {
		t.Errorf("not approved with every record's approvals\n%s", d.Text())
	}
}

// Semantic 7: the result, and the table the PR comment shows.
func TestSemantic7Rendering(t *testing.T) {
	p := mustParse(t, testPolicy)
	in := input(approve(1, "grace", head, 1), approve(7, "frank", head, 1))
	in.ChangedPaths = append(in.ChangedPaths, ".gitsm/policy.yaml")
	in.IsTeamMember = func(string, string) (bool, error) { return false, nil }
	d := p.Evaluate(in)
	wantMD := "### ❌ gitsm approval: not approved\n\n" +
		"Head commit 111111111111.\n\n" +
		"#### ❌ CHG-000001 (changes/2026/CHG-000001.yaml)\n\n" +
		"Needs approval: moves the change from authorize to scheduled.\n\n" +
		"| Rule | Status | Approved by | Missing |\n|---|---|---|---|\n" +
		"| normal changes need the CAB and the owners of the CIs they touch | ❌ not satisfied | grace (cab) | 1 more approval from team-shop (frank, ivan) (owner of checkout-api) |\n\n" +
		"#### Changed files\n\n| Rule | Files | Status | Approved by | Missing |\n|---|---|---|---|---|\n" +
		"| the policy and the schemas are guarded | .gitsm/policy.yaml | ❌ not satisfied | — | 1 more approval from admins (team shop/platform-admins) |\n\n" +
		"<details><summary>Reviews that did not count (1)</summary>\n\n" +
		"- frank (APPROVED, review 7): pull request author\n\n</details>\n"
	if diff := cmp.Diff(wantMD, d.Markdown()); diff != "" {
		t.Errorf("Markdown mismatch (-want +got):\n%s", diff)
	}
	wantText := "approval: not approved (head 111111111111)\n" +
		"CHG-000001 changes/2026/CHG-000001.yaml: [FAIL] needs approval: moves the change from authorize to scheduled\n" +
		"  [FAIL] normal changes need the CAB and the owners of the CIs they touch: missing 1 more approval from team-shop (frank, ivan) (owner of checkout-api)\n" +
		"changed files:\n" +
		"  [FAIL] the policy and the schemas are guarded: missing 1 more approval from admins (team shop/platform-admins)\n" +
		"         files: .gitsm/policy.yaml\n" +
		"ignored: frank (APPROVED, review 7): pull request author\n"
	if diff := cmp.Diff(wantText, d.Text()); diff != "" {
		t.Errorf("Text mismatch (-want +got):\n%s", diff)
	}
}

func TestMarkdownEscapesRecordContent(t *testing.T) {
	p := mustParse(t, testPolicy)
	in := input()
	in.Changes[0].Head["id"] = "CHG-1 | ✅ approved <img src=x> @everyone [x](http://evil)\n### fake"
	md := p.Evaluate(in).Markdown()
	for _, bad := range []string{"<img", "@everyone", "[x](", "\n### fake", "CHG-1 | ✅"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown contains %q unescaped:\n%s", bad, md)
		}
	}
}

// Semantic 8 (evidence) is stored by the CLI; the decision carries what it needs: for each
// counted review the reviewer, review id, commit_id, submitted_at and the group it counted for.
func TestSemantic8EvidenceInDecision(t *testing.T) {
	p := mustParse(t, testPolicy)
	d := p.Evaluate(input(approve(11, "grace", head, 1), approve(12, "ivan", head, 2)))
	b, err := json.Marshal(d.Records[0].Rules[0].Approvers[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"login":"grace","group":"cab","review_id":11,"commit_id":"` + head + `","submitted_at":"2026-03-02T10:01:00Z"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestDecisionJSONFields(t *testing.T) {
	p := mustParse(t, testPolicy)
	b, err := json.Marshal(p.Evaluate(input()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	rec := m["records"].([]any)[0].(map[string]any)
	for k := range rec {
		keys = append(keys, "records."+k)
	}
	rule := rec["rules"].([]any)[0].(map[string]any)
	for k := range rule {
		keys = append(keys, "rules."+k)
	}
	want := []string{
		"approved", "blockers", "errors", "head_sha", "ignored_reviews", "path_rules", "records",
		"records.approved", "records.id", "records.kind", "records.needs_approval", "records.path", "records.problems", "records.rules", "records.why",
		"rules.approvers", "rules.missing", "rules.name", "rules.reason", "rules.requires", "rules.satisfied",
	}
	if diff := cmp.Diff(want, keys, cmpSorted); diff != "" {
		t.Errorf("JSON keys mismatch (-want +got):\n%s", diff)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// An emergency change may be approved by a smaller group but then needs its post-implementation
// review before it can close.
func TestEmergencyChanges(t *testing.T) {
	p := mustParse(t, testPolicy)
	emergency := func(b, h map[string]any) Input {
		in := input(approve(1, "heidi", head, 1))
		in.Changes = []Change{{Path: "changes/2026/CHG-000009.yaml", Base: b, Head: h}}
		return in
	}
	closed := map[string]any{"actual_start": "2026-03-03T01:05:00Z", "actual_end": "2026-03-03T01:40:00Z", "outcome": "successful", "justification": "outage"}
	reviewed := map[string]any{"actual_start": "2026-03-03T01:05:00Z", "actual_end": "2026-03-03T01:40:00Z", "outcome": "successful", "justification": "outage",
		"review": map[string]any{"notes": "went fine", "completed_at": "2026-03-04T09:00:00Z"}}
	tests := []struct {
		name string
		in   Input
		want bool
	}{
		{"the emergency CAB alone approves scheduling", emergency(chg("E", "emergency", "authorize", nil), chg("E", "emergency", "scheduled", nil)), true},
		{"closing without review is refused", emergency(chg("E", "emergency", "review", nil), chg("E", "emergency", "closed", closed)), false},
		{"closing with review passes", emergency(chg("E", "emergency", "review", nil), chg("E", "emergency", "closed", reviewed)), true},
		{"review without completed_at is refused", emergency(chg("E", "emergency", "review", nil), chg("E", "emergency", "closed", map[string]any{"review": map[string]any{"notes": "later"}})), false},
		{"adding a closed emergency without review is refused", emergency(nil, chg("E", "emergency", "closed", closed)), false},
		{"an already closed emergency is not re-judged", emergency(chg("E", "emergency", "closed", closed), chg("E", "emergency", "closed", map[string]any{"description": "typo fixed", "actual_start": "2026-03-03T01:05:00Z", "actual_end": "2026-03-03T01:40:00Z", "outcome": "successful"})), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(tt.in)
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
		})
	}
	t.Run("post_review_required: false", func(t *testing.T) {
		lax := mustParse(t, testPolicy+"emergency: {post_review_required: false}\n")
		if d := lax.Evaluate(emergency(chg("E", "emergency", "review", nil), chg("E", "emergency", "closed", closed))); !d.Approved {
			t.Errorf("not approved\n%s", d.Text())
		}
	})
}

// Standard changes that name a declared template are pre-approved unless a rule selects them.
func TestStandardTemplates(t *testing.T) {
	std := Change{Path: "changes/CHG-5.yaml", Base: chg("CHG-5", "standard", "new", nil), Head: chg("CHG-5", "standard", "scheduled", nil)}
	tests := []struct {
		name   string
		policy string
		want   bool
	}{
		{"pre-approved when no rule selects it", testPolicy, true},
		{"a rule that selects it applies", testPolicy + "  - name: production standard changes\n    match: {types: [standard], environments: [production]}\n    require: [{group: cab}]\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input()
			in.Changes = []Change{std}
			d := mustParse(t, tt.policy).Evaluate(in)
			if d.Approved != tt.want {
				t.Errorf("Approved = %v, want %v\n%s", d.Approved, tt.want, d.Text())
			}
		})
	}
}

func TestRuleSelection(t *testing.T) {
	policy := `groups:
  cab: {members: [grace]}
rules:
  - {name: types, match: {types: [emergency]}, require: [{group: cab}]}
  - {name: risks, match: {risks: [high]}, require: [{group: cab}]}
  - {name: production, match: {environments: [production]}, require: [{group: cab}]}
  - {name: staging, match: {environments: [staging]}, require: [{group: cab}]}
  - {name: tier1, match: {criticality: 1}, require: [{group: cab}]}
  - {name: tier1-2, match: {criticality: 2}, require: [{group: cab}]}
  - {name: tier3-list, match: {criticality: [3]}, require: [{group: cab}]}
  - {name: shop service, match: {services: [shop]}, require: [{group: cab}]}
  - {name: one ci, match: {cis: [payments-db]}, require: [{group: cab}]}
  - {name: everything, match: {}, require: [{none: true}]}
  - {name: both, match: {types: [normal], environments: [staging]}, require: [{group: cab}]}
`
	p := mustParse(t, policy)
	tests := []struct {
		name string
		c    Change
		want []string
	}{
		{"normal on checkout-api", Change{Head: chg("C", "normal", "scheduled", nil)},
			[]string{"production", "tier1", "tier1-2", "shop service", "everything"}},
		{"emergency high on payments-db", Change{Head: chg("C", "emergency", "scheduled", map[string]any{"risk": "high", "cis": []any{"payments-db"}})},
			[]string{"types", "risks", "production", "tier1-2", "shop service", "one ci", "everything"}},
		{"normal on staging", Change{Head: chg("C", "normal", "scheduled", map[string]any{"cis": []any{"staging-api"}})},
			[]string{"staging", "tier3-list", "everything", "both"}},
		{"service field", Change{Head: chg("C", "normal", "scheduled", map[string]any{"cis": []any{"staging-api"}, "service": "shop"})},
			[]string{"staging", "tier3-list", "shop service", "everything", "both"}},
		{"scope edit: rules of the base version apply too", Change{
			Base: chg("C", "normal", "scheduled", map[string]any{"cis": []any{"checkout-api"}}),
			Head: chg("C", "normal", "scheduled", map[string]any{"cis": []any{"staging-api"}})},
			[]string{"production", "staging", "tier1", "tier1-2", "tier3-list", "shop service", "everything", "both"}},
		{"before approval: only the head counts", Change{
			Base: chg("C", "normal", "authorize", map[string]any{"cis": []any{"checkout-api"}}),
			Head: chg("C", "normal", "scheduled", map[string]any{"cis": []any{"staging-api"}})},
			[]string{"staging", "tier3-list", "everything", "both"}},
		{"retyped after new: the rules of both types apply", Change{
			Base: chg("C", "emergency", "authorize", map[string]any{"cis": []any{"checkout-api"}}),
			Head: chg("C", "normal", "scheduled", map[string]any{"cis": []any{"staging-api"}})},
			[]string{"types", "production", "staging", "tier1", "tier1-2", "tier3-list", "shop service", "everything", "both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input()
			tt.c.Path = "changes/C.yaml"
			in.Changes = []Change{tt.c}
			d := p.Evaluate(in)
			var got []string
			for _, rr := range d.Records[0].Rules {
				got = append(got, rr.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("selected rules mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequirements(t *testing.T) {
	policy := `groups:
  cab: {members: [grace, heidi]}
  sec: {members: [oscar]}
  team-shop: {members: [frank, ivan]}
  team-data: {members: [judy]}
rules:
  - name: r
    match: {types: [normal]}
    require:
      - %s
`
	const owners = "1 approval from team-shop (frank, ivan) (owner of checkout-api, shop); 1 approval from team-data (judy) (owner of payments-db)"
	tests := []struct {
		name     string
		req      string
		reviews  []Review
		want     bool
		missing  string
		requires string
	}{
		{"none", "{none: true}", nil, true, "", "no approval"},
		{"group count", "{group: cab, count: 2}", []Review{approve(1, "grace", head, 1)}, false, "1 more approval from cab (grace, heidi)", "2 approvals from cab (grace, heidi)"},
		{"ci_owners of two CIs, one missing", "{ci_owners: true}", []Review{approve(1, "ivan", head, 1)}, false, "1 more approval from team-data (judy) (owner of payments-db)", owners},
		{"ci_owners of two CIs", "{ci_owners: true}", []Review{approve(1, "ivan", head, 1), approve(2, "judy", head, 2)}, true, "", owners},
		{"any_of first", "{any_of: [{group: sec}, {group: cab, count: 2}]}", []Review{approve(1, "oscar", head, 1)}, true, "",
			"one of: 1 approval from sec (oscar); or 2 approvals from cab (grace, heidi)"},
		{"any_of second", "{any_of: [{group: sec}, {group: cab, count: 2}]}", []Review{approve(1, "grace", head, 1), approve(2, "heidi", head, 2)}, true, "",
			"one of: 1 approval from sec (oscar); or 2 approvals from cab (grace, heidi)"},
		{"any_of none", "{any_of: [{group: sec}, {group: cab, count: 2}]}", []Review{approve(1, "grace", head, 1)},
			false, "one of: 1 more approval from sec (oscar); or 1 more approval from cab (grace, heidi)",
			"one of: 1 approval from sec (oscar); or 2 approvals from cab (grace, heidi)"},
		{"any_of nesting all_of", "{any_of: [{group: sec}, {all_of: [{group: cab}, {ci_owners: true}]}]}", nil, false,
			"one of: 1 more approval from sec (oscar); or 1 more approval from cab (grace, heidi) and 1 more approval from team-shop (frank, ivan) (owner of checkout-api, shop) and 1 more approval from team-data (judy) (owner of payments-db)",
			"one of: 1 approval from sec (oscar); or 1 approval from cab (grace, heidi) and " + strings.Replace(owners, "; ", " and ", 1)},
		{"all_of", "{all_of: [{group: sec}, {group: cab}]}", []Review{approve(1, "grace", head, 1)}, false, "1 more approval from sec (oscar)",
			"1 approval from sec (oscar); 1 approval from cab (grace, heidi)"},
		{"all_of satisfied", "{all_of: [{group: sec}, {group: cab}]}", []Review{approve(1, "grace", head, 1), approve(2, "oscar", head, 2)}, true, "",
			"1 approval from sec (oscar); 1 approval from cab (grace, heidi)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, strings.Replace(policy, "%s", tt.req, 1))
			in := input(tt.reviews...)
			in.Changes[0].Head["cis"] = []any{"checkout-api", "payments-db", "shop"}
			d := p.Evaluate(in)
			rr := d.Records[0].Rules[0]
			if rr.Satisfied != tt.want || rr.Missing != tt.missing {
				t.Errorf("got satisfied=%v missing=%q, want %v %q", rr.Satisfied, rr.Missing, tt.want, tt.missing)
			}
			if rr.Requires != tt.requires {
				t.Errorf("got requires %q, want %q", rr.Requires, tt.requires)
			}
		})
	}
}

func TestNoChangesNothingToApprove(t *testing.T) {
	p := mustParse(t, testPolicy)
	d := p.Evaluate(Input{ChangedPaths: []string{"incidents/2026/INC-000001.yaml"}, Author: "frank", HeadSHA: head})
	if !d.Approved {
		t.Errorf("a PR without change records or guarded paths is not approved\n%s", d.Text())
	}
	if got := approvers(d); got != nil {
		t.Errorf("approvers = %v, want none", got)
	}
}

package policy

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// Change is one record the pull request adds, modifies or deletes: a change record, or a
// record that routes or weakens approval (a CI, an SLA, a calendar).
type Change struct {
	// Path is the record's file in the head (in the base when deleted).
	Path string
	// Kind is the record's kind: KindChange (also when empty), KindCI, KindSLA or KindCalendar.
	Kind string
	// Base is the record at the base commit; nil when the pull request adds it.
	Base map[string]any
	// Head is the record at the head commit; nil when the pull request deletes it.
	Head map[string]any
	// Err, when set, says the record could not be read; the change then fails closed.
	Err error
}

// Review is one pull-request review as GitHub reports it.
type Review struct {
	ID    int64
	Login string
	// UserType is GitHub's user.type: "User", "Bot", "Organization"…
	UserType string
	// Deleted is true for a review whose author account no longer exists (GitHub's "ghost").
	Deleted bool
	// State is APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING.
	State       string
	CommitID    string
	SubmittedAt time.Time
}

// TeamLookup reports whether login is an active member of a GitHub team given as "org/slug".
// An error makes every requirement that depends on the answer fail closed.
type TeamLookup func(team, login string) (bool, error)

// Input is everything Evaluate needs, gathered by the caller.
type Input struct {
	// Changes are the change records the pull request touches.
	Changes []Change
	// CIs are the CI records of the base commit by ID (owner, environment, criticality,
	// depends_on, runs_on…).
	CIs map[string]map[string]any
	// Templates are the declared standard change templates (from the base config).
	Templates []Template
	// InvalidCIs are CI records of the base commit that cannot be trusted, by ID, with the
	// reason (the file fails its schema, two files have that ID…). They are not in CIs; a change
	// that names one, or whose services cannot be decided without them, fails closed.
	InvalidCIs map[string]string
	// ChangedPaths are every file path the pull request changes (both names of a rename).
	ChangedPaths []string
	// Reviews are all reviews of the pull request, every page.
	Reviews []Review
	// Author is the pull request author's login.
	Author string
	// NonApprovers are logins, with the reason ("authored commit 1a2b3c4", "pushed the head
	// commit"), whose approvals do not count unless the policy sets commit_authors_may_approve.
	// Their requests for changes still block.
	NonApprovers map[string]string
	// HeadSHA is the pull request's head commit; only approvals of it count.
	HeadSHA string
	// IsTeamMember resolves groups defined by a GitHub team; nil means no lookup is possible.
	IsTeamMember TeamLookup
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Approved bool   `json:"approved"`
	HeadSHA  string `json:"head_sha"`
	// Records has one entry per change record of the input, in input order.
	Records []RecordDecision `json:"records"`
	// PathRules has one entry per paths rule that selects at least one changed file.
	PathRules []RuleResult `json:"path_rules"`
	// Blockers are required approvers whose latest review requests changes.
	Blockers []Blocker `json:"blockers"`
	// Ignored lists reviews that did not count and why.
	Ignored []IgnoredReview `json:"ignored_reviews"`
	// Errors are fail-closed causes not tied to one rule.
	Errors []string `json:"errors"`
}

// RecordDecision is the outcome for one change record.
type RecordDecision struct {
	ID string `json:"id"`
	// Kind is the record's kind: Change, CI, SLA or Calendar.
	Kind          string       `json:"kind"`
	Path          string       `json:"path"`
	NeedsApproval bool         `json:"needs_approval"`
	Approved      bool         `json:"approved"`
	Why           string       `json:"why"`
	Rules         []RuleResult `json:"rules"`
	// Problems are fail-closed causes for this record (unreadable, no rule selects it, an
	// emergency change closing without review…).
	Problems []string `json:"problems"`
}

// RuleResult is the outcome of one rule for one change record, or for the changed files.
type RuleResult struct {
	Name      string     `json:"name"`
	Satisfied bool       `json:"satisfied"`
	Reason    string     `json:"reason"`
	Approvers []Approver `json:"approvers"`
	// Requires says what the rule requires in full, whatever approvals exist ("1 approval
	// from cab (grace, heidi); 1 approval from team-shop (frank, ivan) (owner of checkout-api)").
	Requires string `json:"requires"`
	// Missing says what approvals are still needed; empty when satisfied.
	Missing string `json:"missing"`
	// Paths are the changed files a paths rule selected.
	Paths []string `json:"paths,omitempty"`
}

// Approver is one counted approval: the evidence of who approved what, for which group.
type Approver struct {
	Login       string    `json:"login"`
	Group       string    `json:"group"`
	ReviewID    int64     `json:"review_id"`
	CommitID    string    `json:"commit_id"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// Blocker is a required approver whose latest review requests changes.
type Blocker struct {
	Login       string    `json:"login"`
	ReviewID    int64     `json:"review_id"`
	CommitID    string    `json:"commit_id"`
	SubmittedAt time.Time `json:"submitted_at"`
	// Groups are the required groups the reviewer belongs to.
	Groups []string `json:"groups"`
}

// IgnoredReview is a review that did not count.
type IgnoredReview struct {
	Login    string `json:"login"`
	ReviewID int64  `json:"review_id"`
	State    string `json:"state"`
	Reason   string `json:"reason"`
}

// Evaluate decides whether the pull request described by in has the approvals p requires
// (SPEC section 7). p must be the base commit's policy. Anything that cannot be decided fails
// closed: the decision is then not approved and says why.
func (p *Policy) Evaluate(in Input) Decision {
	e := &evaluator{p: p, in: in, graph: newCIGraph(in.CIs), memo: map[string]memberAnswer{}, blockers: map[string]*Blocker{},
		nonApprovers: map[string]string{}}
	for login, why := range in.NonApprovers {
		e.nonApprovers[strings.ToLower(login)] = why
	}
	d := Decision{HeadSHA: in.HeadSHA}
	if in.HeadSHA == "" {
		d.Errors = append(d.Errors, "no head SHA: no approval can be checked against it")
	}
	e.sortReviews(&d)
	for _, c := range in.Changes {
		d.Records = append(d.Records, e.record(c))
	}
	d.PathRules, d.Errors = e.pathRules(d.Errors)
	d.Blockers = e.sortedBlockers()

	d.Approved = len(d.Errors) == 0 && len(d.Blockers) == 0
	for _, r := range d.Records {
		d.Approved = d.Approved && r.Approved
	}
	for _, r := range d.PathRules {
		d.Approved = d.Approved && r.Satisfied
	}
	return d.normalized()
}

type memberAnswer struct {
	ok  bool
	err error
}

type evaluator struct {
	p     *Policy
	in    Input
	graph *ciGraph
	memo  map[string]memberAnswer
	// approvals are the counted approvals (latest review APPROVED at the head), one per person.
	approvals []Review
	// requests are the latest reviews that request changes, one per person.
	requests []Review
	blockers map[string]*Blocker
	// nonApprovers are Input.NonApprovers by lower-case login.
	nonApprovers map[string]string
}

// sortReviews applies semantics 2 and 3: it keeps each person's latest verdict and sets apart
// the reviews that never count.
func (e *evaluator) sortReviews(d *Decision) {
	latest := map[string]Review{}
	var order []string
	author := strings.ToLower(e.in.Author)
	for _, r := range e.in.Reviews {
		st := strings.ToUpper(r.State)
		ignore := func(reason string) {
			d.Ignored = append(d.Ignored, IgnoredReview{Login: r.Login, ReviewID: r.ID, State: st, Reason: reason})
		}
		login := strings.ToLower(r.Login)
		switch {
		case st != "APPROVED" && st != "CHANGES_REQUESTED" && st != "DISMISSED":
			// Comments and pending reviews are not verdicts: they neither grant nor withdraw.
			continue
		case r.Deleted || login == "" || login == "ghost":
			ignore("deleted user")
			continue
		case strings.EqualFold(r.UserType, "Bot") || strings.HasSuffix(login, "[bot]"):
			ignore("bot")
			continue
		case login == author:
			ignore("pull request author")
			continue
		}
		prev, seen := latest[login]
		if !seen {
			order = append(order, login)
		}
		if !seen || later(r, prev) {
			r.State = st
			latest[login] = r
		}
	}
	sort.Strings(order)
	for _, login := range order {
		r := latest[login]
		switch r.State {
		case "APPROVED":
			if r.CommitID == "" || e.in.HeadSHA == "" || !strings.EqualFold(r.CommitID, e.in.HeadSHA) {
				d.Ignored = append(d.Ignored, IgnoredReview{Login: r.Login, ReviewID: r.ID, State: r.State,
					Reason: fmt.Sprintf("stale: approved %s, not the head %s", short(r.CommitID), short(e.in.HeadSHA))})
				continue
			}
			if why, ok := e.nonApprovers[login]; ok && !e.p.CommitAuthorsMayApprove {
				d.Ignored = append(d.Ignored, IgnoredReview{Login: r.Login, ReviewID: r.ID, State: r.State,
					Reason: why + ": who wrote or pushed the pull request's commits does not approve them (commit_authors_may_approve is false)"})
				continue
			}
			e.approvals = append(e.approvals, r)
		case "CHANGES_REQUESTED":
			e.requests = append(e.requests, r)
		case "DISMISSED":
			d.Ignored = append(d.Ignored, IgnoredReview{Login: r.Login, ReviewID: r.ID, State: r.State, Reason: "dismissed"})
		}
	}
}

// later orders reviews by submission time, then by ID (GitHub assigns IDs in order).
func later(a, b Review) bool {
	if !a.SubmittedAt.Equal(b.SubmittedAt) {
		return a.SubmittedAt.After(b.SubmittedAt)
	}
	return a.ID > b.ID
}

func short(sha string) string {
	if sha == "" {
		return "(none)"
	}
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// member reports whether login belongs to a group of the policy.
func (e *evaluator) member(group, login string) (bool, error) {
	g, ok := e.p.Groups[group]
	if !ok {
		return false, fmt.Errorf("group %q is not defined in the policy", group)
	}
	if g.Team == "" {
		return slices.ContainsFunc(g.Members, func(m string) bool { return strings.EqualFold(m, login) }), nil
	}
	key := strings.ToLower(g.Team + "\x00" + login)
	if a, ok := e.memo[key]; ok {
		return a.ok, a.err
	}
	var a memberAnswer
	if e.in.IsTeamMember == nil {
		a.err = fmt.Errorf("team %s cannot be looked up", g.Team)
	} else {
		a.ok, a.err = e.in.IsTeamMember(g.Team, login)
	}
	e.memo[key] = a
	return a.ok, a.err
}

func (e *evaluator) describeGroup(group string) string {
	g, ok := e.p.Groups[group]
	switch {
	case !ok:
		return group
	case g.Team != "":
		return fmt.Sprintf("%s (team %s)", group, g.Team)
	default:
		return fmt.Sprintf("%s (%s)", group, strings.Join(g.Members, ", "))
	}
}

// scope is what a requirement is evaluated against: the CIs a change affects.
type scope struct {
	cis []string
}

type reqResult struct {
	ok        bool
	approvers []Approver
	// required describes the requirement in full, approvals or not.
	required []string
	missing  []string
	failures []string
	// groups are the groups whose members are required approvers here.
	groups []string
}

func (e *evaluator) requirement(r Requirement, sc scope) reqResult {
	switch {
	case r.None:
		return reqResult{ok: true, required: []string{"no approval"}}
	case r.Group != "":
		return e.groupApprovals(r.Group, r.Count, "")
	case r.CIOwners:
		return e.ciOwners(sc)
	case len(r.AllOf) > 0:
		res := reqResult{ok: true}
		for _, sub := range r.AllOf {
			s := e.requirement(sub, sc)
			res.ok = res.ok && s.ok
			res.merge(s)
		}
		return res
	case len(r.AnyOf) > 0:
		var res reqResult
		var alternatives, required []string
		for _, sub := range r.AnyOf {
			s := e.requirement(sub, sc)
			required = append(required, strings.Join(s.required, " and "))
			res.ok = res.ok || s.ok
			res.approvers = append(res.approvers, s.approvers...)
			res.groups = append(res.groups, s.groups...)
			res.failures = append(res.failures, s.failures...)
			if len(s.missing) > 0 {
				alternatives = append(alternatives, strings.Join(s.missing, " and "))
			}
		}
		res.required = []string{"one of: " + strings.Join(required, "; or ")}
		if !res.ok {
			res.missing = []string{"one of: " + strings.Join(alternatives, "; or ")}
		}
		// A failed lookup in an alternative that was not needed does not block the others.
		if res.ok {
			res.failures = nil
		}
		return res
	}
	return reqResult{failures: []string{"empty requirement"}}
}

func (res *reqResult) merge(s reqResult) {
	res.approvers = append(res.approvers, s.approvers...)
	res.required = append(res.required, s.required...)
	res.missing = append(res.missing, s.missing...)
	res.failures = append(res.failures, s.failures...)
	res.groups = append(res.groups, s.groups...)
}

// groupApprovals counts distinct counted approvers who are members of group.
func (e *evaluator) groupApprovals(group string, count int, note string) reqResult {
	res := reqResult{groups: []string{group}}
	for _, a := range e.approvals {
		ok, err := e.member(group, a.Login)
		if err != nil {
			res.failures = append(res.failures, fmt.Sprintf("cannot check whether %s is in %s: %v", a.Login, group, err))
			continue
		}
		if ok {
			res.approvers = append(res.approvers, Approver{Login: a.Login, Group: group, ReviewID: a.ID, CommitID: a.CommitID, SubmittedAt: a.SubmittedAt})
		}
	}
	if _, defined := e.p.Groups[group]; !defined {
		res.failures = append(res.failures, fmt.Sprintf("group %q is not defined in the policy", group))
	}
	res.ok = len(res.failures) == 0 && len(res.approvers) >= count
	req := fmt.Sprintf("%d approval%s from %s", count, plural(count), e.describeGroup(group))
	if note != "" {
		req += " " + note
	}
	res.required = []string{req}
	if n := count - len(res.approvers); n > 0 {
		msg := fmt.Sprintf("%d more approval%s from %s", n, plural(n), e.describeGroup(group))
		if note != "" {
			msg += " " + note
		}
		res.missing = append(res.missing, msg)
	}
	return res
}

// ciOwners needs one approval from the owner group of every affected CI.
func (e *evaluator) ciOwners(sc scope) reqResult {
	res := reqResult{ok: true}
	if len(sc.cis) == 0 {
		return reqResult{failures: []string{"ci_owners: the change names no CIs"},
			required: []string{"1 approval from the owner group of each affected CI"}}
	}
	owners := map[string][]string{}
	var order []string
	for _, id := range sc.cis {
		ci, ok := e.in.CIs[id]
		if !ok {
			res.ok = false
			res.failures = append(res.failures, fmt.Sprintf("ci_owners: CI %s is not in the base commit", id))
			res.required = append(res.required, fmt.Sprintf("1 approval from the owner of CI %s (%s)", id, "not in the base commit"))
			continue
		}
		owner := str(ci, "owner")
		if owner == "" {
			res.ok = false
			res.failures = append(res.failures, fmt.Sprintf("ci_owners: CI %s has no owner", id))
			res.required = append(res.required, fmt.Sprintf("1 approval from the owner of CI %s (%s)", id, "no owner"))
			continue
		}
		if _, ok := e.p.Groups[owner]; !ok {
			res.ok = false
			res.failures = append(res.failures, fmt.Sprintf("ci_owners: owner %q of CI %s is not a group of the policy", owner, id))
			res.required = append(res.required, fmt.Sprintf("1 approval from the owner of CI %s (%s)", id, "owner not a group of the policy"))
			continue
		}
		if _, seen := owners[owner]; !seen {
			order = append(order, owner)
		}
		owners[owner] = append(owners[owner], id)
	}
	for _, owner := range order {
		s := e.groupApprovals(owner, 1, "(owner of "+strings.Join(owners[owner], ", ")+")")
		res.ok = res.ok && s.ok
		res.merge(s)
	}
	return res
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// rule evaluates one rule's requirements and the blocking reviews of its approvers.
func (e *evaluator) rule(r Rule, sc scope) RuleResult {
	res := reqResult{ok: true}
	for _, req := range r.Require {
		s := e.requirement(req, sc)
		res.ok = res.ok && s.ok
		res.merge(s)
	}
	return e.result(r.Name, res)
}

// result turns the evaluated requirements of a rule into its result, with the blocking reviews
// of its approvers.
func (e *evaluator) result(name string, res reqResult) RuleResult {
	out := RuleResult{Name: name, Satisfied: res.ok && len(res.failures) == 0, Approvers: dedupeApprovers(res.approvers),
		Requires: strings.Join(res.required, "; ")}
	var reasons []string
	reasons = append(reasons, res.failures...)
	for _, b := range e.blocking(res.groups) {
		out.Satisfied = false
		reasons = append(reasons, b)
	}
	if !res.ok {
		out.Missing = strings.Join(res.missing, "; ")
	}
	switch {
	case len(reasons) > 0:
		out.Reason = strings.Join(reasons, "; ")
	case out.Satisfied && len(out.Approvers) == 0:
		out.Reason = "no approval required"
	case out.Satisfied:
		out.Reason = "approved by " + approverList(out.Approvers)
	default:
		out.Reason = "missing " + out.Missing
	}
	return out
}

// blocking returns a reason for every reviewer requesting changes who is a member of one of
// the rule's groups, and records them as blockers. A reviewer whose membership cannot be
// checked blocks too: fail closed.
func (e *evaluator) blocking(groups []string) []string {
	var reasons []string
	groups = uniqueSorted(groups)
	for _, r := range e.requests {
		var in []string
		for _, g := range groups {
			ok, err := e.member(g, r.Login)
			if err != nil || ok {
				in = append(in, g)
			}
		}
		if len(in) == 0 {
			continue
		}
		reasons = append(reasons, fmt.Sprintf("changes requested by %s (%s)", r.Login, strings.Join(in, ", ")))
		key := strings.ToLower(r.Login)
		b, ok := e.blockers[key]
		if !ok {
			b = &Blocker{Login: r.Login, ReviewID: r.ID, CommitID: r.CommitID, SubmittedAt: r.SubmittedAt}
			e.blockers[key] = b
		}
		b.Groups = uniqueSorted(append(b.Groups, in...))
	}
	return reasons
}

func (e *evaluator) sortedBlockers() []Blocker {
	out := make([]Blocker, 0, len(e.blockers))
	for _, b := range e.blockers {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Login) < strings.ToLower(out[j].Login) })
	return out
}

func dedupeApprovers(in []Approver) []Approver {
	seen := map[string]bool{}
	out := []Approver{}
	for _, a := range in {
		k := strings.ToLower(a.Login) + "\x00" + a.Group
		if !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

func approverList(as []Approver) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = fmt.Sprintf("%s (%s)", a.Login, a.Group)
	}
	return strings.Join(parts, ", ")
}

// record evaluates one change record: semantic 6 (does it need approval), then every rule that
// selects it, then the emergency post-implementation review.
func (e *evaluator) record(c Change) RecordDecision {
	kind := c.Kind
	if kind == "" {
		kind = KindChange
	}
	rd := RecordDecision{Path: c.Path, Kind: kind, ID: str(c.Head, "id")}
	if rd.ID == "" {
		rd.ID = str(c.Base, "id")
	}
	if rd.ID == "" {
		rd.ID = strings.TrimSuffix(path.Base(c.Path), path.Ext(c.Path))
	}
	if c.Err != nil {
		rd.NeedsApproval = true
		rd.Why = "the record could not be read"
		rd.Problems = append(rd.Problems, fmt.Sprintf("unreadable record: %v", c.Err))
		return rd
	}
	switch kind {
	case KindChange:
	case KindCI:
		e.ciRecord(c, &rd)
		return rd
	case KindSLA, KindCalendar:
		e.definition(c, &rd)
		return rd
	default:
		rd.NeedsApproval = true
		rd.Why = "a record of kind " + kind
		rd.Problems = append(rd.Problems, fmt.Sprintf("the policy cannot judge a record of kind %s", kind))
		return rd
	}
	needs, why, err := need(c.Base, c.Head)
	if err != nil {
		rd.NeedsApproval = true
		rd.Why = "the record could not be read"
		rd.Problems = append(rd.Problems, fmt.Sprintf("unreadable record: %v", err))
		return rd
	}
	rd.NeedsApproval, rd.Why = needs, why
	if needs {
		e.approveRecord(c, &rd)
	}
	if p := e.emergencyReview(c); p != "" {
		rd.Problems = append(rd.Problems, p)
	}
	rd.settle()
	return rd
}

// settle sets Approved: no problem, and every rule satisfied.
func (rd *RecordDecision) settle() {
	rd.Approved = len(rd.Problems) == 0
	for _, r := range rd.Rules {
		rd.Approved = rd.Approved && r.Satisfied
	}
}

// approveRecord selects and evaluates the rules for a change that needs approval.
func (e *evaluator) approveRecord(c Change, rd *RecordDecision) {
	// The versions whose content this approval covers: the head, and when the base was already
	// approved (or the record is deleted) the base too, so that an edit of approved scope needs
	// what both the old and the new scope require.
	var versions []map[string]any
	if c.Head != nil {
		versions = append(versions, c.Head)
	}
	if c.Base != nil {
		if bs, _ := state(c.Base); c.Head == nil || rank(bs) >= scheduledRank || retyped(c.Base, c.Head) {
			versions = append(versions, c.Base)
		}
	}
	var cis []string
	for _, v := range versions {
		cis = append(cis, stringList(v["cis"])...)
		if p := incomplete(v); p != "" && !slices.Contains(rd.Problems, p) {
			rd.Problems = append(rd.Problems, p)
		}
	}
	sc := scope{cis: uniqueSorted(cis)}
	for _, id := range sc.cis {
		if why, bad := e.in.InvalidCIs[id]; bad {
			rd.Problems = append(rd.Problems, fmt.Sprintf("CI %s at the base cannot be used (%s): which rules apply and who owns it cannot be decided; fix it on the base branch", id, why))
		}
	}
	if e.selectsByCI() {
		for _, id := range sc.cis {
			_, ok := e.in.CIs[id]
			if _, bad := e.in.InvalidCIs[id]; !ok && !bad {
				rd.Problems = append(rd.Problems, fmt.Sprintf("CI %s is not in the base commit: which rules apply cannot be decided", id))
			}
		}
	}
	if e.selectsByService() {
		for _, id := range sortedKeys(e.in.InvalidCIs) {
			if !slices.Contains(sc.cis, id) {
				rd.Problems = append(rd.Problems, fmt.Sprintf("CI %s at the base cannot be used (%s): which services depend on this change's CIs cannot be decided; fix it on the base branch", id, e.in.InvalidCIs[id]))
			}
		}
	}
	for _, r := range e.p.Rules {
		if !r.SelectsKind(KindChange) {
			continue
		}
		selected := slices.ContainsFunc(versions, func(v map[string]any) bool { return e.graph.matches(r.Match, v) })
		if selected {
			rd.Rules = append(rd.Rules, e.rule(r, sc))
		}
	}
	if len(rd.Rules) > 0 {
		return
	}
	head := c.Head
	if head == nil {
		head = c.Base
	}
	tmpl := str(head, "template")
	t, declared := e.template(tmpl)
	switch {
	case str(head, "type") == "standard" && tmpl != "" && declared && e.p.TemplatesPreapproved:
		if outside := e.outsideTemplate(t, versions); len(outside) > 0 {
			rd.Problems = append(rd.Problems, fmt.Sprintf("the change is outside what template %s pre-approves (%s) and no rule of the policy selects it", tmpl, strings.Join(outside, "; ")))
			return
		}
		rd.Why += fmt.Sprintf("; standard change from the pre-approved template %s", tmpl)
	case str(head, "type") == "standard" && tmpl != "" && !declared:
		rd.Problems = append(rd.Problems, fmt.Sprintf("template %s is not declared and no rule of the policy selects this change", tmpl))
	default:
		rd.Problems = append(rd.Problems, "no rule of the policy selects this change")
	}
}

// incomplete names the selecting fields a change version lacks: without them the rules that
// apply cannot be decided, so the record fails closed rather than escaping a rule.
func incomplete(rec map[string]any) string {
	var missing []string
	switch str(rec, "type") {
	case "standard", "normal", "emergency":
	default:
		missing = append(missing, "type")
	}
	if len(stringList(rec["cis"])) == 0 {
		missing = append(missing, "cis")
	}
	if st, _ := state(rec); rank(st) >= rank("assess") || st == "canceled" {
		switch str(rec, "risk") {
		case "low", "moderate", "high", "very_high":
		default:
			missing = append(missing, "risk")
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("incomplete record: %s missing or invalid, so which rules apply cannot be decided", strings.Join(missing, ", "))
}

// selectsByCI reports whether any record rule selects by the data of CI records, so that an
// unknown CI leaves the selection undecided.
func (e *evaluator) selectsByCI() bool {
	return slices.ContainsFunc(e.p.Rules, func(r Rule) bool {
		m := r.Match
		return r.SelectsKind(KindChange) && (len(m.Environments) > 0 || m.MaxCriticality > 0 || len(m.Criticality) > 0 || len(m.Services) > 0)
	})
}

// selectsByService reports whether any rule selects by services, which the dependencies of
// every CI decide.
func (e *evaluator) selectsByService() bool {
	return slices.ContainsFunc(e.p.Rules, func(r Rule) bool { return !r.IsPathRule() && len(r.Match.Services) > 0 })
}

// emergencyReview refuses an emergency change that moves to closed without its
// post-implementation review.
func (e *evaluator) emergencyReview(c Change) string {
	if !e.p.EmergencyPostReview || c.Head == nil {
		return ""
	}
	if str(c.Head, "type") != "emergency" && str(c.Base, "type") != "emergency" {
		return ""
	}
	if str(c.Head, "state") != "closed" || (c.Base != nil && str(c.Base, "state") == "closed") {
		return ""
	}
	if rv, ok := c.Head["review"].(map[string]any); ok && str(rv, "completed_at") != "" {
		return ""
	}
	return "an emergency change cannot close without its post-implementation review (review.completed_at)"
}

// pathRules evaluates every paths rule that selects a changed file, and fails closed when a file
// under .gitsm/ is changed and no paths rule guards it.
func (e *evaluator) pathRules(errs []string) ([]RuleResult, []string) {
	var out []RuleResult
	guarded := map[string]bool{}
	for _, r := range e.p.Rules {
		if !r.IsPathRule() {
			continue
		}
		var hit []string
		for _, f := range e.in.ChangedPaths {
			if slices.ContainsFunc(r.Match.Paths, func(g string) bool { return matchGlob(g, f) }) {
				hit = append(hit, f)
				guarded[f] = true
			}
		}
		if len(hit) == 0 {
			continue
		}
		rr := e.rule(r, scope{})
		rr.Paths = uniqueSorted(hit)
		out = append(out, rr)
	}
	for _, f := range uniqueSorted(e.in.ChangedPaths) {
		if strings.HasPrefix(strings.TrimPrefix(f, "./"), ".gitsm/") && !guarded[f] {
			errs = append(errs, fmt.Sprintf("%s changes and no paths rule of the base policy guards it", f))
		}
	}
	return out, errs
}

// normalized makes every list non-nil so that JSON output has [] rather than null.
func (d Decision) normalized() Decision {
	if d.Records == nil {
		d.Records = []RecordDecision{}
	}
	for i := range d.Records {
		r := &d.Records[i]
		if r.Rules == nil {
			r.Rules = []RuleResult{}
		}
		if r.Problems == nil {
			r.Problems = []string{}
		}
		for j := range r.Rules {
			if r.Rules[j].Approvers == nil {
				r.Rules[j].Approvers = []Approver{}
			}
		}
	}
	if d.PathRules == nil {
		d.PathRules = []RuleResult{}
	}
	for j := range d.PathRules {
		if d.PathRules[j].Approvers == nil {
			d.PathRules[j].Approvers = []Approver{}
		}
	}
	if d.Blockers == nil {
		d.Blockers = []Blocker{}
	}
	if d.Ignored == nil {
		d.Ignored = []IgnoredReview{}
	}
	if d.Errors == nil {
		d.Errors = []string{}
	}
	return d
}

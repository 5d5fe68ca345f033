// Package demo builds a records repository with a year of believable git history from the
// example records (package examples): a CMDB added through a pull request, then every incident,
// problem and change committed as it moved through its timeline, with commit dates taken from
// the timeline, through pull requests merged with merge commits or squashed, approval evidence
// notes on the merges that touched changes, CIs, SLAs, calendars or settings, one direct push and one deleted record for the audit
// to find, and a freeze window added before Black Friday.
//
// The history is written into the object store with go-git from fixed signatures and times,
// so every run makes the same commits, byte for byte.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/evidence"
	"github.com/gitsm/gitsm/internal/policy"
	"github.com/gitsm/gitsm/internal/record"
)

// Repository is the GitHub name the evidence notes give the demo repository.
const Repository = "northwind/records"

// adminsTeam is the GitHub team of the policy's admins group, answered without GitHub.
var adminsTeam = map[string][]string{"northwind/platform-admins": {"peggy", "trent"}}

// ErrNotEmpty says the target folder already holds files.
var ErrNotEmpty = errors.New("folder is not empty")

// Summary says what Build made.
type Summary struct {
	Commits      int
	PullRequests int
	Notes        int
	Head         plumbing.Hash
	// DirectPush and Deleted name what the audit is meant to find.
	DirectPush plumbing.Hash
	Deleted    string
}

// Build creates dir (which must be absent or empty) as a git repository whose main branch
// holds the records of fsys (a records repository: .gitsm/, cis/, incidents/ …) with their
// history, and checks main out.
func Build(ctx context.Context, dir string, fsys fs.FS) (*Summary, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotEmpty)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	src, err := load(fsys)
	if err != nil {
		return nil, err
	}
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, repo: repo, src: src, o: &objects{s: repo.Storer, blobs: map[plumbing.Hash]bool{}},
		files: map[string][]byte{}, exists: map[string]bool{}, at: map[string]int{}}
	if err := b.run(); err != nil {
		return nil, err
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.Main, b.main)); err != nil {
		return nil, err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, err
	}
	if err := wt.Reset(&git.ResetOptions{Commit: b.main, Mode: git.HardReset}); err != nil {
		return nil, fmt.Errorf("check out main: %w", err)
	}
	b.sum.Head = b.main
	return &b.sum, nil
}

// source is the example repository read into memory.
type source struct {
	config, policy []byte
	// freezeless is the config without the Black Friday freeze, which a pull request adds.
	freezeless []byte
	cmdb       map[string][]byte // CIs
	slas       map[string][]byte // SLAs and calendars
	stories    []*story
	pol        *policy.Policy
	prefixes   map[string]string
}

func load(fsys fs.FS) (*source, error) {
	s := &source{cmdb: map[string][]byte{}, slas: map[string][]byte{}}
	var err error
	if s.config, err = fs.ReadFile(fsys, ".gitsm/config.yaml"); err != nil {
		return nil, err
	}
	if s.policy, err = fs.ReadFile(fsys, ".gitsm/policy.yaml"); err != nil {
		return nil, err
	}
	if s.pol, err = policy.Parse(s.policy); err != nil {
		return nil, fmt.Errorf("example policy: %w", err)
	}
	cfg, err := config.Parse(s.config)
	if err != nil {
		return nil, fmt.Errorf("example config: %w", err)
	}
	s.prefixes = cfg.Prefixes
	s.freezeless = withoutWindow(s.config, "black-friday-freeze")
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".yaml" || strings.HasPrefix(p, ".gitsm/") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		kind, _ := record.FolderKind(p)
		switch kind {
		case record.CI:
			s.cmdb[p] = data
		case record.SLA, record.Calendar:
			s.slas[p] = data
		case record.Incident, record.Problem, record.Change:
			st, err := newStory(p, data)
			if err != nil {
				return err
			}
			s.stories = append(s.stories, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// withoutWindow removes the named window, with the comment lines above it, from a config.
func withoutWindow(cfg []byte, name string) []byte {
	lines := strings.SplitAfter(string(cfg), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.TrimSpace(l) == "- name: "+name })
	if start < 0 {
		return cfg
	}
	end := start + 1
	for end < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[end]), "- name:") {
		end++
	}
	for end > start+1 && strings.HasPrefix(strings.TrimSpace(lines[end-1]), "#") {
		end--
	}
	for start > 0 && strings.HasPrefix(strings.TrimSpace(lines[start-1]), "#") {
		start--
	}
	return []byte(strings.Join(append(lines[:start:start], lines[end:]...), ""))
}

// item is one thing that happens on main: a timeline step of a story, or a scripted event.
type item struct {
	at    time.Time
	story *story
	k     int
	// special is set for the scripted events.
	special string
}

const (
	specialFreeze    = "freeze"
	specialDuplicate = "duplicate"
	specialDelete    = "delete"
)

type builder struct {
	ctx    context.Context
	repo   *git.Repository
	src    *source
	o      *objects
	files  map[string][]byte // main's tree
	main   plumbing.Hash
	pr     int
	exists map[string]bool // record IDs on main or on the branch being built
	at     map[string]int  // each story's current step
	sum    Summary
	// duplicate is the incident opened twice and deleted.
	duplicate struct {
		id, path string
		data     []byte
	}
}

func (b *builder) run() error {
	start := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	root := map[string][]byte{
		".gitsm/config.yaml": b.src.freezeless,
		".gitsm/policy.yaml": b.src.policy,
		"README.md":          []byte(readme),
	}
	tree, err := b.o.tree(root)
	if err != nil {
		return err
	}
	if b.main, err = b.o.commit(tree, nil, sig("peggy", start), sig("peggy", start),
		"Start the records repository of Northwind Outfitters\n\nSettings, the change approval policy and a README; records follow by pull request.\n"); err != nil {
		return err
	}
	b.files = root
	b.sum.Commits++

	// The CMDB: CIs, then SLAs and calendars, in one pull request.
	cmdbAt := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	if err := b.pullRequest(prSpec{author: "trent", branch: "trent/cmdb", title: "Add the CMDB: services, CIs, SLAs and business calendars",
		commits: []prCommit{
			{at: cmdbAt, by: "trent", msg: "Add the SLAs and the business calendars\n", edit: func(f map[string][]byte) []string { return put(f, b.src.slas) }},
			{at: cmdbAt.Add(40 * time.Minute), by: "trent", msg: "Add the services and CIs of the shop and the platform\n", edit: func(f map[string][]byte) []string { return put(f, b.src.cmdb) }},
		}, mergeAt: cmdbAt.Add(3 * time.Hour)}); err != nil {
		return err
	}

	items, err := b.script()
	if err != nil {
		return err
	}
	for i := 0; i < len(items); {
		if err := b.ctx.Err(); err != nil {
			return err
		}
		j := i + 1
		if items[i].story != nil && !b.isDirect(items[i]) {
			// One pull request carries consecutive steps of one record within a day and a half.
			for j < len(items) && items[j].story == items[i].story && items[j].at.Sub(items[i].at) <= 36*time.Hour && !b.isDirect(items[j]) {
				j++
			}
		}
		next := time.Time{}
		if j < len(items) {
			next = items[j].at
		}
		if err := b.unit(items[i:j], next); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// script lists every story step and the scripted events in time order.
func (b *builder) script() ([]item, error) {
	var items []item
	maxInc := 0
	var major *story
	for _, s := range b.src.stories {
		for k, st := range s.steps {
			items = append(items, item{at: st.at, story: s, k: k})
		}
		if s.kind == "Incident" {
			var n int
			if _, err := fmt.Sscanf(s.id[strings.LastIndexByte(s.id, '-')+1:], "%d", &n); err == nil && n > maxInc {
				maxInc = n
			}
			if major == nil && bytes.Contains(s.src, []byte("\nmajor: true\n")) && len(s.steps) > 1 {
				major = s
			}
		}
	}
	if major == nil {
		return nil, errors.New("the examples have no major incident to open a duplicate of")
	}
	prefix := b.src.prefixes["incident"]
	if prefix == "" {
		prefix = "INC"
	}
	b.duplicate.id = fmt.Sprintf("%s-%06d", prefix, maxInc+1)
	opened := major.steps[0].at.Add(3 * time.Minute)
	b.duplicate.path = path.Join(path.Dir(major.path), b.duplicate.id+".yaml")
	b.duplicate.data = []byte(fmt.Sprintf(duplicateRecord, b.duplicate.id, opened.Format(time.RFC3339), opened.Format(time.RFC3339)))
	b.sum.Deleted = b.duplicate.id
	items = append(items,
		item{at: opened, special: specialDuplicate},
		item{at: major.steps[1].at.Add(20 * time.Minute), special: specialDelete},
	)
	if !bytes.Equal(b.src.freezeless, b.src.config) {
		items = append(items, item{at: time.Date(2026, 10, 19, 10, 0, 0, 0, time.UTC), special: specialFreeze})
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, c := items[i], items[j]
		if !a.at.Equal(c.at) {
			return a.at.Before(c.at)
		}
		if (a.story == nil) != (c.story == nil) {
			return a.story != nil
		}
		if a.story != nil && a.story != c.story {
			return a.story.path < c.story.path
		}
		return a.k < c.k
	})
	return items, nil
}

// isDirect reports whether it is the step pushed straight to main: the first closing of an
// incident from September on.
func (b *builder) isDirect(it item) bool {
	if it.story == nil || it.story.kind != "Incident" || it.story.steps[it.k].state != "closed" {
		return false
	}
	return it == b.directItem()
}

func (b *builder) directItem() item {
	var best item
	for _, s := range b.src.stories {
		if s.kind != "Incident" {
			continue
		}
		for k, st := range s.steps {
			if st.state == "closed" && !st.at.Before(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) &&
				(best.story == nil || st.at.Before(best.at) || st.at.Equal(best.at) && s.path < best.story.path) {
				best = item{at: st.at, story: s, k: k}
			}
		}
	}
	return best
}

// unit commits the items of one pull request (or the direct push); next is when the item
// after them happens, before which the pull request is merged.
func (b *builder) unit(items []item, next time.Time) error {
	last := items[len(items)-1].at
	mergeAt := last.Add(9 * time.Minute)
	if !next.IsZero() && !next.After(mergeAt) {
		mergeAt = next.Add(-time.Minute)
	}
	if mergeAt.Before(last) {
		mergeAt = last
	}
	first := items[0]
	switch first.special {
	case specialFreeze:
		return b.pullRequest(prSpec{author: "peggy", branch: "peggy/black-friday-freeze", title: "Freeze changes over Black Friday and Cyber Monday",
			commits: []prCommit{{at: first.at, by: "peggy", msg: "Freeze changes from 26 November to 1 December, except emergency changes\n",
				edit: func(f map[string][]byte) []string {
					f[".gitsm/config.yaml"] = b.src.config
					return []string{".gitsm/config.yaml"}
				}}}, mergeAt: first.at.Add(26 * time.Hour)})
	case specialDuplicate:
		d := b.duplicate
		return b.pullRequest(prSpec{author: "alice", branch: "alice/" + strings.ToLower(d.id), title: "Open " + d.id + ": Shop is down, customers cannot log in",
			commits: []prCommit{{at: first.at, by: "alice", msg: "Open " + d.id + ": Shop is down, customers cannot log in\n",
				edit: func(f map[string][]byte) []string {
					f[d.path] = d.data
					b.exists[d.id] = true
					return []string{d.path}
				}}}, mergeAt: mergeAt})
	case specialDelete:
		d := b.duplicate
		return b.pullRequest(prSpec{author: "peggy", branch: "peggy/remove-" + strings.ToLower(d.id), title: "Remove " + d.id + ", a duplicate of the major incident",
			commits: []prCommit{{at: first.at, by: "peggy", msg: "Remove " + d.id + ", opened twice for the same outage\n",
				edit: func(f map[string][]byte) []string {
					delete(f, d.path)
					delete(b.exists, d.id)
					return []string{d.path}
				}}}, mergeAt: mergeAt})
	}

	s := first.story
	author := s.steps[first.k].by
	if s.kind == "Change" && s.person != "" {
		author = s.person
	}
	var commits []prCommit
	for _, it := range items {
		it := it
		by := s.steps[it.k].by
		if s.kind == "Change" && s.person != "" {
			by = s.person
		}
		commits = append(commits, prCommit{at: it.at, by: by, msg: subject(s, it.k) + "\n", edit: func(f map[string][]byte) []string { return b.step(f, s, it.k) }})
	}
	if b.isDirect(first) {
		return b.direct(commits[0])
	}
	lastState := s.steps[items[len(items)-1].k].state
	title := subject(s, first.k)
	if len(items) > 1 {
		title = subject(s, items[len(items)-1].k)
		if first.k == 0 {
			title = fmt.Sprintf("%s: %s", s.id, s.title)
		}
	}
	return b.pullRequest(prSpec{author: author, title: title, commits: commits, mergeAt: mergeAt,
		branch: author + "/" + strings.ToLower(s.id) + "-" + strings.ReplaceAll(lastState, "_", "-")})
}

// step writes story s at step k into f, and the records whose references to s now resolve.
func (b *builder) step(f map[string][]byte, s *story, k int) []string {
	added := !b.exists[s.id]
	b.exists[s.id] = true
	b.at[s.path] = k
	exists := func(id string) bool { return b.exists[id] }
	f[s.path] = s.render(k, exists)
	touched := []string{s.path}
	if added {
		for _, o := range b.src.stories {
			k, ok := b.at[o.path]
			if !ok || o == s || !slices.Contains(o.refs(), s.id) {
				continue
			}
			if data := o.render(k, exists); !bytes.Equal(data, f[o.path]) {
				f[o.path] = data
				touched = append(touched, o.path)
			}
		}
	}
	return touched
}

var verbs = map[string]string{
	"in_progress": "Work on %s", "on_hold": "Put %s on hold", "resolved": "Resolve %s", "closed": "Close %s",
	"canceled": "Cancel %s", "assess": "Assess %s", "root_cause_analysis": "Start the root cause analysis of %s",
	"fix_in_progress": "Start the fix of %s", "authorize": "Submit %s for authorization", "scheduled": "Schedule %s",
	"implement": "Implement %s", "review": "Review %s",
}

func subject(s *story, k int) string {
	st := s.steps[k].state
	switch {
	case k == 0 && s.kind == "Change":
		return fmt.Sprintf("Raise %s: %s", s.id, s.title)
	case k == 0:
		return fmt.Sprintf("Open %s: %s", s.id, s.title)
	case st == "new":
		return fmt.Sprintf("Send %s back to new", s.id)
	case st == "in_progress" && s.reached(k-1, "resolved"):
		return fmt.Sprintf("Reopen %s", s.id)
	}
	if v, ok := verbs[st]; ok {
		return fmt.Sprintf(v, s.id)
	}
	return fmt.Sprintf("%s: %s", s.id, st)
}

func put(f map[string][]byte, add map[string][]byte) []string {
	var touched []string
	for p, d := range add {
		f[p] = d
		touched = append(touched, p)
	}
	sort.Strings(touched)
	return touched
}

type prCommit struct {
	at   time.Time
	by   string
	msg  string
	edit func(files map[string][]byte) []string
}

type prSpec struct {
	author, branch, title string
	commits               []prCommit
	mergeAt               time.Time
}

// direct commits straight to main, as a push that bypassed pull requests.
func (b *builder) direct(c prCommit) error {
	c.edit(b.files)
	tree, err := b.o.tree(b.files)
	if err != nil {
		return err
	}
	b.main, err = b.o.commit(tree, []plumbing.Hash{b.main}, sig(c.by, c.at), sig(c.by, c.at), c.msg)
	b.sum.Commits++
	b.sum.DirectPush = b.main
	return err
}

// pullRequest commits the branch, merges it (a merge commit, or a squash for half of the pull
// requests that touch no record the policy judges and no settings) and records the approval
// evidence of merges that touch change records, CIs, SLAs, calendars or settings.
func (b *builder) pullRequest(p prSpec) error {
	b.pr++
	n := b.pr
	base := b.main
	baseFiles := b.files
	files := clone(b.files)
	tip := base
	var subjects []string
	for _, c := range p.commits {
		c.edit(files)
		tree, err := b.o.tree(files)
		if err != nil {
			return err
		}
		if tip, err = b.o.commit(tree, []plumbing.Hash{tip}, sig(c.by, c.at), sig(c.by, c.at), c.msg); err != nil {
			return err
		}
		subjects = append(subjects, strings.TrimSpace(strings.SplitN(c.msg, "\n", 2)[0]))
	}
	if err := b.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(fmt.Sprintf("refs/pull/%d/head", n)), tip)); err != nil {
		return err
	}
	changed := changedPaths(baseFiles, files)
	guarded := slices.ContainsFunc(changed, func(p string) bool {
		_, judged := judgedKind(p)
		return judged || strings.HasPrefix(p, ".gitsm/")
	})
	tree, err := b.o.tree(files)
	if err != nil {
		return err
	}
	var merged plumbing.Hash
	if !guarded && n%2 == 0 {
		msg := fmt.Sprintf("%s (#%d)\n", p.title, n)
		if len(subjects) > 1 {
			msg += "\n* " + strings.Join(subjects, "\n* ") + "\n"
		}
		merged, err = b.o.commit(tree, []plumbing.Hash{base}, sig(p.author, p.mergeAt), at(github, p.mergeAt), msg)
		b.sum.Commits++
	} else {
		msg := fmt.Sprintf("Merge pull request #%d from %s\n\n%s\n", n, strings.SplitN(Repository, "/", 2)[0]+"/"+p.branch, p.title)
		merged, err = b.o.commit(tree, []plumbing.Hash{base, tip}, sig(p.author, p.mergeAt), at(github, p.mergeAt), msg)
		b.sum.Commits += 1 + len(p.commits)
	}
	if err != nil {
		return err
	}
	b.main, b.files = merged, files
	b.sum.PullRequests++
	if guarded {
		if err := b.note(n, p, baseFiles, files, base, tip, merged, changed); err != nil {
			return fmt.Errorf("pull request #%d (%s): %w", n, p.title, err)
		}
	}
	return nil
}

func clone(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func changedPaths(a, c map[string][]byte) []string {
	var out []string
	for p, d := range c {
		if old, ok := a[p]; !ok || !bytes.Equal(old, d) {
			out = append(out, p)
		}
	}
	for p := range a {
		if _, ok := c[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// note evaluates the pull request against the base's policy with the reviews a team would
// have given, and stores the evidence `gitsm approval record` would have stored.
func (b *builder) note(n int, p prSpec, baseFiles, headFiles map[string][]byte, base, head, merge plumbing.Hash, changed []string) error {
	in := policy.Input{ChangedPaths: changed, Author: p.author, HeadSHA: head.String(), CIs: map[string]map[string]any{},
		IsTeamMember: func(team, login string) (bool, error) {
			members, ok := adminsTeam[team]
			if !ok {
				return false, fmt.Errorf("unknown team %s", team)
			}
			return slices.Contains(members, login), nil
		}}
	cfg, err := config.Parse(baseFiles[".gitsm/config.yaml"])
	if err != nil {
		return err
	}
	for _, t := range cfg.Templates {
		in.Templates = append(in.Templates, policy.Template{ID: t.ID, CIs: t.CIs, Risks: t.Risks, Environments: t.Environments})
	}
	for _, pth := range sortedKeys(baseFiles) {
		if strings.HasPrefix(pth, "cis/") {
			data, err := b.data(pth, baseFiles[pth])
			if err != nil {
				return err
			}
			id, _ := data["id"].(string)
			in.CIs[id] = data
		}
	}
	// owners are the policy groups that own what the pull request touches: the CIs a change
	// names (as the base has them), and the CIs it adds or edits (both owners when it moves one).
	var owners []string
	addOwner := func(o any) {
		if g, ok := o.(string); ok && g != "" && !slices.Contains(owners, g) {
			owners = append(owners, g)
		}
	}
	for _, pth := range changed {
		kind, judged := judgedKind(pth)
		if !judged {
			continue
		}
		c := policy.Change{Path: pth, Kind: kind}
		if d, ok := baseFiles[pth]; ok {
			if c.Base, err = b.data(pth, d); err != nil {
				return err
			}
		}
		if d, ok := headFiles[pth]; ok {
			if c.Head, err = b.data(pth, d); err != nil {
				return err
			}
		}
		switch kind {
		case policy.KindChange:
			if c.Head != nil {
				for _, ci := range c.Head["cis"].([]any) {
					addOwner(in.CIs[ci.(string)]["owner"])
				}
			}
		case policy.KindCI:
			addOwner(c.Base["owner"])
			addOwner(c.Head["owner"])
		}
		in.Changes = append(in.Changes, c)
	}
	admin := slices.ContainsFunc(changed, func(p string) bool { return strings.HasPrefix(p, ".gitsm/") })
	d := b.src.pol.Evaluate(in)
	if !d.Approved {
		in.Reviews = b.reviews(n, p, owners, admin, head)
		d = b.src.pol.Evaluate(in)
	}
	if !d.Approved {
		return fmt.Errorf("not approved: %s", d.Text())
	}
	meta := evidence.Meta{Repository: Repository, PR: n, Author: p.author, BaseSHA: base.String(), HeadSHA: head.String(),
		MergeSHA: merge.String(), PolicyBlob: plumbing.ComputeHash(plumbing.BlobObject, baseFiles[".gitsm/policy.yaml"]).String()}
	if _, err := evidence.Write(b.repo, merge, evidence.New(meta, d), at(actions, p.mergeAt.Add(time.Minute))); err != nil {
		return err
	}
	b.sum.Notes++
	return nil
}

// judgedKind is the kind the policy judges a changed file as (a change record, a CI, an SLA or a
// calendar, by its folder), and whether it judges the file at all.
func judgedKind(pth string) (string, bool) {
	kind, ok := record.FolderKind(pth)
	if !ok {
		return "", false
	}
	switch kind {
	case record.Change:
		return policy.KindChange, true
	case record.CI:
		return policy.KindCI, true
	case record.SLA:
		return policy.KindSLA, true
	case record.Calendar:
		return policy.KindCalendar, true
	}
	return "", false
}

// reviews are the approvals of the pull request's head: two CAB members, one member of each
// owner group, and one platform admin when admin is set, none of them its author.
func (b *builder) reviews(n int, p prSpec, owners []string, admin bool, head plumbing.Hash) []policy.Review {
	var logins []string
	add := func(members []string, count int) {
		for _, m := range members {
			if count == 0 {
				return
			}
			if m != p.author {
				if !slices.Contains(logins, m) {
					logins = append(logins, m)
				}
				count--
			}
		}
	}
	add(b.src.pol.Groups["cab"].Members, 2)
	for _, g := range owners {
		add(b.src.pol.Groups[g].Members, 1)
	}
	if admin {
		add(adminsTeam["northwind/platform-admins"], 1)
	}
	var out []policy.Review
	for i, l := range logins {
		out = append(out, policy.Review{ID: int64(n*1000 + i + 1), Login: l, UserType: "User", State: "APPROVED",
			CommitID: head.String(), SubmittedAt: p.mergeAt.Add(-time.Duration(len(logins)-i) * time.Minute)})
	}
	return out
}

func (b *builder) data(pth string, src []byte) (map[string]any, error) {
	kind, _ := record.FolderKind(pth)
	parsed, findings := record.Parse(pth, kind, b.src.prefixes, src)
	if parsed == nil {
		return nil, fmt.Errorf("%s: %v", pth, findings)
	}
	return parsed.Data, nil
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

const readme = `# Northwind Outfitters — service management records

Incidents, problems, changes, configuration items, SLAs and calendars of the Northwind Outfitters
online shop, as YAML files checked by gitsm. Every change to a record comes through a pull
request; changes are approved by reviews under .gitsm/policy.yaml, and the evidence of each
approval is kept as a git note under refs/notes/gitsm.

This repository was made by ` + "`gitsm demo`" + ` from gitsm's examples: its history is invented.
`

const duplicateRecord = `apiVersion: gitsm/v1
kind: Incident
id: %s
title: Shop is down, customers cannot log in
state: new
impact: 1
urgency: 1
priority: P1
service: storefront
channel: phone
caller: service-desk
opened_at: %s
timeline:
  - at: %s
    state: new
    by: alice
    note: Customer calls about the shop being down.
`

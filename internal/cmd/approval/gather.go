package approval

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/policy"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/schema"
)

// PolicyPath is where the approval policy lives, relative to the records root.
const PolicyPath = ".gitsm/policy.yaml"

// revisions are the commits a pull request is judged on.
type revisions struct {
	// base is where the policy, the groups, the CIs and the templates are read from.
	base *object.Commit
	// head is the pull request's head: its change records are judged.
	head *object.Commit
	// mergeBase is where the pull request's changes start: head is compared with it, as
	// GitHub's pull-request diff does, so that commits the base branch gained since the branch
	// point are not mistaken for changes of the pull request. When it is not base, every record
	// the pull request touches must be as base has it (see gathered.Stale).
	mergeBase *object.Commit
	// baseName is how the base is named in messages: the revision given, or its short hash.
	baseName string
}

// resolve finds the base and head commits of a pull request and their merge base.
func resolve(repo *gitrepo.Repo, baseRev, headRev string) (*revisions, error) {
	base, err := repo.Commit(baseRev)
	if err != nil {
		return nil, fmt.Errorf("base: %w; fetch it first (git fetch origin)", err)
	}
	head, err := repo.Commit(headRev)
	if err != nil {
		return nil, fmt.Errorf("head: %w; fetch the pull request's commits first (git fetch origin +refs/pull/N/head)", err)
	}
	bases, err := base.MergeBase(head)
	if err != nil {
		return nil, fmt.Errorf("merge base of %s and %s: %w", short(base.Hash), short(head.Hash), err)
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("%s and %s have no common history; a shallow clone? fetch the full history (fetch-depth: 0)", short(base.Hash), short(head.Hash))
	}
	return &revisions{base: base, head: head, mergeBase: bases[0], baseName: baseName(baseRev, base)}, nil
}

// resolveMergeGroup finds the commits of a merge queue's merge group: head is the group's commit
// (merge_group.head_sha), whose first parent must be base (merge_group.base_sha). What the head
// merges is exactly what it contains, so it is judged against base directly. An older base is
// refused even when it is an ancestor: its policy could be weaker than the base's the group is
// built on. A rebase-method queue (several commits on the base) is therefore refused: fail closed.
func resolveMergeGroup(repo *gitrepo.Repo, baseRev, headRev string) (*revisions, error) {
	base, err := repo.Commit(baseRev)
	if err != nil {
		return nil, fmt.Errorf("merge group base: %w; fetch it first (git fetch origin)", err)
	}
	head, err := repo.Commit(headRev)
	if err != nil {
		return nil, fmt.Errorf("merge group head: %w; fetch the merge group's commit first (git fetch origin $HEAD_REF)", err)
	}
	if len(head.ParentHashes) == 0 || head.ParentHashes[0] != base.Hash {
		return nil, command.UsageErrorf("the merge group commit %s does not have the base %s as its first parent; pass merge_group.head_sha and merge_group.base_sha of the same event (a rebase-method merge queue is not supported: use the merge or squash method)", short(head.Hash), short(base.Hash))
	}
	return &revisions{base: base, head: head, mergeBase: base, baseName: baseName(baseRev, base)}, nil
}

func baseName(rev string, c *object.Commit) string {
	if strings.EqualFold(rev, c.Hash.String()) {
		return "the base " + short(c.Hash)
	}
	return rev
}

// gathered is what git says about a pull request, before any review is read.
type gathered struct {
	revs *revisions
	// Policy is the base commit's policy; nil when PolicyErr is set.
	Policy *policy.Policy
	// PolicyBlob is the git blob hash of the base's policy file ("" when there is none).
	PolicyBlob string
	// PolicyErr says why the base policy cannot be used (missing, too large, invalid: then a
	// *policy.ParseError).
	PolicyErr error
	// ConfigErr says why the base's .gitsm/config.yaml cannot be used; the defaults stand in.
	ConfigErr error
	Config    *config.Config
	// CIs are the base's usable CI records by ID; InvalidCIs the others, with the reason.
	CIs        map[string]map[string]any
	InvalidCIs map[string]string
	// Changes are the records the policy judges: change records, CIs, SLAs and calendars.
	Changes []policy.Change
	// Stale names every record the pull request touches that the base changed since the
	// branch point: the merge would combine both edits, which nothing judged, so the decision
	// fails closed until the branch is updated.
	Stale []string
	// Paths are the changed files relative to the records root, both names of a rename.
	Paths []string
}

// problems are the fail-closed causes of the base settings.
func (g *gathered) problems() []string {
	var out []string
	if g.PolicyErr != nil {
		out = append(out, g.PolicyErr.Error())
	}
	if g.ConfigErr != nil {
		out = append(out, fmt.Sprintf("the settings at the base %s cannot be used: %v", short(g.revs.base.Hash), g.ConfigErr))
	}
	return out
}

// templates are the base's declared standard change templates.
func (g *gathered) templates() []policy.Template {
	out := make([]policy.Template, 0, len(g.Config.Templates))
	for _, t := range g.Config.Templates {
		out = append(out, policy.Template{ID: t.ID, CIs: t.CIs, Risks: t.Risks, Environments: t.Environments})
	}
	return out
}

// gather reads the base's policy, settings and CIs, and the records and files that changed
// from the merge base to the head. extra are more changed paths (relative to the git work
// tree, as GitHub lists them) whose records are judged too. revs comes from resolve (a pull
// request) or resolveMergeGroup (a merge queue's group commit). An error means git data could
// not be read; problems with the policy, the settings or a stale branch are in the result.
func gather(ctx context.Context, repo *gitrepo.Repo, revs *revisions, extra []string) (*gathered, error) {
	g := &gathered{revs: revs, Config: config.Default(), CIs: map[string]map[string]any{}, InvalidCIs: map[string]string{}}
	baseTree, err := recordsTree(repo, revs.base)
	if err != nil {
		return nil, err
	}
	g.readPolicy(repo, baseTree)
	if data, _, found, err := readFile(repo, baseTree, config.Path, 1<<20); err != nil {
		g.ConfigErr = err
	} else if found {
		if cfg, err := config.Parse(data); err != nil {
			g.ConfigErr = err
		} else {
			g.Config = cfg
		}
	}
	if err := g.readCIs(repo, revs.base); err != nil {
		return nil, err
	}

	diffPaths, err := changedPaths(ctx, revs.mergeBase, revs.head)
	if err != nil {
		return nil, err
	}
	paths := map[string]bool{}
	for _, p := range append(diffPaths, extra...) {
		if p = relative(repo.Prefix, p); p != "" {
			paths[p] = true
		}
	}
	for p := range paths {
		g.Paths = append(g.Paths, p)
	}
	sort.Strings(g.Paths)
	if err := g.readChanges(repo); err != nil {
		return nil, err
	}
	if err := g.checkStale(repo, baseTree); err != nil {
		return nil, err
	}
	return g, nil
}

// checkStale fills Stale: the records the pull request touches whose version at the base differs
// from the merge base's (and from the head's, which would make the merge a no-op for them).
func (g *gathered) checkStale(repo *gitrepo.Repo, baseTree *object.Tree) error {
	if g.revs.mergeBase.Hash == g.revs.base.Hash {
		return nil
	}
	mbTree, err := recordsTree(repo, g.revs.mergeBase)
	if err != nil {
		return err
	}
	headTree, err := recordsTree(repo, g.revs.head)
	if err != nil {
		return err
	}
	for _, p := range g.Paths {
		if _, ok := record.FolderKind(p); !ok || !gitrepo.IsRecordPath(p) {
			continue
		}
		mb, base, head := entryOf(mbTree, p), entryOf(baseTree, p), entryOf(headTree, p)
		if base == mb || base == head {
			continue
		}
		g.Stale = append(g.Stale, fmt.Sprintf("%s changed %s (%s) since the branch point %s, and this branch edits it too: what the merge makes of both edits is not judged; update the branch (merge %s into it, or rebase it) and judge it again",
			g.revs.baseName, p, record.Stem(p), short(g.revs.mergeBase.Hash), g.revs.baseName))
	}
	return nil
}

// entryOf identifies the file at p in tree by mode and hash; "" when absent (or unreadable:
// then the versions still differ from a readable one).
func entryOf(tree *object.Tree, p string) string {
	if tree == nil {
		return ""
	}
	e, err := tree.FindEntry(p)
	if err != nil {
		return ""
	}
	return e.Mode.String() + " " + e.Hash.String()
}

func (g *gathered) readPolicy(repo *gitrepo.Repo, baseTree *object.Tree) {
	where := fmt.Sprintf("%s at the base %s", PolicyPath, short(g.revs.base.Hash))
	data, blob, found, err := readFile(repo, baseTree, PolicyPath, policy.MaxSize)
	switch {
	case err != nil:
		g.PolicyErr = fmt.Errorf("%s: %w", where, err)
		return
	case !found:
		g.PolicyErr = fmt.Errorf("%s does not exist: without a policy nothing can be approved; add one on the base branch (gitsm init writes a starter policy)", where)
		return
	}
	g.PolicyBlob = blob.String()
	p, err := policy.Parse(data)
	if err != nil {
		g.PolicyErr = &policyError{where: where, err: err}
		return
	}
	g.Policy = p
}

// policyError is an invalid base policy, with every problem on its own line.
type policyError struct {
	where string
	err   error
}

func (e *policyError) Error() string {
	var pe *policy.ParseError
	if !errors.As(e.err, &pe) {
		return fmt.Sprintf("%s: %v", e.where, e.err)
	}
	msgs := make([]string, len(pe.Problems))
	for i, p := range pe.Problems {
		msgs[i] = p.Error()
	}
	return fmt.Sprintf("%s is invalid: %s", e.where, strings.Join(msgs, "; "))
}

func (e *policyError) Unwrap() error { return e.err }

// lines lists the problems as path:line:col: message, one per line, for a terminal.
func (e *policyError) lines() []string {
	var pe *policy.ParseError
	if !errors.As(e.err, &pe) {
		return []string{e.err.Error()}
	}
	out := make([]string, len(pe.Problems))
	for i, p := range pe.Problems {
		switch {
		case p.Line > 0 && p.Column > 0:
			out[i] = fmt.Sprintf("%s:%d:%d: %s", PolicyPath, p.Line, p.Column, p.Message)
		case p.Line > 0:
			out[i] = fmt.Sprintf("%s:%d: %s", PolicyPath, p.Line, p.Message)
		default:
			out[i] = fmt.Sprintf("%s: %s", PolicyPath, p.Message)
		}
	}
	return out
}

// readCIs reads every CI record of the base commit. A CI file that cannot be read or parsed (a
// symbolic link, over the size limit, broken YAML, no ID) is in InvalidCIs by its path: nothing
// it says can be trusted, and a services rule fails closed on it. A CI that fails its
// schema or the record checks, or whose ID another file has too, is in InvalidCIs instead of
// CIs: its owner and the data rules select by cannot be trusted, so a change naming it fails
// closed.
func (g *gathered) readCIs(repo *gitrepo.Repo, base *object.Commit) error {
	info, _ := record.Lookup(record.CI)
	entries, err := repo.Files(base, info.Folder)
	if err != nil {
		return err
	}
	schemas, err := schema.Compile(g.Config.CustomFields)
	if err != nil {
		if g.ConfigErr == nil {
			g.ConfigErr = fmt.Errorf("the record schemas with its custom fields do not compile: %w", err)
		}
		return nil
	}
	paths := map[string][]string{}
	for _, en := range entries {
		if !gitrepo.IsRecordPath(en.Path) || !en.Mode.IsFile() {
			continue
		}
		// A file whose ID cannot be read may be the CI a services rule follows, or a second file
		// with a CI's ID: it is kept, by path, among the CIs that cannot be used.
		src, err := repo.Blob(en.Hash, g.Config.MaxFileSize)
		if err != nil {
			g.InvalidCIs[en.Path] = fmt.Sprintf("%s cannot be read: %v", en.Path, err)
			continue
		}
		if en.Mode == filemode.Symlink {
			g.InvalidCIs[en.Path] = fmt.Sprintf("%s is a symbolic link; gitsm reads regular files only", en.Path)
			continue
		}
		p, findings := record.Parse(en.Path, record.CI, g.Config.Prefixes, src)
		if p == nil || p.ID == "" {
			msg := "not a record"
			if len(findings) > 0 {
				msg = fmt.Sprintf("line %d: %s", findings[0].Line, findings[0].Message)
			}
			g.InvalidCIs[en.Path] = fmt.Sprintf("%s: %s", en.Path, msg)
			continue
		}
		if p.Kind != record.CI {
			continue
		}
		paths[p.ID] = append(paths[p.ID], en.Path)
		switch {
		case len(paths[p.ID]) > 1:
			delete(g.CIs, p.ID)
			g.InvalidCIs[p.ID] = fmt.Sprintf("%d files have this ID: %s", len(paths[p.ID]), strings.Join(paths[p.ID], ", "))
		case len(findings) > 0:
			g.InvalidCIs[p.ID] = fmt.Sprintf("%s:%d: %s", en.Path, findings[0].Line, findings[0].Message)
		default:
			if vs := schemas.Validate(string(record.CI), p.Data); len(vs) > 0 {
				where := vs[0].Pointer
				if where == "" {
					where = "/"
				}
				g.InvalidCIs[p.ID] = fmt.Sprintf("%s fails its schema at %s: %s", en.Path, where, vs[0].Message)
			} else {
				g.CIs[p.ID] = p.Data
			}
		}
	}
	return nil
}

// judgedKinds are the record kinds the policy judges.
var judgedKinds = map[record.Kind]string{
	record.Change: policy.KindChange, record.CI: policy.KindCI, record.SLA: policy.KindSLA, record.Calendar: policy.KindCalendar,
}

// readChanges reads both versions of every changed record file and keeps those the policy
// judges: change records, CIs, SLAs and calendars, by their folder or by their kind in either
// version.
func (g *gathered) readChanges(repo *gitrepo.Repo) error {
	mbTree, err := recordsTree(repo, g.revs.mergeBase)
	if err != nil {
		return err
	}
	headTree, err := recordsTree(repo, g.revs.head)
	if err != nil {
		return err
	}
	var changes []policy.Change
	for _, p := range g.Paths {
		folder, ok := record.FolderKind(p)
		if !ok || !gitrepo.IsRecordPath(p) {
			continue
		}
		base, baseHash, baseErr := g.version(repo, mbTree, p, folder, g.revs.mergeBase)
		head, headHash, headErr := g.version(repo, headTree, p, folder, g.revs.head)
		if baseHash == headHash {
			continue // unchanged (or absent) on both sides
		}
		kind := folder
		for _, k := range []record.Kind{kindOf(base), kindOf(head)} {
			if _, judged := judgedKinds[k]; judged {
				kind = k
				break
			}
		}
		if _, judged := judgedKinds[kind]; !judged {
			continue
		}
		c := policy.Change{Path: p, Kind: judgedKinds[kind], Base: data(base), Head: data(head), Err: headErr}
		// A base version that cannot be read is judged as absent (the head as if added, so any
		// state from scheduled on needs its rules' approval) rather than blocking the pull
		// request that repairs it; a deletion of it cannot be judged at all.
		if baseErr != nil && headHash.IsZero() {
			c.Err = baseErr
		}
		if base != nil && head != nil && base.Kind != head.Kind && c.Err == nil {
			c.Err = fmt.Errorf("its kind changed from %s to %s; a record keeps its kind", base.Kind, head.Kind)
		}
		changes = append(changes, c)
	}
	g.Changes = pairMoves(changes)
	return nil
}

// version reads one version of a record file: nil and the zero hash when absent, an error when
// present but not readable as a record.
func (g *gathered) version(repo *gitrepo.Repo, tree *object.Tree, p string, folder record.Kind, c *object.Commit) (*record.Parsed, plumbing.Hash, error) {
	data, blob, found, err := readFile(repo, tree, p, g.Config.MaxFileSize)
	if err != nil {
		return nil, blob, fmt.Errorf("at %s: %w", short(c.Hash), err)
	}
	if !found {
		return nil, plumbing.ZeroHash, nil
	}
	parsed, findings := record.Parse(p, folder, g.Config.Prefixes, data)
	if parsed == nil {
		msg := "not a record"
		if len(findings) > 0 {
			f := findings[0]
			msg = fmt.Sprintf("line %d: %s", f.Line, f.Message)
		}
		return nil, blob, fmt.Errorf("at %s: %s", short(c.Hash), msg)
	}
	return parsed, blob, nil
}

func kindOf(p *record.Parsed) record.Kind {
	if p == nil {
		return ""
	}
	return p.Kind
}

func data(p *record.Parsed) map[string]any {
	if p == nil {
		return nil
	}
	return p.Data
}

// pairMoves joins a change record deleted at one path and added at another with the same ID
// into one modification: a record that moved folders is not a deletion and an addition.
func pairMoves(changes []policy.Change) []policy.Change {
	// Moves pair within one kind: a CI and a change never pair, whatever their IDs.
	id := func(c policy.Change, m map[string]any) string {
		s, _ := m["id"].(string)
		if s == "" {
			return ""
		}
		return c.Kind + "\x00" + s
	}
	deleted, added := map[string][]int{}, map[string][]int{}
	for i, c := range changes {
		switch {
		case c.Err != nil:
		case c.Head == nil && c.Base != nil && id(c, c.Base) != "":
			deleted[id(c, c.Base)] = append(deleted[id(c, c.Base)], i)
		case c.Base == nil && c.Head != nil && id(c, c.Head) != "":
			added[id(c, c.Head)] = append(added[id(c, c.Head)], i)
		}
	}
	drop := map[int]bool{}
	for rid, ds := range deleted {
		as := added[rid]
		if len(ds) != 1 || len(as) != 1 {
			continue
		}
		changes[as[0]].Base = changes[ds[0]].Base
		drop[ds[0]] = true
	}
	out := make([]policy.Change, 0, len(changes))
	for i, c := range changes {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return out
}

// recordsTree is the tree of the records root at c; nil when the root does not exist there.
func recordsTree(repo *gitrepo.Repo, c *object.Commit) (*object.Tree, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of %s: %w", short(c.Hash), err)
	}
	if repo.Prefix == "" {
		return t, nil
	}
	sub, err := t.Tree(repo.Prefix)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", repo.Prefix, short(c.Hash), err)
	}
	return sub, nil
}

// readFile reads the file at p (a slash path) in tree; found is false when there is none.
func readFile(repo *gitrepo.Repo, tree *object.Tree, p string, max int64) (content []byte, blob plumbing.Hash, found bool, err error) {
	if tree == nil {
		return nil, plumbing.ZeroHash, false, nil
	}
	e, err := tree.FindEntry(p)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrFileNotFound) {
		return nil, plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return nil, plumbing.ZeroHash, false, fmt.Errorf("read %s: %w", p, err)
	}
	switch e.Mode {
	case filemode.Regular, filemode.Executable, filemode.Deprecated:
	case filemode.Symlink:
		return nil, e.Hash, true, fmt.Errorf("%s is a symbolic link; gitsm reads regular files only", p)
	default:
		return nil, e.Hash, true, fmt.Errorf("%s is not a file (mode %s)", p, e.Mode)
	}
	content, err = repo.Blob(e.Hash, max)
	if err != nil {
		return nil, e.Hash, true, fmt.Errorf("%s: %w", p, err)
	}
	return content, e.Hash, true, nil
}

// changedPaths lists the files that differ between two commits, both names of each change,
// relative to the git work tree.
func changedPaths(ctx context.Context, from, to *object.Commit) ([]string, error) {
	a, err := from.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of %s: %w", short(from.Hash), err)
	}
	b, err := to.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of %s: %w", short(to.Hash), err)
	}
	changes, err := object.DiffTreeWithOptions(ctx, a, b, nil)
	if err != nil {
		return nil, fmt.Errorf("compare %s with %s: %w", short(from.Hash), short(to.Hash), err)
	}
	var out []string
	for _, c := range changes {
		for _, name := range []string{c.From.Name, c.To.Name} {
			if name != "" {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// relative turns a path relative to the git work tree into one relative to the records root.
// A file outside the records root is named with ../ so that no paths rule mistakes it for one
// inside (only ** globs reach it).
func relative(prefix, p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return ""
	}
	if prefix == "" {
		return p
	}
	if rest, ok := strings.CutPrefix(p, prefix+"/"); ok {
		return rest
	}
	return strings.Repeat("../", strings.Count(prefix, "/")+1) + p
}

func short(h plumbing.Hash) string { return h.String()[:12] }

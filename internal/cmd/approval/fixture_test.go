package approval_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitsm/gitsm/internal/cli"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
	"github.com/gitsm/gitsm/internal/iostreams"
)

// token is distinctive so that a test can prove it never reaches any output.
const token = "ghs_TOPSECRET0123456789abcdefTOKEN"

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// basePolicy is the policy of the base commit; weakPolicy is what a pull request would like it
// to be.
const basePolicy = `groups:
  cab:       {members: [grace, heidi]}
  team-shop: {members: [frank, ivan]}
  team-data: {members: [judy]}
  admins:    {team: shop/platform-admins}
rules:
  - name: normal changes need the CAB and the owners of the CIs they touch
    match: {types: [normal]}
    require: [{group: cab, count: 1}, {ci_owners: true}]
  - name: the policy and the schemas are guarded
    match: {paths: [".gitsm/**", "schemas/**"]}
    require: [{group: admins, count: 1}]
`

const weakPolicy = `rules:
  - {name: anything goes, match: {}, require: [{none: true}]}
  - {name: files too, match: {paths: ["**"]}, require: [{none: true}]}
`

func ci(id, owner string) string {
	return fmt.Sprintf("apiVersion: gitsm/v1\nkind: CI\nid: %s\ntitle: %s\nclass: api\nowner: %s\nenvironment: production\nlifecycle: production\n", id, id, owner)
}

func change(id, state string, cis ...string) string {
	return fmt.Sprintf(`apiVersion: gitsm/v1
kind: Change
id: %s
title: Rotate the checkout TLS certificate
type: normal
state: %s
risk: moderate
cis: [%s]
requested_by: frank
assignment_group: team-shop
implementation_plan: rotate
backout_plan: restore the old certificate
planned_start: 2026-03-03T01:00:00Z
planned_end: 2026-03-03T02:00:00Z
timeline:
  - {at: "2026-03-01T10:00:00Z", state: new, by: frank}
`, id, state, strings.Join(cis, ", "))
}

// baseFiles is the records repository at the base commit.
func baseFiles() map[string]string {
	return map[string]string{
		".gitsm/policy.yaml":          basePolicy,
		".gitsm/config.yaml":          "templates:\n  - {id: std-cert-rotation, title: Rotate a certificate}\n",
		"cis/checkout-api.yaml":       ci("checkout-api", "team-shop"),
		"cis/payments-db.yaml":        ci("payments-db", "team-data"),
		"changes/CHG-000001.yaml":     change("CHG-000001", "authorize", "checkout-api"),
		"changes/CHG-000002.yaml":     change("CHG-000002", "new", "payments-db"),
		"incidents/INC-000001.yaml":   "apiVersion: gitsm/v1\nkind: Incident\nid: INC-000001\ntitle: t\n",
		"README.md":                   "Northwind records\n",
		"schemas/x-custom/notes.json": "{}\n",
	}
}

// with returns a copy of files with edits applied; an empty value deletes the file.
func with(files map[string]string, edits map[string]string) map[string]string {
	out := maps.Clone(files)
	for k, v := range edits {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// symlinkTo starts the content of a file that the fixture stores as a symbolic link to the rest.
const symlinkTo = "symlink to "

// fixture is a git repository built with go-git, one full snapshot per commit.
type fixture struct {
	t   *testing.T
	dir string
	git *git.Repository
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, git: r}
}

// commit stores a commit whose tree holds exactly files.
func (fx *fixture) commit(msg string, files map[string]string, parents ...plumbing.Hash) plumbing.Hash {
	fx.t.Helper()
	tree := fx.tree(files)
	when := t0.Add(time.Duration(len(fx.log())) * time.Minute)
	sig := object.Signature{Name: "Frank", Email: "frank@example.com", When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: parents}
	obj := fx.git.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		fx.t.Fatal(err)
	}
	h, err := fx.git.Storer.SetEncodedObject(obj)
	if err != nil {
		fx.t.Fatal(err)
	}
	return h
}

func (fx *fixture) log() []string {
	iter, err := fx.git.CommitObjects()
	if err != nil {
		fx.t.Fatal(err)
	}
	var out []string
	_ = iter.ForEach(func(c *object.Commit) error { out = append(out, c.Hash.String()); return nil })
	return out
}

func (fx *fixture) tree(files map[string]string) plumbing.Hash {
	fx.t.Helper()
	type entry struct {
		name string
		mode filemode.FileMode
		hash plumbing.Hash
	}
	var write func(prefix string) plumbing.Hash
	write = func(prefix string) plumbing.Hash {
		var entries []entry
		dirs := map[string]bool{}
		for p, content := range files {
			rest, ok := strings.CutPrefix(p, prefix)
			if !ok {
				continue
			}
			if d, _, nested := strings.Cut(rest, "/"); nested {
				if !dirs[d] {
					dirs[d] = true
					entries = append(entries, entry{d, filemode.Dir, write(prefix + d + "/")})
				}
				continue
			}
			mode := filemode.Regular
			if target, ok := strings.CutPrefix(content, symlinkTo); ok {
				mode, content = filemode.Symlink, target
			}
			obj := fx.git.Storer.NewEncodedObject()
			obj.SetType(plumbing.BlobObject)
			w, _ := obj.Writer()
			_, _ = w.Write([]byte(content))
			_ = w.Close()
			h, err := fx.git.Storer.SetEncodedObject(obj)
			if err != nil {
				fx.t.Fatal(err)
			}
			entries = append(entries, entry{rest, mode, h})
		}
		key := func(e entry) string {
			if e.mode == filemode.Dir {
				return e.name + "/"
			}
			return e.name
		}
		sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
		t := &object.Tree{}
		for _, e := range entries {
			t.Entries = append(t.Entries, object.TreeEntry{Name: e.name, Mode: e.mode, Hash: e.hash})
		}
		obj := fx.git.Storer.NewEncodedObject()
		if err := t.Encode(obj); err != nil {
			fx.t.Fatal(err)
		}
		h, err := fx.git.Storer.SetEncodedObject(obj)
		if err != nil {
			fx.t.Fatal(err)
		}
		return h
	}
	return write("")
}

// branch points refs/heads/name at h; checkout makes HEAD the branch.
func (fx *fixture) branch(name string, h plumbing.Hash) {
	fx.t.Helper()
	if err := fx.git.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), h)); err != nil {
		fx.t.Fatal(err)
	}
}

func (fx *fixture) checkout(name string) {
	fx.t.Helper()
	if err := fx.git.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName(name))); err != nil {
		fx.t.Fatal(err)
	}
}

// pr is the usual pull request: base main, a branch that moves CHG-000001 to scheduled.
type pr struct {
	fx         *fixture
	base, head plumbing.Hash
}

func newPR(t *testing.T, headEdits map[string]string) *pr {
	fx := newFixture(t)
	base := fx.commit("initial records\n", baseFiles())
	head := fx.commit("schedule CHG-000001\n", with(baseFiles(), headEdits), base)
	fx.branch("main", base)
	fx.branch("chg-1", head)
	fx.checkout("main")
	return &pr{fx: fx, base: base, head: head}
}

func scheduling() map[string]string {
	return map[string]string{"changes/CHG-000001.yaml": change("CHG-000001", "scheduled", "checkout-api")}
}

// server is a fake GitHub holding pull request 7 of shop/records, authored by frank.
func server(t *testing.T, p *pr) *githubtest.Server {
	s := githubtest.New(t, "shop", "records", token)
	s.PRs[7] = &githubtest.PR{Number: 7, Title: "Schedule CHG-000001", Author: "frank",
		HeadSHA: p.head.String(), HeadRef: "chg-1", BaseSHA: p.base.String(), BaseRef: "main",
		Files: []githubtest.File{{Filename: "changes/CHG-000001.yaml"}}}
	s.Teams["shop/platform-admins"] = map[string]string{"oscar": "active"}
	// The gate reads the base branch's tip, the commits' authors and who pushed the head.
	s.Branches["main"] = p.base.String()
	s.PRs[7].Commits = []githubtest.Commit{{SHA: p.head.String(), Author: "frank", Committer: "frank"}}
	s.Activity["shop/records"] = []githubtest.Push{{Ref: "refs/heads/chg-1", Before: p.base.String(), After: p.head.String(), Actor: "frank"}}
	return s
}

func review(id int64, login, state string, commit plumbing.Hash, minute int) githubtest.Review {
	return githubtest.Review{ID: id, Login: login, State: state, CommitID: commit.String(), SubmittedAt: t0.Add(time.Duration(minute) * time.Minute)}
}

// run runs gitsm in dir with env and returns the exit code, stdout and stderr.
func run(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &command.Factory{IO: ios, WorkDir: dir, Version: "test",
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return t0.Add(24 * time.Hour) },
	}
	code := cli.Run(context.Background(), f, args)
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, token) || strings.Contains(s, "TOPSECRET") {
			t.Errorf("the token appears in the output of %v:\n%s", args, s)
		}
	}
	return code, out.String(), errOut.String()
}

func githubEnv(s *githubtest.Server) map[string]string {
	return map[string]string{"GITHUB_TOKEN": token, "GITHUB_API_URL": s.URL, "GITHUB_REPOSITORY": "shop/records"}
}

// gitCLI runs the git command line in dir, skipping the test when git is not installed.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

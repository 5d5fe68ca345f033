package authoring

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// fixture is a git repository in a temp dir, built with go-git.
type fixture struct {
	t    *testing.T
	root string
	repo *git.Repository
}

func newFixture(t *testing.T, root string) *fixture {
	t.Helper()
	repo, err := git.PlainInitWithOptions(root, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, root: root, repo: repo}
}

// commit writes files (path → content; "" deletes) and commits them on the current branch.
func (f *fixture) commit(files map[string]string) plumbing.Hash {
	f.t.Helper()
	wt, err := f.repo.Worktree()
	if err != nil {
		f.t.Fatal(err)
	}
	for p, content := range files {
		full := filepath.Join(f.root, filepath.FromSlash(p))
		if content == "" {
			if _, err := wt.Remove(p); err != nil {
				f.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
		if _, err := wt.Add(p); err != nil {
			f.t.Fatal(err)
		}
	}
	sig := &object.Signature{Name: "T", Email: "t@example.com", When: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	h, err := wt.Commit("commit", &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func (f *fixture) ref(name string, h plumbing.Hash) {
	f.t.Helper()
	if err := f.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(name), h)); err != nil {
		f.t.Fatal(err)
	}
}

func TestHighestNumber(t *testing.T) {
	f := newFixture(t, t.TempDir())
	base := f.commit(map[string]string{"incidents/2026/INC-000003.yaml": "x", "changes/2026/CHG-000040.yaml": "x"})
	// A branch that adds INC-000009 in another year's folder, then a remote-tracking ref
	// with INC-000012; neither is in the work tree of main.
	branch := f.commit(map[string]string{"incidents/2025/INC-000009.yaml": "x"})
	f.ref("refs/heads/feature", branch)
	remote := f.commit(map[string]string{"incidents/2026/INC-000012.yaml": "x", "incidents/2026/notes.txt": "x"})
	f.ref("refs/remotes/origin/pr-7", remote)
	// A tag is neither a branch nor a remote-tracking ref: its numbers do not count.
	tagged := f.commit(map[string]string{"incidents/2026/INC-000500.yaml": "x"})
	f.ref("refs/tags/v1", tagged)
	f.ref("refs/heads/main", base)
	wt, _ := f.repo.Worktree()
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("main"), Force: true}); err != nil {
		t.Fatal(err)
	}
	// An untracked file of the work tree counts too.
	if err := CreateFile(filepath.Join(f.root, "incidents", "INC-000004.yaml"), []byte("x")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		folder, prefix string
		want           int64
	}{
		{"incidents", "INC", 12},
		{"changes", "CHG", 40},
		{"problems", "PRB", 0},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			got, err := HighestNumber(f.root, tt.folder, tt.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if got.Max != tt.want {
				t.Errorf("HighestNumber(%s) = %d, want %d", tt.folder, got.Max, tt.want)
			}
		})
	}
}

func TestHighestNumberSubfolder(t *testing.T) {
	// The records repository is a folder of a larger git repository.
	f := newFixture(t, t.TempDir())
	f.commit(map[string]string{"itsm/incidents/INC-000021.yaml": "x", "incidents/INC-000999.yaml": "x"})
	root := filepath.Join(f.root, "itsm")
	if err := os.Remove(filepath.Join(root, "incidents", "INC-000021.yaml")); err != nil {
		t.Fatal(err)
	}
	got, err := HighestNumber(root, "incidents", "INC")
	if err != nil {
		t.Fatal(err)
	}
	if got.Max != 21 {
		t.Errorf("HighestNumber = %d, want 21 (from the commit, under itsm/ only)", got.Max)
	}
}

func TestHighestNumberNoGit(t *testing.T) {
	root := t.TempDir()
	if err := CreateFile(filepath.Join(root, "incidents", "INC-000002.yaml"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	got, err := HighestNumber(root, "incidents", "INC")
	if err != nil || got.Max != 2 {
		t.Errorf("HighestNumber = %d, %v; want 2, nil", got.Max, err)
	}
}

func TestAuthor(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	noGit := t.TempDir()
	withGit := t.TempDir()
	f := newFixture(t, withGit)
	cfg, err := f.repo.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.User.Name, cfg.User.Email = "Grace Hopper", "grace@example.com"
	if err := f.repo.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		root    string
		env     map[string]string
		global  string
		want    string
		wantErr bool
	}{
		{name: "environment", root: withGit, env: map[string]string{"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com"}, want: "Ada <ada@example.com>"},
		{name: "repository config", root: withGit, want: "Grace Hopper <grace@example.com>"},
		{name: "global config", root: noGit, global: "[user]\n\tname = Linus\n\temail = linus@example.com\n", want: "Linus <linus@example.com>"},
		{name: "name only", root: noGit, env: map[string]string{"GIT_AUTHOR_NAME": "Ada"}, want: "Ada"},
		{name: "login name", root: noGit, env: map[string]string{"USER": "ada"}, want: "ada"},
		{name: "nobody", root: noGit, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gc := filepath.Join(home, ".gitconfig")
			os.Remove(gc)
			if tt.global != "" {
				if err := os.WriteFile(gc, []byte(tt.global), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Author(tt.root, func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Author() = %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

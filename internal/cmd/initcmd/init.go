// Package initcmd is the `gitsm init` command: it scaffolds a records repository — the kind
// folders, a commented .gitsm/config.yaml, a starter .gitsm/policy.yaml and the GitHub
// workflows that validate pull requests, gate change approval and record the evidence.
package initcmd

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"text/template"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/authoring"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/record"
)

//go:embed templates
var templates embed.FS

// Options are the parsed flags and arguments of `gitsm init`.
type Options struct {
	Factory *command.Factory
	Dir     string // where to create the records repository; the working directory when empty
	Force   bool   // overwrite existing files
	// GitsmVersion is the version of gitsm the workflows install; the running version when it
	// is a release, else latest.
	GitsmVersion string
}

// NewCmdInit builds the command; runF replaces the run function in tests.
func NewCmdInit(f *command.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a records repository: folders, settings, policy and workflows",
		Long: `Create a records repository in DIR (default: the current folder):

  incidents/ problems/ changes/ cis/ slas/ calendars/   one folder per kind
  .gitsm/config.yaml      the settings, every one explained in a comment
  .gitsm/policy.yaml      a starter change approval policy (replace its placeholder logins)
  .github/workflows/      gitsm-validate.yml     validate every pull request, annotate errors
                          gitsm-approval.yml     the change approval gate (gitsm/approval)
                          gitsm-approval-trigger.yml  re-runs the gate after a review
                          gitsm-approval-record.yml   record approval evidence on merge

The workflows pin every action by commit SHA and install this gitsm's own version (from the
Go module proxy); a development build has none, so pass --gitsm-version to pin one, or the
workflows install the latest release.

When DIR is not inside a git repository, gitsm also initializes one (branch main). When DIR is
a folder inside a git repository, the workflows go to that repository's .github/workflows and
run in DIR.

Existing files are never overwritten unless --force; nothing is written when one is in the way.`,
		Example: `  gitsm init records
  gitsm init --force                       # rewrite the settings, policy and workflows
  gitsm init --gitsm-version v1.2.0        # pin the gitsm the workflows install`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite existing settings, policy and workflow files")
	cmd.Flags().StringVar(&opts.GitsmVersion, "gitsm-version", "", "the gitsm `VERSION` the workflows install (default: this binary's release version, else latest)")
	return cmd
}

// file is one file init writes: its absolute path and content.
type file struct {
	path    string
	content []byte
}

var release = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)

// installVersion is the gitsm version the workflows install: the running binary's own release
// (set at build time, or the module version `go install …@vX.Y.Z` records in the binary), else
// latest.
func installVersion(version string, buildInfo func() (*debug.BuildInfo, bool)) string {
	if release.MatchString(version) {
		return version
	}
	if bi, ok := buildInfo(); ok && bi.Main.Path == "github.com/gitsm/gitsm" && release.MatchString(bi.Main.Version) && !strings.Contains(bi.Main.Version, "+") {
		return bi.Main.Version
	}
	return "latest"
}

// Run runs `gitsm init`.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	dir := f.BaseDir()
	if opts.Dir != "" {
		dir = opts.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(f.BaseDir(), dir)
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// Paths in the output are relative to the -C folder, as with git -C (the working directory
	// without -C).
	base, err := filepath.Abs(f.BaseDir())
	if err != nil {
		return err
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return command.UsageErrorf("%s is not a folder", dir)
	}
	// Nothing can be in the way in a folder that does not exist yet, so creating it before
	// the checks below writes nothing that matters.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	version := opts.GitsmVersion
	if version == "" {
		version = installVersion(f.Version, debug.ReadBuildInfo)
		if version == "latest" && !f.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "gitsm: this is a development build (%s): the workflows install gitsm@latest; pin a release with --gitsm-version vX.Y.Z\n", f.Version)
		}
	}
	vars := struct{ Version, Branch, WorkDir string }{Version: version, Branch: "main", WorkDir: "."}
	gitTop, needInit := dir, false
	switch repo, err := gitrepo.Open(dir); {
	case errors.Is(err, gitrepo.ErrNotGit):
		needInit = true
	case err != nil:
		return err
	default:
		if wt, err := repo.Git.Worktree(); err == nil {
			gitTop = wt.Filesystem.Root()
		}
		if repo.Prefix != "" {
			vars.WorkDir = repo.Prefix
		}
		if head, err := repo.Git.Storer.Reference(plumbing.HEAD); err == nil && head.Type() == plumbing.SymbolicReference && head.Target().IsBranch() {
			vars.Branch = head.Target().Short()
		}
	}

	files, err := plan(dir, gitTop, vars)
	if err != nil {
		return err
	}
	var inTheWay []string
	for _, fl := range files {
		if _, err := os.Lstat(fl.path); err == nil {
			inTheWay = append(inTheWay, show(base, fl.path))
		}
	}
	if len(inTheWay) > 0 && !opts.Force {
		return &command.CheckFailedError{Msg: fmt.Sprintf("refusing to overwrite %s; nothing written (pass --force to overwrite)",
			strings.Join(inTheWay, ", "))}
	}

	out := f.IO.Out
	if needInit {
		_, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
			InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(vars.Branch)},
		})
		if err != nil {
			return fmt.Errorf("git init %s: %w", dir, err)
		}
		fmt.Fprintf(out, "initialized an empty git repository in %s (branch %s)\n", show(base, dir), vars.Branch)
	}
	for _, k := range record.Kinds {
		folder := filepath.Join(dir, k.Folder)
		entries, err := os.ReadDir(folder)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return err
		case len(entries) > 0:
			continue
		}
		// git keeps no empty folders: a .gitkeep makes the folder part of the first commit.
		if err := authoring.CreateFile(filepath.Join(folder, ".gitkeep"), nil); err != nil && !authoring.IsExist(err) {
			return err
		}
		fmt.Fprintf(out, "created %s/\n", show(base, folder))
	}
	for _, fl := range files {
		verb := "created"
		err := authoring.CreateFile(fl.path, fl.content)
		if authoring.IsExist(err) {
			verb, err = "overwrote", authoring.WriteFile(fl.path, fl.content)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", show(base, fl.path), err)
		}
		fmt.Fprintf(out, "%s %s\n", verb, show(base, fl.path))
	}
	if !f.Quiet {
		// The cd hint is for the user's shell, which is in the working directory even with -C.
		cd := ""
		if rel := show(f.WorkDir, dir); rel != "." {
			cd = fmt.Sprintf("  cd %s\n", rel)
		}
		fmt.Fprintf(f.IO.ErrOut, `
Next steps:
%s  1. Replace the placeholder logins and team in .gitsm/policy.yaml with your CAB and admins.
  2. Add the configuration items your changes and incidents name:
       gitsm new ci --id checkout-api --title "Checkout API" --set class=api --set owner=cab --set environment=production
  3. Open an incident or a change:
       gitsm new incident --title "Checkout returns 502" --set impact=1 --set urgency=1
       gitsm new change --title "Upgrade the orders database" --set cis=checkout-api --set assignment_group=cab
  4. Commit, push, and make "gitsm validate" and "gitsm/approval" required status checks of %s;
     then "gitsm approval verify-setup" says what else the gate needs (docs/approval.md, Hardened setup).
`, cd, vars.Branch)
	}
	return nil
}

// plan renders every file init writes.
func plan(dir, gitTop string, vars any) ([]file, error) {
	funcs := template.FuncMap{"yq": func(s string) string {
		b, _ := json.Marshal(s) // a JSON string is a YAML double-quoted scalar
		return string(b)
	}}
	render := func(name string) ([]byte, error) {
		src, err := fs.ReadFile(templates, "templates/"+name)
		if err != nil {
			return nil, err
		}
		t, err := template.New(name).Delims("[[", "]]").Funcs(funcs).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, vars); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	var out []file
	for _, t := range []struct{ name, path string }{
		{"config.yaml", filepath.Join(dir, ".gitsm", "config.yaml")},
		{"policy.yaml", filepath.Join(dir, ".gitsm", "policy.yaml")},
		{"gitsm-validate.yml", filepath.Join(gitTop, ".github", "workflows", "gitsm-validate.yml")},
		{"gitsm-approval.yml", filepath.Join(gitTop, ".github", "workflows", "gitsm-approval.yml")},
		{"gitsm-approval-trigger.yml", filepath.Join(gitTop, ".github", "workflows", "gitsm-approval-trigger.yml")},
		{"gitsm-approval-record.yml", filepath.Join(gitTop, ".github", "workflows", "gitsm-approval-record.yml")},
	} {
		content, err := render(t.name)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", t.name, err)
		}
		out = append(out, file{path: t.path, content: content})
	}
	return out, nil
}

// show returns p relative to base (the -C folder or the working directory) when it lies below
// it, else p.
func show(base, p string) string {
	if rel, err := filepath.Rel(base, p); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	} else if err == nil && rel == "." {
		return "."
	}
	return p
}

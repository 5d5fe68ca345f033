package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/iostreams"
)

// nestedRepo makes a git repository whose records repository is the subfolder ops/records, as
// `gitsm init ops/records` leaves it, commits its records, then deletes one (a `deleted`
// finding with --base HEAD) and adds a file whose name has a space and a title with emoji.
func nestedRepo(t *testing.T) (top string) {
	t.Helper()
	top = t.TempDir()
	r, err := git.PlainInit(top, false)
	if err != nil {
		t.Fatal(err)
	}
	ci := func(id, extra string) string {
		return "apiVersion: gitsm/v1\nkind: CI\nid: " + id + "\ntitle: " + id + "\nclass: application\nowner: team-web\n" +
			"environment: production\nlifecycle: production\n" + extra
	}
	files := map[string]string{
		"README.md":                       "the rest of the repository\n",
		"ops/records/.gitsm/config.yaml":  "",
		"ops/records/cis/web.yaml":        ci("web", "depends_on: [db]\n"),
		"ops/records/cis/old.yaml":        ci("old", ""),
		"ops/records/cis/api.yaml":        ci("api", ""),
		"ops/records/incidents/.gitkeep":  "",
		"ops/records/changes/.gitkeep":    "",
		"ops/records/problems/.gitkeep":   "",
		"ops/records/slas/.gitkeep":       "",
		"ops/records/calendars/.gitkeep":  "",
		"ops/records/.github/placeholder": "",
	}
	for p, content := range files {
		write(t, filepath.Join(top, p), content)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddGlob("."); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "T", Email: "t@example.com", When: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := wt.Commit("records", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(top, "ops/records/cis/old.yaml")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(top, "ops/records/cis/db 1.yaml"), ci("db-1", ""))
	write(t, filepath.Join(top, "ops/records/cis/api.yaml"), "{title: \"😀😀\", apiVersion: gitsm/v1, kind: Bogus, id: api}\n")
	return top
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runValidate(t *testing.T, top, format string, opts Options) string {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	f := &command.Factory{IO: ios, WorkDir: top, RepoFlag: "ops/records", Format: format, Quiet: true,
		Getenv: func(string) string { return "" }, Now: time.Now, Version: "test"}
	opts.Factory = f
	if err := Run(context.Background(), &opts); !errors.Is(err, command.ErrCheckFailed) {
		t.Fatalf("validate --format %s: got %v, want the check to fail", format, err)
	}
	return out.String()
}

// TestSARIFNestedRepository checks real SARIF output from a nested records repository against
// the OASIS SARIF 2.1.0 schema, and that its locations are what GitHub needs: URIs from the
// git root, percent-encoded; UTF-16 columns; a region on every result, deleted ones included.
func TestSARIFNestedRepository(t *testing.T) {
	top := nestedRepo(t)
	out := runValidate(t, top, "sarif", Options{Base: "HEAD", All: true})

	data, err := os.ReadFile(filepath.Join("..", "..", "output", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	if err := c.AddResource(id, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	sch := c.MustCompile(id)
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("not SARIF 2.1.0: %v", err)
	}

	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	type loc struct {
		Rule, URI    string
		Line, Column int
	}
	var got []loc
	for _, r := range log.Runs[0].Results {
		pl := r.Locations[0].PhysicalLocation
		if pl.Region == nil {
			t.Errorf("%s on %s: no region", r.RuleID, pl.ArtifactLocation.URI)
			continue
		}
		got = append(got, loc{r.RuleID, pl.ArtifactLocation.URI, pl.Region.StartLine, pl.Region.StartColumn})
	}
	want := []loc{
		// {title: "😀😀", apiVersion: gitsm/v1, kind: Bogus …}: code point 43, UTF-16 unit 45.
		{"kind", "ops/records/cis/api.yaml", 1, 45},
		{"id.mismatch", "ops/records/cis/db%201.yaml", 3, 5},
		{"deleted", "ops/records/cis/old.yaml", 1, 0},
		{"ref.missing", "ops/records/cis/web.yaml", 9, 14},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
}

func TestGitHubNestedRepository(t *testing.T) {
	top := nestedRepo(t)
	out := runValidate(t, top, "github", Options{})
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(line, " file=ops/records/cis/") {
			t.Errorf("annotation not relative to the git root: %s", line)
		}
	}
	if !strings.Contains(out, "file=ops/records/cis/web.yaml,line=9,col=14,title=ref.missing::") {
		t.Errorf("no ref.missing annotation on ops/records/cis/web.yaml:\n%s", out)
	}
}

package importcmd_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitsm/gitsm/internal/cli"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/iostreams"
)

var excerpt, _ = filepath.Abs("../../servicenow/testdata/excerpt.csv")

// run runs gitsm in dir and returns the exit code, stdout and stderr.
func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &command.Factory{IO: ios, WorkDir: dir, Version: "test",
		Getenv: func(k string) string {
			return map[string]string{"GIT_AUTHOR_NAME": "Ada Importer", "GIT_AUTHOR_EMAIL": "ada@example.com"}[k]
		},
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) },
	}
	code := cli.Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func head(t *testing.T, dir string) *object.Commit {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func clean(t *testing.T, dir string) {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	st, err := wt.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !st.IsClean() {
		t.Errorf("the work tree is not clean after the import:\n%s", st)
	}
}

func TestImportAgainAndNewer(t *testing.T) {
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "records")
	code, out, errOut := run(t, tmp, "import", "servicenow", excerpt, "--into", "records")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"read 144 rows of excerpt.csv (dates without a zone taken as UTC)", "19 incidents, 1 CIs",
		"2  incident_state \"-100\" is not a state", "wrote 21 records (21 added, 0 updated)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	first := head(t, repo)
	if first.Author.Name != "Ada Importer" || !strings.HasPrefix(first.Message, "Import 19 incidents from ServiceNow (excerpt.csv)") {
		t.Errorf("got commit by %s: %q", first.Author.Name, first.Message)
	}
	clean(t, repo)
	if code, out, errOut := run(t, repo, "validate"); code != 0 {
		t.Fatalf("validate: exit %d\n%s%s", code, out, errOut)
	}

	// The same export again: nothing changes, no commit.
	code, out, _ = run(t, tmp, "import", "servicenow", excerpt, "--into", "records")
	if code != 0 || !strings.Contains(out, "nothing changed") {
		t.Errorf("second import: exit %d\n%s", code, out)
	}
	if again := head(t, repo); again.Hash != first.Hash {
		t.Errorf("got a new commit %s after importing the same export", again.Hash)
	}

	// A newer export: INC0029233 was worked on; only its record changes, in a new commit.
	data, err := os.ReadFile(excerpt)
	if err != nil {
		t.Fatal(err)
	}
	var newer []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "INC0029233,New,") {
			l = strings.Replace(l, "INC0029233,New,true,0,0,0,", "INC0029233,Active,true,0,0,1,", 1)
			l = strings.Replace(l, ",Updated by ", ",Updated by 99", 1)
			newer = append(newer, l)
		}
	}
	if len(newer) != 1 {
		t.Fatalf("got %d rows of INC0029233, want 1", len(newer))
	}
	newFile := filepath.Join(tmp, "newer.csv")
	if err := os.WriteFile(newFile, []byte(string(data)+strings.Join(newer, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, tmp, "import", "servicenow", newFile, "--into", "records")
	if code != 0 || !strings.Contains(out, "wrote 1 records (0 added, 1 updated)") {
		t.Fatalf("newer import: exit %d\n%s%s", code, out, errOut)
	}
	second := head(t, repo)
	if len(second.ParentHashes) != 1 || second.ParentHashes[0] != first.Hash {
		t.Errorf("the update's parents are %v, want %s", second.ParentHashes, first.Hash)
	}
	stats, err := second.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Name != "incidents/2016/05/INC-0029233.yaml" {
		t.Errorf("the update changes %v, want only incidents/2016/05/INC-0029233.yaml", stats)
	}
	clean(t, repo)
	if code, out, errOut := run(t, repo, "validate"); code != 0 {
		t.Fatalf("validate after the update: exit %d\n%s%s", code, out, errOut)
	}
}

func TestImportIntoExistingRepository(t *testing.T) {
	repo := t.TempDir()
	if _, err := git.PlainInit(repo, false); err != nil {
		t.Fatal(err)
	}
	cfg := "# ours\nprefixes: {incident: INC}\n"
	if err := os.MkdirAll(filepath.Join(repo, ".gitsm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, ".gitsm", "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, repo, "import", "servicenow", excerpt, "--format", "json")
	if code != 0 || !strings.Contains(out, `"records_added": 21`) {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	got, err := os.ReadFile(filepath.Join(repo, ".gitsm", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), cfg) || !strings.Contains(string(got), "  - [P3, P4, P4]\n") {
		t.Errorf("the config should keep its lines and gain the four-level matrix:\n%s", got)
	}
	if code, out, errOut := run(t, repo, "validate"); code != 0 {
		t.Fatalf("validate: exit %d\n%s%s", code, out, errOut)
	}
}

func TestImportCannotRun(t *testing.T) {
	tmp := t.TempDir()
	other := filepath.Join(tmp, "other.csv")
	if err := os.WriteFile(other, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no such file", []string{"import", "servicenow", "nope.csv"}, "open the export"},
		{"bad zone", []string{"import", "servicenow", excerpt, "--timezone", "Mars/Olympus"}, "--timezone Mars/Olympus"},
		{"bad author", []string{"import", "servicenow", excerpt, "--author", "nobody"}, "--author"},
		{"no source", []string{"import"}, "name the source"},
		{"not an export", []string{"import", "servicenow", other, "--into", "repo"}, "not a ServiceNow incident export: no column number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tmp, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("got exit %d, want 2 with %q:\n%s", code, tt.want, errOut)
			}
		})
	}
}

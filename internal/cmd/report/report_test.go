package report

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/iostreams"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// asOf is after the last incident event in examples/ (22 November 2026), while INC-000030's
// business-hours clock is at risk, so that the golden reports hold met, breached, at-risk and
// running clocks alike.
const asOf = "2026-11-27T09:00:00Z"

func TestNewCmdReportFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr bool
	}{
		{[]string{}, Options{}, false},
		{[]string{"all"}, Options{}, false},
		{[]string{"sla", "--as-of", "2026-07-01"}, Options{Sections: []string{"sla"}, AsOf: "2026-07-01"}, false},
		{[]string{"incidents", "--since", "2026-01-01", "--until", "2026-03-31", "-o", "r.html"},
			Options{Sections: []string{"incidents"}, Since: "2026-01-01", Until: "2026-03-31", Output: "r.html"}, false},
		{[]string{"changes", "--table", "changes_by_type"}, Options{Sections: []string{"changes"}, Table: "changes_by_type"}, false},
		{[]string{"nonsense"}, Options{}, true},
		{[]string{"sla", "changes"}, Options{}, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdReport(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Factory"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// examples copies the project's examples/ (without the invalid samples) into a temp dir.
func examples(t *testing.T) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(self), "..", "..", "..", "examples")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "invalid" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// run runs gitsm report in dir and returns stdout.
func run(t *testing.T, dir, format string, opts Options) (string, error) {
	t.Helper()
	io, _, out, _ := iostreams.Test()
	f := &command.Factory{IO: io, WorkDir: dir, Format: format, Version: "test", Quiet: true,
		Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }}
	opts.Factory = f
	err := Run(context.Background(), &opts)
	return out.String(), err
}

// TestGolden is `gitsm report all -C examples --as-of 2026-11-27T09:00:00Z` in every format.
// `go test ./internal/cmd/report -run TestGolden -update` rewrites testdata/report.*.
func TestGolden(t *testing.T) {
	dir := examples(t)
	for format, ext := range map[string]string{"text": "txt", "markdown": "md", "json": "json", "csv": "csv", "html": "html"} {
		t.Run(format, func(t *testing.T) {
			got, err := run(t, dir, format, Options{AsOf: asOf})
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "report."+ext)
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", format, golden, diff)
			}
		})
	}
}

func TestOutputFileAndErrors(t *testing.T) {
	dir := examples(t)
	if _, err := run(t, dir, "html", Options{AsOf: asOf, Output: "out/r.html"}); err == nil {
		t.Errorf("writing into a missing folder succeeded")
	}
	out, err := run(t, dir, "json", Options{AsOf: asOf, Sections: []string{"incidents"}, Output: "r.json"})
	if err != nil || out != "" {
		t.Fatalf("got %q, %v; want nothing on stdout", out, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil || !bytes.Contains(b, []byte(`"by_priority"`)) {
		t.Errorf("r.json: got %.80q, %v; want by_priority at the top", b, err)
	}
	// Writing again replaces the file.
	if _, err := run(t, dir, "json", Options{AsOf: asOf, Sections: []string{"sla"}, Output: "r.json"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "r.json")); !bytes.Contains(b, []byte(`"by_sla"`)) || bytes.Contains(b, []byte(`"backlog_aging"`)) {
		t.Errorf("r.json does not hold the sla report alone")
	}
	usage := []Options{
		{AsOf: "yesterday"},
		{Since: "2026-03-01", Until: "2026-02-01"},
		{Table: "changes_by_type"}, // needs --format csv
	}
	for _, o := range usage {
		var ue *command.UsageError
		if _, err := run(t, dir, "", o); !errorsAs(err, &ue) {
			t.Errorf("%+v: got %v, want a usage error", o, err)
		}
	}
	// --until with a date includes that day; --since excludes what came before.
	out, err = run(t, dir, "json", Options{AsOf: asOf, Sections: []string{"incidents"}, Since: "2026-06-13", Until: "2026-06-13"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"count": 1,`) {
		t.Errorf("one day's incidents: got %s", out)
	}
}

func errorsAs(err error, target **command.UsageError) bool { return errors.As(err, target) }

package servicenow

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/finding"
)

const excerpt = "testdata/excerpt.csv"

func settings() Settings {
	return Settings{Prefix: "INC", Priority: func(i, u int) string { return Matrix[i-1][u-1] }}
}

func readFiles(t *testing.T, data []byte) ([]File, Stats) {
	t.Helper()
	e, err := Read(bytes.NewReader(data), time.UTC, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := e.Records(settings())
	return files, e.Stats
}

func TestExcerpt(t *testing.T) {
	data, err := os.ReadFile(excerpt)
	if err != nil {
		t.Fatal(err)
	}
	files, st := readFiles(t, data)
	if st.Rows != 144 || st.Incidents != 19 || st.CIs != 1 {
		t.Errorf("got %d rows, %d incidents, %d CIs; want 144, 19, 1", st.Rows, st.Incidents, st.CIs)
	}
	if diff := cmp.Diff(map[string]int{`incident_state "-100" is not a state`: 2}, st.Skipped); diff != "" {
		t.Errorf("skipped rows (-want +got):\n%s", diff)
	}

	type want struct {
		state, priority, resolvedAt, closedAt string
		states                                []string
	}
	tests := map[string]want{
		// Resolved at 08:53, updated at 11:29 still Resolved (resolved_at), closed on 5 March.
		"INC-0000045": {"closed", "P3", "2016-02-29T11:29:00Z", "2016-03-05T12:00:00Z", []string{"new", "resolved", "closed"}},
		// -100 rows are skipped; Resolved at 12:03 and 13:02, resolved_at 13:02.
		"INC-0028089": {"closed", "P3", "2016-06-16T13:02:00Z", "2016-06-21T13:07:00Z", []string{"new", "resolved", "closed"}},
		// Closed, then reopened in ServiceNow: the first closing becomes a resolution.
		"INC-0001894": {"closed", "P3", "2016-05-16T07:51:00Z", "2016-05-21T08:07:00Z", []string{"new", "in_progress", "resolved", "in_progress", "resolved", "closed"}},
		// Resolved, then Awaiting User Info: a reopening is added.
		"INC-0004721": {"closed", "P3", "2016-03-22T08:01:00Z", "2016-03-27T08:59:00Z", []string{"new", "resolved", "in_progress", "on_hold", "resolved", "closed"}},
		// Still New in the export.
		"INC-0029233": {"new", "P3", "", "", []string{"new"}},
	}
	got := map[string]want{}
	for _, f := range files {
		var rec struct {
			ID         string `yaml:"id"`
			State      string `yaml:"state"`
			Priority   string `yaml:"priority"`
			ResolvedAt string `yaml:"resolved_at"`
			ClosedAt   string `yaml:"closed_at"`
			Timeline   []struct {
				State string `yaml:"state"`
			} `yaml:"timeline"`
		}
		if err := yaml.Unmarshal(f.Data, &rec); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if _, ok := tests[rec.ID]; !ok {
			continue
		}
		w := want{state: rec.State, priority: rec.Priority, resolvedAt: rec.ResolvedAt, closedAt: rec.ClosedAt}
		for _, e := range rec.Timeline {
			w.states = append(w.states, e.State)
		}
		got[rec.ID] = w
	}
	if diff := cmp.Diff(tests, got, cmp.AllowUnexported(want{})); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}

	// Every record, in a repository with the settings the import writes, validates.
	dir := t.TempDir()
	cfg := "prefixes: {incident: INC}\nid_digits: 7\npriority_matrix:\n  - [P1, P2, P3]\n  - [P2, P3, P4]\n  - [P3, P4, P4]\n"
	write(t, dir, ".gitsm/config.yaml", []byte(cfg))
	for _, f := range files {
		write(t, dir, f.Path, f.Data)
	}
	e, err := check.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background(), nil, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 20 {
		t.Errorf("got %d records checked, want 20", res.Records)
	}
	for _, f := range res.Findings {
		if f.Severity == finding.Error {
			t.Errorf("%s:%d: %s [%s]", f.Path, f.Line, f.Message, f.Rule)
		}
	}
}

func write(t *testing.T, dir, p string, data []byte) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRowOrder: the rows of an incident need not be together nor in order.
func TestRowOrder(t *testing.T) {
	data, err := os.ReadFile(excerpt)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := readFiles(t, data)
	lines := strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
	header, rows := lines[0], lines[1:]
	var shuffled strings.Builder
	shuffled.WriteString(header)
	// Every seventh row first, then the rest backwards.
	for i := 0; i < len(rows); i += 7 {
		shuffled.WriteString(strings.TrimSuffix(rows[i], "\n") + "\n")
	}
	for i := len(rows) - 1; i >= 0; i-- {
		if i%7 != 0 {
			shuffled.WriteString(strings.TrimSuffix(rows[i], "\n") + "\n")
		}
	}
	got, _ := readFiles(t, []byte(shuffled.String()))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records from shuffled rows differ (-sorted +shuffled):\n%s", diff)
	}
}

func TestOpen(t *testing.T) {
	data, err := os.ReadFile(excerpt)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	var zb bytes.Buffer
	zf := zip.NewWriter(&zb)
	w, _ := zf.Create("export/incident_event_log.csv")
	w.Write(data)
	zf.Close()
	write(t, dir, "x.csv.gz", gz.Bytes())
	write(t, dir, "x.zip", zb.Bytes())
	tests := []struct {
		name, file string
		stdin      []byte
	}{
		{"csv", excerpt, nil},
		{"gzip", filepath.Join(dir, "x.csv.gz"), nil},
		{"zip", filepath.Join(dir, "x.zip"), nil},
		{"stdin", "-", data},
		{"stdin gzip", "-", gz.Bytes()},
		{"stdin zip", "-", zb.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := Open(tt.file, bytes.NewReader(tt.stdin))
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			e, err := Read(rc, time.UTC, nil)
			if err != nil {
				t.Fatal(err)
			}
			if e.Stats.Rows != 144 {
				t.Errorf("got %d rows, want 144", e.Stats.Rows)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, csv string
		wantErr   bool
		skipped   map[string]int
	}{
		{"not an export", "a,b\n1,2\n", true, nil},
		{"empty", "", true, nil},
		{"bad rows", "number,incident_state,sys_mod_count,sys_updated_at,opened_at,impact,urgency\n" +
			"INC1,New,0,1/1/2016 10:00,1/1/2016 10:00,2 - Medium,2 - Medium\n" +
			"INC1,Active,x,1/1/2016 11:00,1/1/2016 10:00,2 - Medium,2 - Medium\n" +
			"INC1,Active,1,yesterday,1/1/2016 10:00,2 - Medium,2 - Medium\n" +
			"?,Active,1,1/1/2016 11:00,1/1/2016 10:00,2 - Medium,2 - Medium\n" +
			"INC1,Active,1\n" +
			"INC2,New,0,1/1/2016 10:00,?,2 - Medium,2 - Medium\n",
			false, map[string]int{"sys_mod_count is not a number": 1, "sys_updated_at is not a date": 1, "no number": 1,
				"3 fields instead of 7": 1, "incident left out: no opened_at": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Read(strings.NewReader(tt.csv), time.UTC, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			e.Records(settings())
			if diff := cmp.Diff(tt.skipped, e.Stats.Skipped); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTimezone(t *testing.T) {
	csv := "number,incident_state,sys_mod_count,sys_updated_at,opened_at,impact,urgency\n" +
		"INC7,New,0,15/3/2016 10:00,15/3/2016 10:00,2 - Medium,2 - Medium\n"
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	e, err := Read(strings.NewReader(csv), berlin, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := e.Records(settings())
	if len(files) != 1 || !strings.Contains(string(files[0].Data), "opened_at: 2016-03-15T10:00:00+01:00\n") {
		t.Errorf("got %q, want opened_at 2016-03-15T10:00:00+01:00", files)
	}
}

package authoring

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/yamledit"
)

func TestParseAssignment(t *testing.T) {
	tests := []struct {
		arg     string
		want    Assignment
		wantErr bool
	}{
		{arg: "impact=2", want: Assignment{Path: []string{"impact"}, Raw: "2"}},
		{arg: "resolution.code=solved", want: Assignment{Path: []string{"resolution", "code"}, Raw: "solved"}},
		{arg: "note=a=b", want: Assignment{Path: []string{"note"}, Raw: "a=b"}},
		{arg: "assignee=", want: Assignment{Path: []string{"assignee"}, Clear: true}},
		{arg: "cis+=a,b", want: Assignment{Path: []string{"cis"}, Raw: "a,b", Append: true}},
		{arg: "cis-=a", want: Assignment{Path: []string{"cis"}, Raw: "a", Remove: true}},
		{arg: "x-ticket=T-1", want: Assignment{Path: []string{"x-ticket"}, Raw: "T-1"}},
		{arg: "impact", wantErr: true},
		{arg: "=2", wantErr: true},
		{arg: "a..b=2", wantErr: true},
		{arg: "../x=2", wantErr: true},
		{arg: "cis+=", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ParseAssignment(tt.arg)
			if tt.wantErr {
				var ue *command.UsageError
				if !errors.As(err, &ue) {
					t.Fatalf("ParseAssignment(%q) error = %v, want a usage error", tt.arg, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAssignment(%q): %v", tt.arg, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAssignment(%q) mismatch (-want +got):\n%s", tt.arg, diff)
			}
		})
	}
}

func TestParseAssignmentsTwice(t *testing.T) {
	if _, err := ParseAssignments([]string{"impact=1", "impact=2"}); err == nil {
		t.Error("ParseAssignments accepted a field given twice")
	}
	if _, err := ParseAssignments([]string{"cis+=a", "cis-=b"}); err != nil {
		t.Errorf("ParseAssignments refused two list edits: %v", err)
	}
}

func TestShapeParse(t *testing.T) {
	cfg := config.Default()
	cfg.CustomFields = map[string]map[string]any{
		"incident": {"customer_tier": map[string]any{"type": "string", "enum": []any{"gold", "silver"}}},
	}
	fields, err := LoadFields(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		kind    record.Kind
		path    []string
		raw     string
		want    any
		wantErr bool
	}{
		{"integer", record.Incident, []string{"impact"}, "2", int64(2), false},
		{"integer refused", record.Incident, []string{"impact"}, "high", nil, true},
		{"boolean", record.Incident, []string{"major"}, "true", true, false},
		{"YAML 1.1 boolean refused", record.Incident, []string{"major"}, "yes", nil, true},
		{"list", record.Incident, []string{"cis"}, "a, b,,c", []any{"a", "b", "c"}, false},
		{"enum", record.Change, []string{"risk"}, "high", "high", false},
		{"enum refused", record.Change, []string{"risk"}, "extreme", nil, true},
		{"nested", record.Incident, []string{"resolution", "code"}, "solved_permanently", "solved_permanently", false},
		{"mapping refused", record.Incident, []string{"resolution"}, "fixed", nil, true},
		{"timestamp stays text", record.Change, []string{"planned_start"}, "2026-03-10T22:00:00Z", "2026-03-10T22:00:00Z", false},
		{"x- field is text", record.Incident, []string{"x-count"}, "12", "12", false},
		{"free map is text", record.CI, []string{"attributes", "rack"}, "7", "7", false},
		{"number list", record.SLA, []string{"warn_at"}, "50,75.5", []any{int64(50), 75.5}, false},
		{"list of mappings", record.SLA, []string{"goals"}, "P1:4h,P2:1d", []any{
			[]yamledit.KV{{Key: "priority", Value: "P1"}, {Key: "duration", Value: "4h"}},
			[]yamledit.KV{{Key: "priority", Value: "P2"}, {Key: "duration", Value: "1d"}},
		}, false},
		{"list of mappings refused", record.SLA, []string{"goals"}, "P1", nil, true},
		{"custom field", record.Incident, []string{"customer_tier"}, "gold", "gold", false},
		{"custom field enum", record.Incident, []string{"customer_tier"}, "bronze", nil, true},
		{"criticality", record.CI, []string{"criticality"}, "4", int64(4), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shape, err := fields.Lookup(tt.kind, tt.path)
			if err != nil {
				t.Fatalf("Lookup(%v): %v", tt.path, err)
			}
			got, err := shape.Parse(tt.raw)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse(%q) error = %v, wantErr %v", tt.raw, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	fields, err := LoadFields(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range [][]string{{"colour"}, {"resolution", "why"}, {"impact", "x"}} {
		if _, err := fields.Lookup(record.Incident, path); err == nil {
			t.Errorf("Lookup(%v) = nil error, want one", path)
		}
	}
	order := fields.Kind(record.Incident).Order
	if diff := cmp.Diff([]string{"apiVersion", "kind", "id", "title"}, order[:4]); diff != "" {
		t.Errorf("incident field order mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "INC-000001.yaml")
	if err := os.WriteFile(p, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "new\n" {
		t.Errorf("content = %q, want %q", got, "new\n")
	}
	info, _ := os.Stat(p)
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1 (no temporary file left)", len(entries))
	}

	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(p, link); err != nil {
		t.Skip("no symlinks here")
	}
	if err := WriteFile(link, []byte("through the link\n")); err == nil {
		t.Error("WriteFile wrote through a symlink")
	}
	if got, _ := os.ReadFile(p); string(got) != "new\n" {
		t.Errorf("the link's target changed to %q", got)
	}
	if err := WriteFile(filepath.Join(dir, "missing.yaml"), []byte("x")); err == nil {
		t.Error("WriteFile created a file that did not exist")
	}
}

func TestCreateFileExclusive(t *testing.T) {
	p := filepath.Join(t.TempDir(), "incidents", "2026", "INC-000001.yaml")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = CreateFile(p, []byte("x\n"))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !IsExist(err):
			t.Errorf("CreateFile: %v, want an exists error", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent CreateFile calls succeeded, want exactly 1", won, n)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"incidents/2026/INC-000001.yaml", "incidents/2025/INC-000002.yaml", "incidents/2026/INC-000002.yaml", "cis/web.yaml", "incidents/.hidden/INC-000003.yaml"} {
		if err := CreateFile(filepath.Join(root, p), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	prefixes := config.Default().Prefixes
	tests := []struct {
		id      string
		want    string
		wantErr error
	}{
		{"INC-000001", "incidents/2026/INC-000001.yaml", nil},
		{"web", "cis/web.yaml", nil},
		{"INC-000003", "", ErrNotFound},
		{"CHG-000001", "", ErrNotFound},
		{"INC-000002", "", nil}, // two files: an error, not "not found"
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, err := Find(root, tt.id, prefixes)
			if tt.want == "" {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("Find(%q) = %q, %v; want error %v", tt.id, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Find(%q) = %q, %v; want %q", tt.id, got, err, tt.want)
			}
		})
	}
	var ue *command.UsageError
	if _, err := Find(root, "../../etc/passwd", prefixes); !errors.As(err, &ue) {
		t.Errorf("Find(../../etc/passwd) error = %v, want a usage error", err)
	}
}

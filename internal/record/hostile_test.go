package record_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/benchgen"
	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// TestHostileInputs runs every FuzzParse seed through Analyze and checks what comes out: a
// record, or the rule and position of the first finding.
func TestHostileInputs(t *testing.T) {
	type want struct {
		record    bool
		rules     []string // the distinct rules of the findings, sorted
		line, col int      // of the first finding
	}
	tests := map[string]want{
		"valid":                  {record: true},
		"alias bomb":             {rules: []string{"yaml"}, line: 1, col: 5},
		"anchor and alias":       {rules: []string{"yaml"}, line: 3, col: 5},
		"10k nested flow lists":  {rules: []string{"yaml"}, line: 1, col: 1},
		"10k unclosed flow":      {rules: []string{"yaml"}, line: 1, col: 1},
		"10k nested flow maps":   {rules: []string{"yaml"}, line: 1, col: 261},
		"10k nested block lists": {rules: []string{"yaml"}, line: 1, col: 1},
		"deep block mappings":    {rules: []string{"yaml"}, line: 66, col: 66},
		"invalid UTF-8":          {rules: []string{"file"}, line: 4, col: 13},
		"truncated UTF-8":        {rules: []string{"file"}, line: 27, col: 9},
		"BOM":                    {record: true},
		"BOM twice":              {record: true},
		"CRLF":                   {record: true},
		"CR only":                {record: true},
		"NUL byte":               {rules: []string{"file"}, line: 4, col: 3},
		"binary":                 {rules: []string{"file"}, line: 1, col: 8},
		"two documents":          {rules: []string{"yaml"}, line: 27, col: 1},
		"document end":           {record: true},
		"empty":                  {rules: []string{"yaml"}, line: 1, col: 1},
		"document start only":    {rules: []string{"yaml"}, line: 1, col: 4},
		"document start and end": {rules: []string{"yaml"}, line: 2, col: 1},
		"only a comment":         {rules: []string{"yaml"}, line: 1, col: 1},
		"a list":                 {rules: []string{"yaml"}, line: 1, col: 1},
		"a scalar":               {rules: []string{"yaml"}, line: 1, col: 1},
		"duplicate keys":         {rules: []string{"yaml"}, line: 27, col: 1},
		"merge key":              {rules: []string{"yaml"}, line: 1, col: 7},
		"merge key inline":       {rules: []string{"yaml"}, line: 27, col: 1},
		"custom tag":             {rules: []string{"yaml"}, line: 27, col: 8},
		"local tag":              {rules: []string{"yaml"}, line: 27, col: 8},
		"binary tag":             {record: true},
		"non-string key":         {rules: []string{"yaml"}, line: 27, col: 1},
		"complex key":            {rules: []string{"yaml"}, line: 27, col: 3},
		"huge integer":           {record: true, rules: []string{"schema"}, line: 6, col: 9},
		"huge negative integer":  {record: true, rules: []string{"schema"}, line: 6, col: 9},
		"hex integer":            {record: true, rules: []string{"schema"}, line: 6, col: 9},
		"nan":                    {record: true, rules: []string{"schema"}, line: 6, col: 9},
		"infinity":               {record: true, rules: []string{"schema"}, line: 6, col: 9},
		"float":                  {record: true, rules: []string{"schema"}, line: 6, col: 9},
		"YAML 1.1 booleans":      {record: true, rules: []string{"schema"}, line: 27, col: 8},
		"timestamp no offset":    {record: true, rules: []string{"schema"}, line: 9, col: 12},
		"timestamp with space":   {record: true, rules: []string{"schema"}, line: 9, col: 12},
		"date only":              {record: true, rules: []string{"schema"}, line: 9, col: 12},
		"id path traversal":      {record: true, rules: []string{"id.mismatch", "schema"}, line: 3, col: 5},
		"id absolute path":       {record: true, rules: []string{"id.mismatch", "schema"}, line: 3, col: 5},
		"id with NUL escape":     {record: true, rules: []string{"id.mismatch", "schema"}, line: 3, col: 5},
		"kind unknown":           {rules: []string{"kind"}, line: 2, col: 7},
		"kind missing":           {rules: []string{"kind"}, line: 1, col: 1},
		"kind not a string":      {rules: []string{"kind"}, line: 2, col: 7},
		"apiVersion wrong":       {rules: []string{"kind"}, line: 1, col: 13},
		"tab indentation":        {rules: []string{"yaml"}, line: 4, col: 1},
		"unclosed quote":         {rules: []string{"yaml"}, line: 27, col: 1},
		"long line":              {record: true},
		"many keys":              {rules: []string{"yaml"}, line: 209, col: 1},
		"control characters":     {rules: []string{"yaml"}, line: 27, col: 6},
		"line separators":        {rules: []string{"yaml"}, line: 28, col: 1},
		"escape sequences":       {record: true},
		"directive":              {record: true},
	}
	seeds := hostile()
	if len(seeds) != len(tests) {
		t.Fatalf("got %d seeds and %d expectations, want one expectation per seed", len(seeds), len(tests))
	}
	e, err := check.NewWithConfig(t.TempDir(), config.Default())
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			src, ok := seeds[name]
			if !ok {
				t.Fatalf("no seed %q", name)
			}
			f, _ := e.Analyze("incidents/2026/INC-000001.yaml", []byte(src))
			got := want{record: f.Record != nil}
			for _, fd := range f.Findings {
				if !slices.Contains(got.rules, fd.Rule) {
					got.rules = append(got.rules, fd.Rule)
				}
			}
			slices.Sort(got.rules)
			if len(f.Findings) > 0 {
				got.line, got.col = f.Findings[0].Line, f.Findings[0].Column
			}
			if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got):\n%s\nfindings: %+v", diff, f.Findings)
			}
		})
	}
}

// writeRepo writes a small valid repository (generated) to a temp folder.
func writeRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := benchgen.Generate(dir, 20, 1); err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(t *testing.T, dir string, opts check.Options) *check.Result {
	t.Helper()
	e, err := check.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background(), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rulesByPath(fs []finding.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		out[f.Path] = append(out[f.Path], f.Rule)
	}
	return out
}

// TestHugeFile writes a 50 MB record and checks that it gets a `file` finding at once, without
// being read, and that every other file is still checked.
func TestHugeFile(t *testing.T) {
	dir := writeRepo(t)
	huge := filepath.Join(dir, "incidents", "2024", "01", "INC-999999.yaml")
	fh, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// The first kilobytes are a record; the rest is a sparse hole, so the test writes little
	// but the file is 50 MB to whoever reads it.
	if _, err := fh.WriteString(strings.Replace(validIncident, "INC-000001", "INC-999999", 1)); err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	broken := filepath.Join(dir, "incidents", "2024", "01", "INC-000002.yaml")
	if err := os.WriteFile(broken, []byte("apiVersion: gitsm/v1\nkind: Incident\nid: INC-000002\ntitle: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	res := run(t, dir, check.Options{})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v, want the huge file refused without reading it", d)
	}
	got := rulesByPath(res.Findings)
	want := map[string][]string{
		"incidents/2024/01/INC-999999.yaml": {"file"},
		"incidents/2024/01/INC-000002.yaml": {"yaml"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules by path (-want +got):\n%s", diff)
	}
	if want := benchgen.Count(20).Total() - 1; res.Records != want {
		t.Errorf("got %d records checked, want %d (every file but the two bad ones, one of which replaced a record)", res.Records, want)
	}
}

// TestReadFileRefusesBeforeReading checks ReadFile's size limit on a file it could not read
// in time if it tried: a sparse file of 1 TiB.
func TestReadFileRefusesBeforeReading(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.yaml")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(1 << 40); err != nil {
		fh.Close()
		t.Skipf("no sparse files here: %v", err)
	}
	fh.Close()
	src, f := record.ReadFile(dir, "big.yaml", 1<<20)
	if src != nil || f == nil || f.Rule != "file" {
		t.Fatalf("got %d bytes and finding %+v, want no content and a file finding", len(src), f)
	}
}

func TestSymlinks(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // makes the links
		want  map[string][]string
	}{
		{
			name: "record linked to /etc/passwd",
			setup: func(t *testing.T, dir string) {
				symlink(t, "/etc/passwd", filepath.Join(dir, "incidents", "INC-777777.yaml"))
			},
			want: map[string][]string{"incidents/INC-777777.yaml": {"file"}},
		},
		{
			name: "record linked to another record",
			setup: func(t *testing.T, dir string) {
				symlink(t, "2024/01/INC-000001.yaml", filepath.Join(dir, "incidents", "INC-000001.yaml"))
			},
			want: map[string][]string{"incidents/INC-000001.yaml": {"file"}},
		},
		{
			name: "folder linked outside the repository",
			setup: func(t *testing.T, dir string) {
				outside := t.TempDir()
				if err := os.WriteFile(filepath.Join(outside, "INC-888888.yaml"), []byte(validIncident), 0o644); err != nil {
					t.Fatal(err)
				}
				symlink(t, outside, filepath.Join(dir, "incidents", "2030"))
			},
			want: map[string][]string{"incidents/2030": {"file"}},
		},
		{
			name: "kind folder linked",
			setup: func(t *testing.T, dir string) {
				if err := os.RemoveAll(filepath.Join(dir, "slas")); err != nil {
					t.Fatal(err)
				}
				symlink(t, "/etc", filepath.Join(dir, "slas"))
			},
			want: map[string][]string{"slas": {"file"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t)
			tt.setup(t, dir)
			res := run(t, dir, check.Options{})
			// Without the SLAs, references to them dangle: look at file findings only.
			var files []finding.Finding
			for _, f := range res.Findings {
				if f.Rule == "file" {
					files = append(files, f)
				}
			}
			got := rulesByPath(files)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules by path (-want +got):\n%s", diff)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make symlinks here: %v", err)
	}
}

func TestResolve(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "incidents"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	symlink(t, outside, filepath.Join(root, "incidents", "elsewhere"))
	if err := os.MkdirAll(filepath.Join(root, "incidents", "2026"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, "2026", filepath.Join(root, "incidents", "current"))
	tests := []struct {
		name, base, arg string
		want            string // "" when Resolve must refuse
	}{
		{"relative", root, "incidents/INC-000001.yaml", "incidents/INC-000001.yaml"},
		{"from a subfolder", filepath.Join(root, "incidents"), "INC-000001.yaml", "incidents/INC-000001.yaml"},
		{"absolute inside", root, filepath.Join(root, "cis", "web.yaml"), "cis/web.yaml"},
		{"dot dot inside", filepath.Join(root, "incidents"), "../cis/web.yaml", "cis/web.yaml"},
		{"etc passwd", root, "/etc/passwd", ""},
		{"dot dot out", root, "../../etc/passwd", ""},
		{"the root's parent", root, "..", ""},
		{"through a symlink out", root, "incidents/elsewhere/INC-000001.yaml", ""},
		{"the root", root, ".", "."},
		{"the root from a subfolder", filepath.Join(root, "incidents"), "..", "."},
		{"a folder", root, "incidents", "incidents"},
		{"through a symlinked folder inside", root, "incidents/current/INC-000001.yaml", "incidents/2026/INC-000001.yaml"},
		{"a symlinked folder inside", root, "incidents/current", "incidents/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := record.Resolve(root, tt.base, tt.arg)
			if tt.want == "" {
				if err == nil {
					t.Errorf("got %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}

// TestPathOutsideRepository checks that validate refuses a path argument outside the
// repository, with an error rather than reading it.
func TestPathOutsideRepository(t *testing.T) {
	dir := writeRepo(t)
	cwd := filepath.Join(dir, "incidents")
	for _, arg := range []string{"/etc/passwd", "../../../../../../etc/passwd"} {
		if _, err := record.Resolve(dir, cwd, arg); err == nil {
			t.Errorf("Resolve(%q): got no error, want one", arg)
		}
	}
}

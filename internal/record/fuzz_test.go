package record_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/record"
)

// validIncident is a complete, valid incident; hostile inputs are made from it.
const validIncident = `apiVersion: gitsm/v1
kind: Incident
id: INC-000001
title: Checkout API returns 502 for a third of requests
state: resolved
impact: 1
urgency: 2
priority: P2
opened_at: 2026-03-02T10:14:00Z
acknowledged_at: 2026-03-02T10:20:00Z
resolved_at: 2026-03-02T11:00:00Z
resolution:
  code: solved_permanently
  notes: |
    Rolled back the release.
timeline:
  - at: 2026-03-02T10:14:00Z
    state: new
    by: alice
  - at: 2026-03-02T10:20:00Z
    state: in_progress
    by: bob
  - at: 2026-03-02T11:00:00Z
    state: resolved
    by: bob
    note: "rolled back"
`

// aliasBomb is the "billion laughs" document: ten levels of aliases, each ten times the last.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString(`a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// hostile are the seeds of FuzzParse: inputs that have broken YAML loaders before.
func hostile() map[string]string {
	return map[string]string{
		"valid":                  validIncident,
		"alias bomb":             aliasBomb(),
		"anchor and alias":       "apiVersion: gitsm/v1\nkind: CI\nid: &x web\ntitle: *x\n",
		"10k nested flow lists":  strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		"10k unclosed flow":      "title: " + strings.Repeat("[", 10000),
		"10k nested flow maps":   strings.Repeat("{a: ", 10000) + "1" + strings.Repeat("}", 10000),
		"10k nested block lists": "timeline: " + strings.Repeat("- ", 10000) + "x\n",
		"deep block mappings":    deepMappings(300),
		"invalid UTF-8":          strings.Replace(validIncident, "Checkout", "Check\xffout", 1),
		"truncated UTF-8":        validIncident + "x-note: \xe2\x82",
		"BOM":                    "\xef\xbb\xbf" + validIncident,
		"BOM twice":              "\xef\xbb\xbf\xef\xbb\xbf" + validIncident,
		"CRLF":                   strings.ReplaceAll(validIncident, "\n", "\r\n"),
		"CR only":                strings.ReplaceAll(validIncident, "\n", "\r"),
		"NUL byte":               strings.Replace(validIncident, "title:", "ti\x00tle:", 1),
		"binary":                 "\x7fELF\x02\x01\x01\x00\x00\x00",
		"two documents":          validIncident + "---\n" + validIncident,
		"document end":           validIncident + "...\n",
		"empty":                  "",
		"document start only":    "---",
		"document start and end": "---\n...\n",
		"only a comment":         "# nothing here\n",
		"a list":                 "- a\n- b\n",
		"a scalar":               "hello\n",
		"duplicate keys":         validIncident + "title: again\n",
		"merge key":              "base: &b {impact: 1}\nrec:\n  <<: *b\n",
		"merge key inline":       validIncident + "<<: {impact: 1}\n",
		"custom tag":             validIncident + "x-obj: !!python/object:os.system ls\n",
		"local tag":              validIncident + "x-obj: !foo bar\n",
		"binary tag":             validIncident + "x-bin: !!binary aGVsbG8=\n",
		"non-string key":         validIncident + "1: one\n",
		"complex key":            validIncident + "? [a, b]\n: c\n",
		"huge integer":           strings.Replace(validIncident, "impact: 1", "impact: 99999999999999999999999999", 1),
		"huge negative integer":  strings.Replace(validIncident, "impact: 1", "impact: -99999999999999999999999999", 1),
		"hex integer":            strings.Replace(validIncident, "impact: 1", "impact: 0x7fffffffffffffff", 1),
		"nan":                    strings.Replace(validIncident, "impact: 1", "impact: .nan", 1),
		"infinity":               strings.Replace(validIncident, "impact: 1", "impact: -.inf", 1),
		"float":                  strings.Replace(validIncident, "impact: 1", "impact: 1.0e300", 1),
		"YAML 1.1 booleans":      validIncident + "major: yes\nx-a: on\nx-b: no\nx-c: off\n",
		"timestamp no offset":    strings.Replace(validIncident, "opened_at: 2026-03-02T10:14:00Z", "opened_at: 2026-03-02T10:14:00", 1),
		"timestamp with space":   strings.Replace(validIncident, "opened_at: 2026-03-02T10:14:00Z", "opened_at: 2026-03-02 10:14:00", 1),
		"date only":              strings.Replace(validIncident, "opened_at: 2026-03-02T10:14:00Z", "opened_at: 2026-03-02", 1),
		"id path traversal":      strings.Replace(validIncident, "id: INC-000001", "id: ../../etc/passwd", 1),
		"id absolute path":       strings.Replace(validIncident, "id: INC-000001", "id: /etc/passwd", 1),
		"id with NUL escape":     strings.Replace(validIncident, "id: INC-000001", `id: "INC-1\u0000"`, 1),
		"kind unknown":           strings.Replace(validIncident, "kind: Incident", "kind: Outage", 1),
		"kind missing":           strings.Replace(validIncident, "kind: Incident\n", "", 1),
		"kind not a string":      strings.Replace(validIncident, "kind: Incident", "kind: [Incident]", 1),
		"apiVersion wrong":       strings.Replace(validIncident, "gitsm/v1", "gitsm/v2", 1),
		"tab indentation":        "apiVersion: gitsm/v1\nkind: Incident\nresolution:\n\tcode: x\n",
		"unclosed quote":         validIncident + "x-q: \"never closed\n",
		"long line":              validIncident + "x-long: " + strings.Repeat("x", 200000) + "\n",
		"many keys":              validIncident + manyKeys(5000),
		"control characters":     validIncident + "x-c: \x01\x02\x1b\n",
		"line separators":        validIncident + "x-c: a\u2028b\u0085c\n",
		"escape sequences":       validIncident + "x-e: \"\\u0000\\x00\\U0010FFFF\\e\"\n",
		"directive":              "%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\n" + validIncident,
	}
}

func deepMappings(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("a:\n")
	}
	return b.String()
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("x-k")
		b.WriteString(strings.Repeat("k", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(": v\n")
	}
	return b.String()
}

// yamlLines counts lines as YAML does: CR LF, LF, CR, NEL, LS and PS each end one; as in an
// editor, a break at the very end starts no new line.
func yamlLines(src []byte) int {
	n := 1
	if len(src) > 0 && strings.ContainsRune("\n\r", rune(src[len(src)-1])) || bytes.HasSuffix(src, []byte("\u0085")) ||
		bytes.HasSuffix(src, []byte("\u2028")) || bytes.HasSuffix(src, []byte("\u2029")) {
		n--
	}
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '\n':
			n++
		case src[i] == '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			n++
		case bytes.HasPrefix(src[i:], []byte("\u0085")), bytes.HasPrefix(src[i:], []byte("\u2028")), bytes.HasPrefix(src[i:], []byte("\u2029")):
			n++
		}
	}
	return n
}

// maxAnalyze is how long one input may take; real records take well under a millisecond.
const maxAnalyze = 5 * time.Second

// FuzzParse feeds arbitrary bytes to the loader, the schema and the per-record rules as
// `gitsm validate` runs them on one file: nothing may panic or hang, and every input comes out
// as a record or with at least one finding.
func FuzzParse(f *testing.F) {
	for _, src := range hostile() {
		f.Add([]byte(src))
	}
	e, err := check.NewWithConfig(f.TempDir(), config.Default())
	if err != nil {
		f.Fatal(err)
	}
	const rel = "incidents/2026/INC-000001.yaml"
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		p, fs := record.Parse(rel, record.Incident, e.Config.Prefixes, src)
		if p == nil && len(fs) == 0 {
			t.Fatalf("record.Parse gave neither a record nor a finding for %q", src)
		}
		file, parsed := e.Analyze(rel, src)
		if d := time.Since(start); d > maxAnalyze {
			t.Errorf("took %v, want under %v", d, maxAnalyze)
		}
		if (parsed == nil) != (p == nil) {
			t.Errorf("record.Parse and Analyze disagree on whether %q is a record", src)
		}
		if file.Record == nil && len(file.Findings) == 0 {
			t.Fatalf("Analyze gave neither a record nor a finding for %q", src)
		}
		lines := yamlLines(src)
		for _, fd := range file.Findings {
			if fd.Path != rel || fd.Rule == "" || fd.Message == "" || (fd.Severity != "error" && fd.Severity != "warning") {
				t.Errorf("malformed finding %+v", fd)
			}
			if fd.Line < 0 || fd.Line > lines || fd.Column < 0 {
				t.Errorf("finding %+v points outside the %d lines of the input", fd, lines)
			}
		}
	})
}

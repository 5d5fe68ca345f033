package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestWritersDefuseHostileText: commit subjects, author names and record paths come from
// whoever pushed; no format may pass on terminal escapes, break a markdown table or start a
// spreadsheet formula.
func TestWritersDefuseHostileText(t *testing.T) {
	in := Input{Branch: "main", Tip: strings.Repeat("a", 40), Commits: []Commit{{
		Hash: strings.Repeat("b", 40), Author: "=HYPERLINK(\"http://x\")|\x1b[31m", Email: "e@x", Date: time.Unix(0, 0).UTC(),
		Subject: "fix \x1b[2J\x1b[31mred | pipe", Records: []Record{{Path: "incidents/INC-1.yaml", OldPath: "incidents/INC-1.yaml", Change: "modified"}},
	}}}
	rep := Run(in)
	for name, write := range map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return WriteText(b, rep) },
		"markdown": func(b *bytes.Buffer) error { return WriteMarkdown(b, rep) },
		"csv":      func(b *bytes.Buffer) error { return WriteCSV(b, rep) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsRune(b.String(), 0x1b) {
			t.Errorf("%s: got an escape character in %q", name, b.String())
		}
		if name == "csv" && strings.Contains(b.String(), ",=HYPERLINK") {
			t.Errorf("csv: a formula cell was not defused: %q", b.String())
		}
		if name == "markdown" && !strings.Contains(b.String(), `")\|`) {
			t.Errorf("markdown: the pipe in the author's name was not escaped: %q", b.String())
		}
		if name == "text" && !strings.Contains(b.String(), `fix \x1b[2J`) {
			t.Errorf("text: the subject's escape was not replaced: %q", b.String())
		}
	}
	if rep.Summary.ByKind[DirectPush] != 1 {
		t.Errorf("got %+v, want one direct-push", rep.Summary)
	}
}

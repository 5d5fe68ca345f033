package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gitsm/gitsm/internal/cli"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/iostreams"
)

var expectLine = regexp.MustCompile(`^# expect: (\S+) line (\d+)`)

// TestInvalidExamples checks every file of examples/invalid: validated against the examples
// repository, it must yield exactly the rule its first line names, at the line it names, and no
// other rule for that file.
func TestInvalidExamples(t *testing.T) {
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(examples, "invalid", "*", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in examples/invalid (err %v)", err)
	}
	rules := map[string]bool{}
	for _, file := range files {
		rel, _ := filepath.Rel(examples, file)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m := expectLine.FindSubmatch(src)
			if m == nil {
				t.Fatalf("first line must be `# expect: RULE line N`")
			}
			wantRule, wantLine := string(m[1]), mustAtoi(t, string(m[2]))
			rules[wantRule] = true

			ios, _, stdout, stderr := iostreams.Test()
			f := &command.Factory{IO: ios, WorkDir: examples, Getenv: func(string) string { return "" }}
			code := cli.Run(context.Background(), f, []string{"validate", "--format", "json", rel})
			var got struct {
				Valid    bool              `json:"valid"`
				Findings []finding.Finding `json:"findings"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("output is not JSON: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
			}
			var mine []string
			for _, fd := range got.Findings {
				if fd.Path == rel {
					mine = append(mine, fmt.Sprintf("%s line %d", fd.Rule, fd.Line))
				}
			}
			want := []string{fmt.Sprintf("%s line %d", wantRule, wantLine)}
			if fmt.Sprint(mine) != fmt.Sprint(want) {
				t.Errorf("findings for %s: got %v, want %v", rel, mine, want)
			}
			wantCode := 1
			if wantRule == "conflict" { // a warning
				wantCode = 0
			}
			if code != wantCode {
				t.Errorf("exit code: got %d, want %d", code, wantCode)
			}
		})
	}
	for rule := range finding.Rules {
		switch rule {
		case "transition", "immutable", "deleted": // need a base revision: see validate_base.txtar
			continue
		}
		if !rules[rule] {
			t.Errorf("examples/invalid has no file for rule %s", rule)
		}
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

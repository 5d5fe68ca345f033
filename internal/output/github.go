package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/iostreams"
)

// GitHub writes GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::…`),
// which the runner turns into annotations on the pull request's files. Paths are given from
// the root of the git work tree (r.Prefix), where the runner resolves them.
func GitHub(w io.Writer, r Report) error {
	for _, f := range r.Findings {
		cmd := "warning"
		if f.Severity == finding.Error {
			cmd = "error"
		}
		props := "file=" + escapeProperty(joinPrefix(r.Prefix, f.Path))
		if f.Line > 0 {
			props += fmt.Sprintf(",line=%d,col=%d", f.Line, f.Column)
		}
		props += ",title=" + escapeProperty(f.Rule)
		// The runner prints the message in the job log, which renders terminal escapes.
		msg := escapeData(iostreams.Sanitize(f.Message))
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, props, msg); err != nil {
			return err
		}
	}
	return nil
}

// escapeData and escapeProperty follow actions/toolkit's escaping of workflow command values
// (packages/core/src/command.ts: data escapes %, \r, \n; properties also : and ,), so that a
// hostile message or file name cannot end the command early or inject a second one.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

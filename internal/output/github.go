package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/gitsm/gitsm/internal/finding"
)

// GitHub writes GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::…`),
// which the runner turns into annotations on the pull request's files.
func GitHub(w io.Writer, r Report) error {
	for _, f := range r.Findings {
		cmd := "warning"
		if f.Severity == finding.Error {
			cmd = "error"
		}
		props := "file=" + escapeProperty(f.Path)
		if f.Line > 0 {
			props += fmt.Sprintf(",line=%d,col=%d", f.Line, f.Column)
		}
		props += ",title=" + escapeProperty(f.Rule)
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, props, escapeData(f.Message)); err != nil {
			return err
		}
	}
	return nil
}

// escapeData and escapeProperty follow the runner's escaping of workflow command values, so
// that a hostile message cannot inject a second command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

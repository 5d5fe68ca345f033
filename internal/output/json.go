package output

import (
	"encoding/json"
	"io"

	"github.com/gitsm/gitsm/internal/finding"
)

type jsonReport struct {
	Valid    bool              `json:"valid"`
	Records  int               `json:"records"`
	Findings []finding.Finding `json:"findings"`
}

// JSON writes {"valid", "records", "findings": [...]} as SPEC section 4 gives it.
func JSON(w io.Writer, r Report) error {
	fs := r.Findings
	if fs == nil {
		fs = []finding.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Valid: !r.Failed, Records: r.Records, Findings: fs})
}

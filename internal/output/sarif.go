package output

import (
	"encoding/json"
	"io"
	"slices"

	"github.com/gitsm/gitsm/internal/finding"
)

// SARIF writes a SARIF 2.1.0 log with one run, for GitHub code scanning and other viewers.
func SARIF(w io.Writer, r Report) error {
	type message struct {
		Text string `json:"text"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type artifactLocation struct {
		URI string `json:"uri"`
	}
	type physicalLocation struct {
		ArtifactLocation artifactLocation `json:"artifactLocation"`
		Region           *region          `json:"region,omitempty"`
	}
	type location struct {
		PhysicalLocation physicalLocation `json:"physicalLocation"`
	}
	type result struct {
		RuleID     string            `json:"ruleId"`
		RuleIndex  int               `json:"ruleIndex"`
		Level      string            `json:"level"`
		Message    message           `json:"message"`
		Locations  []location        `json:"locations"`
		Properties map[string]string `json:"properties,omitempty"`
	}
	type rule struct {
		ID               string  `json:"id"`
		ShortDescription message `json:"shortDescription"`
	}
	type driver struct {
		Name           string `json:"name"`
		Version        string `json:"version,omitempty"`
		InformationURI string `json:"informationUri"`
		Rules          []rule `json:"rules"`
	}
	type run struct {
		Tool struct {
			Driver driver `json:"driver"`
		} `json:"tool"`
		Results []result `json:"results"`
	}
	type log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []run  `json:"runs"`
	}

	ids := make([]string, 0, len(finding.Rules))
	for id := range finding.Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var rn run
	rn.Tool.Driver = driver{Name: "gitsm", Version: r.Version, InformationURI: "https://github.com/gitsm/gitsm"}
	for _, id := range ids {
		rn.Tool.Driver.Rules = append(rn.Tool.Driver.Rules, rule{ID: id, ShortDescription: message{finding.Rules[id]}})
	}
	rn.Results = []result{}
	for _, f := range r.Findings {
		res := result{RuleID: f.Rule, RuleIndex: slices.Index(ids, f.Rule), Level: "warning", Message: message{f.Message}}
		if f.Severity == finding.Error {
			res.Level = "error"
		}
		loc := location{PhysicalLocation: physicalLocation{ArtifactLocation: artifactLocation{URI: f.Path}}}
		if f.Line > 0 {
			loc.PhysicalLocation.Region = &region{StartLine: f.Line, StartColumn: f.Column}
		}
		res.Locations = []location{loc}
		if f.ID != "" {
			res.Properties = map[string]string{"id": f.ID}
		}
		rn.Results = append(rn.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []run{rn},
	})
}

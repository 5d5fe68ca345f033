package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gitsm/gitsm/internal/finding"
)

// sarifSchema is the OASIS SARIF 2.1.0 schema (errata 01), which viewers and the SARIF
// Multitool expect logs to name.
const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// FingerprintKey names gitsm's partial fingerprint of a result: a hash of the rule, the file,
// the record ID and the message, so that a finding keeps its identity across runs when lines
// move. GitHub computes its own primaryLocationLineHash from the file where it can (and warns
// when a log supplies a value under that name that it did not compute), so gitsm does not
// claim that key.
const FingerprintKey = "gitsmFinding/v1"

// SARIF writes a SARIF 2.1.0 log with one run, for GitHub code scanning and other viewers.
//
// Artifact URIs are percent-encoded relative references from the root of the git work tree
// (r.Prefix), which is where GitHub resolves them. Columns are in UTF-16 code units, SARIF's
// default columnKind and the one GitHub reads; they are computed from the file's line (through
// r.Source), and left out when the file cannot be read. A finding about a whole file, or about
// a file that no longer exists (deleted), is placed on its line 1, since GitHub shows only
// results with a region.
func SARIF(w io.Writer, r Report) error {
	type message struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
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
		Region           region           `json:"region"`
	}
	type location struct {
		PhysicalLocation physicalLocation `json:"physicalLocation"`
	}
	type result struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             message           `json:"message"`
		Locations           []location        `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          map[string]string `json:"properties,omitempty"`
	}
	type rule struct {
		ID               string  `json:"id"`
		Name             string  `json:"name"`
		ShortDescription message `json:"shortDescription"`
		FullDescription  message `json:"fullDescription"`
		Help             message `json:"help"`
		HelpURI          string  `json:"helpUri"`
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
		ColumnKind string   `json:"columnKind"`
		Results    []result `json:"results"`
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
		doc := ruleDocs[id]
		help := DocsURL + "#" + ruleAnchor(id)
		rn.Tool.Driver.Rules = append(rn.Tool.Driver.Rules, rule{
			ID: id, Name: ruleName(id),
			ShortDescription: message{Text: finding.Rules[id]},
			FullDescription:  message{Text: doc.Full},
			Help: message{
				Text:     doc.Fix + " See " + help,
				Markdown: doc.Fix + " See [" + id + "](" + help + ").",
			},
			HelpURI: help,
		})
	}
	rn.ColumnKind = "utf16CodeUnits"
	rn.Results = []result{}
	cols := columnMapper{source: r.Source}
	for _, f := range r.Findings {
		rel := joinPrefix(r.Prefix, f.Path)
		res := result{RuleID: f.Rule, RuleIndex: slices.Index(ids, f.Rule), Level: "warning", Message: message{Text: f.Message}}
		if f.Severity == finding.Error {
			res.Level = "error"
		}
		reg := region{StartLine: 1}
		if f.Line > 0 {
			reg = region{StartLine: f.Line, StartColumn: cols.utf16(f.Path, f.Line, f.Column)}
		}
		res.Locations = []location{{PhysicalLocation: physicalLocation{
			ArtifactLocation: artifactLocation{URI: uriPath(rel)},
			Region:           reg,
		}}}
		res.PartialFingerprints = map[string]string{FingerprintKey: fingerprint(f.Rule, rel, f.ID, f.Message)}
		if f.ID != "" {
			res.Properties = map[string]string{"id": f.ID}
		}
		rn.Results = append(rn.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log{Schema: sarifSchema, Version: "2.1.0", Runs: []run{rn}})
}

// joinPrefix puts the records root's place in the git work tree before a finding's path.
func joinPrefix(prefix, p string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" || prefix == "." {
		return p
	}
	return path.Join(prefix, p)
}

// uriPath percent-encodes a slash-separated relative path as an RFC 3986 relative reference:
// every byte but the unreserved characters and "/" is encoded, so that spaces, "%", "#", "?",
// a ":" in the first segment (which would read as a scheme) and non-ASCII names all survive.
func uriPath(p string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		io.WriteString(h, p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// columnMapper turns gitsm's columns (Unicode code points, as the YAML parser counts them)
// into UTF-16 code units, reading each file at most once.
type columnMapper struct {
	source func(path string) ([]byte, error)
	files  map[string][]byte
}

// utf16 returns the 1-based UTF-16 column of the code-point column col on line, or 0 (no
// column) when the file cannot be read or the line is not there.
func (m *columnMapper) utf16(path string, line, col int) int {
	if col <= 1 {
		return max(col, 0) // column 1 is 1 in every unit
	}
	if m.source == nil {
		return 0
	}
	data, ok := m.files[path]
	if !ok {
		var err error
		if data, err = m.source(path); err != nil {
			data = nil
		}
		if m.files == nil {
			m.files = map[string][]byte{}
		}
		m.files[path] = data
	}
	text, ok := nthLine(data, line)
	if !ok {
		return 0
	}
	units := 0
	for n := 0; n < col-1; n++ {
		r, size := utf8.DecodeRune(text)
		if size == 0 {
			// Past the end of the line (a column at the line break): count the rest as one each.
			units += col - 1 - n
			break
		}
		text = text[size:]
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
	}
	return units + 1
}

// nthLine returns the 1-based line n of data, breaking lines at \n, \r\n and \r as YAML does.
// A byte order mark is not part of line 1: the YAML parser does not count it as a column.
func nthLine(data []byte, n int) ([]byte, bool) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	for i := 1; ; i++ {
		end := bytes.IndexAny(data, "\r\n")
		if i == n {
			if end < 0 {
				return data, len(data) > 0 || n == 1
			}
			return data[:end], true
		}
		if end < 0 {
			return nil, false
		}
		if data[end] == '\r' && end+1 < len(data) && data[end+1] == '\n' {
			end++
		}
		data = data[end+1:]
	}
}

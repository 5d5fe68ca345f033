package index

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// ExportVersion is the version of the JSON export's shape.
const ExportVersion = 1

// Links are a record's links in both directions.
type Links struct {
	// Out are the references the record writes (child → parent), by field.
	Out []Link `json:"out"`
	// In are the records that reference this one, under derived relation names
	// (a problem's "incidents", a CI's "changes", a parent incident's "children" …).
	In []Link `json:"in"`
}

// ExportRecord is one record of the JSON export.
type ExportRecord struct {
	ID     string        `json:"id"`
	Kind   record.Kind   `json:"kind"`
	Path   string        `json:"path"`
	Title  string        `json:"title"`
	Hash   string        `json:"hash"`
	Fields record.Fields `json:"fields"`
	Links  Links         `json:"links"`
	// Findings counts the record's own findings (per file; references are checked by
	// validate).
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// ExportFile is a file of the kind folders that could not be read as a record.
type ExportFile struct {
	Path     string            `json:"path"`
	Findings []finding.Finding `json:"findings"`
}

// LinksOf returns a record's links in both directions.
func (ix *Index) LinksOf(r *record.Record) Links {
	in := ix.In(r.ID)
	if in == nil {
		in = []Link{}
	}
	return Links{Out: ix.Out(r), In: in}
}

// WriteJSON writes the index as one JSON object:
//
//	{"version": 1, "gitsm": VERSION, "records": [ExportRecord…], "files": [ExportFile…]}
//
// streaming the records so that a large index is never held twice in memory.
func (ix *Index) WriteJSON(w io.Writer, version string) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	head, err := json.Marshal(struct {
		Version int    `json:"version"`
		Gitsm   string `json:"gitsm"`
	}{ExportVersion, version})
	if err != nil {
		return err
	}
	bw.Write(head[:len(head)-1])
	bw.WriteString(`,"records":[`)
	first := true
	var bad []ExportFile
	for i := range ix.Files {
		f := &ix.Files[i]
		r := f.Record
		if r == nil {
			bad = append(bad, ExportFile{Path: f.Path, Findings: f.Findings})
			continue
		}
		errs, warns := finding.Count(f.Findings)
		b, err := json.Marshal(ExportRecord{ID: r.ID, Kind: r.Kind, Path: r.Path, Title: r.Title, Hash: f.Hash,
			Fields: r.Fields, Links: ix.LinksOf(r), Errors: errs, Warnings: warns})
		if err != nil {
			return err
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		bw.WriteString("\n")
		bw.Write(b)
	}
	bw.WriteString("\n],\"files\":")
	if bad == nil {
		bad = []ExportFile{}
	}
	b, err := json.Marshal(bad)
	if err != nil {
		return err
	}
	bw.Write(b)
	bw.WriteString("}\n")
	return bw.Flush()
}

package authoring

import (
	"slices"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/rules"
)

// RefFindings checks the references that an edit adds to a record (all of them for a new
// record, when old is nil) against the records of the work tree, with the rules of
// `gitsm validate` (ref.missing, ref.kind). References the record already had are left to
// `gitsm validate`: an edit should not be refused for what it did not touch.
func RefFindings(e *check.Engine, old, cur *record.Record) []finding.Finding {
	if cur == nil {
		return nil
	}
	had := map[[2]string]bool{}
	if old != nil {
		for _, r := range old.Refs {
			had[[2]string{r.Field, r.Target}] = true
		}
	}
	type pos struct{ line, col int }
	added := map[pos]bool{}
	recs := []*record.Record{cur}
	loaded := map[string]bool{cur.ID: true}
	for _, r := range cur.Refs {
		if had[[2]string{r.Field, r.Target}] {
			continue
		}
		added[pos{r.Line, r.Column}] = true
		if loaded[r.Target] || slices.Contains(r.Kinds, record.Template) || slices.Contains(r.Kinds, record.Window) {
			continue
		}
		loaded[r.Target] = true
		rel, err := Find(e.Root, r.Target, e.Config.Prefixes)
		if err != nil {
			continue // missing: the rules say so
		}
		if f, _ := e.Load(rel); f.Record != nil {
			recs = append(recs, f.Record)
		}
	}
	if len(added) == 0 {
		return nil
	}
	var out []finding.Finding
	for _, f := range rules.Repo(recs, e.Config, map[string]bool{cur.Path: true}) {
		if (f.Rule == "ref.missing" || f.Rule == "ref.kind") && added[pos{f.Line, f.Column}] {
			out = append(out, f)
		}
	}
	return out
}

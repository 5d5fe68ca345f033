package index

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/record"
)

// graph makes an index of records with references: refs maps "ID.field" to targets; a
// record's references come in the order of their keys.
func graph(recs []*record.Record, refs map[string][]string) *Index {
	ix := &Index{}
	keys := slices.Sorted(maps.Keys(refs))
	for _, r := range recs {
		for _, key := range keys {
			targets := refs[key]
			id, field, _ := strings.Cut(key, ".")
			if id != r.ID {
				continue
			}
			for _, t := range targets {
				r.Refs = append(r.Refs, record.Ref{Field: field, Target: t})
			}
		}
		ix.Files = append(ix.Files, record.File{Path: r.Path, Record: r})
	}
	return ix
}

func ci(id string) *record.Record {
	return rec(record.CI, id, map[string]any{"class": "api", "title": id})
}

// tree renders an impact tree compactly: id[via]{open}(marks) children indented.
func tree(n *Node, depth int, b *strings.Builder) {
	fmt.Fprintf(b, "%s%s", strings.Repeat("  ", depth), n.ID)
	if len(n.Via) > 0 {
		fmt.Fprintf(b, " via %s", strings.Join(n.Via, "+"))
	}
	var open []string
	for _, l := range [][]Item{n.Incidents, n.Problems, n.Changes} {
		for _, it := range l {
			open = append(open, it.ID)
		}
	}
	if len(open) > 0 {
		fmt.Fprintf(b, " open %s", strings.Join(open, ","))
	}
	if n.Repeat {
		b.WriteString(" repeat")
	}
	if n.Truncated {
		b.WriteString(" truncated")
	}
	b.WriteByte('\n')
	for _, d := range n.Dependents {
		tree(d, depth+1, b)
	}
}

func TestImpact(t *testing.T) {
	recs := []*record.Record{
		ci("db"), ci("api"), ci("web"), ci("svc"), ci("batch"), ci("k8s"), ci("loop-a"), ci("loop-b"),
		rec(record.Incident, "INC-1", map[string]any{"state": "in_progress"}),
		rec(record.Incident, "INC-2", map[string]any{"state": "closed"}),
		rec(record.Problem, "PRB-1", map[string]any{"state": "resolved"}),
		rec(record.Change, "CHG-1", map[string]any{"state": "scheduled"}),
		rec(record.Change, "CHG-2", map[string]any{"state": "canceled"}),
	}
	ix := graph(recs, map[string][]string{
		"api.depends_on":    {"db"},
		"batch.depends_on":  {"db"},
		"web.depends_on":    {"api"},
		"svc.depends_on":    {"web", "api"},
		"api.runs_on":       {"k8s"},
		"web.runs_on":       {"k8s"},
		"batch.runs_on":     {"api"},
		"svc.runs_on":       {"api"},
		"loop-a.depends_on": {"loop-b"},
		"loop-b.depends_on": {"loop-a"},
		"INC-1.cis":         {"api"},
		"INC-1.service":     {"svc"},
		"INC-2.cis":         {"api"},
		"PRB-1.cis":         {"db"},
		"CHG-1.cis":         {"web", "db"},
		"CHG-2.cis":         {"web"},
	})
	tests := []struct {
		name  string
		id    string
		depth int
		want  string
		cis   int
		open  OpenCounts
	}{
		{
			name: "transitive, each CI once, open records only",
			id:   "db",
			want: `db open PRB-1,CHG-1
  api via depends_on open INC-1
    batch via runs_on repeat
    svc via depends_on+runs_on open INC-1
    web via depends_on open CHG-1
      svc via depends_on repeat
  batch via depends_on
`,
			cis:  4,
			open: OpenCounts{Incidents: 1, Problems: 1, Changes: 1},
		},
		{
			name:  "depth limit",
			id:    "db",
			depth: 1,
			want: `db open PRB-1,CHG-1
  api via depends_on open INC-1 truncated
  batch via depends_on
`,
			cis:  2,
			open: OpenCounts{Incidents: 1, Problems: 1, Changes: 1},
		},
		{
			name: "a platform",
			id:   "k8s",
			want: `k8s
  api via runs_on open INC-1
    batch via runs_on
    svc via depends_on+runs_on open INC-1
    web via depends_on repeat
  web via runs_on open CHG-1
    svc via depends_on repeat
`,
			cis:  4,
			open: OpenCounts{Incidents: 1, Changes: 1},
		},
		{
			name: "a cycle ends",
			id:   "loop-a",
			want: `loop-a
  loop-b via depends_on
    loop-a via depends_on repeat
`,
			cis: 1,
		},
		{
			name: "nothing depends on it",
			id:   "svc",
			want: "svc open INC-1\n",
			open: OpenCounts{Incidents: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Impact(tt.id, tt.depth)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			tree(res.Root, 0, &b)
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			if res.CIs != tt.cis || res.Open != tt.open {
				t.Errorf("got %d CIs, open %+v; want %d, %+v", res.CIs, res.Open, tt.cis, tt.open)
			}
		})
	}
	if _, err := ix.Impact("INC-1", 0); err == nil {
		t.Errorf("impact of an incident: got no error")
	}
}

func TestLinks(t *testing.T) {
	recs := []*record.Record{
		ci("api"),
		rec(record.Problem, "PRB-1", map[string]any{"state": "new"}),
		rec(record.Incident, "INC-1", map[string]any{"state": "new"}),
		rec(record.Incident, "INC-2", map[string]any{"state": "new"}),
		rec(record.Change, "CHG-1", map[string]any{"state": "new"}),
	}
	ix := graph(recs, map[string][]string{
		"INC-1.problem":   {"PRB-1"},
		"INC-2.problem":   {"PRB-1"},
		"INC-2.parent":    {"INC-1"},
		"INC-1.cis":       {"api"},
		"INC-1.service":   {"api"},
		"INC-2.caused_by": {"CHG-1"},
		"CHG-1.fixes":     {"INC-1", "PRB-1"},
		"CHG-1.cis":       {"api", "gone"},
	})
	tests := []struct {
		id   string
		want []Link
	}{
		{"PRB-1", []Link{
			{Relation: "fixed_by", Field: "fixes", ID: "CHG-1", Kind: record.Change},
			{Relation: "incidents", Field: "problem", ID: "INC-1", Kind: record.Incident},
			{Relation: "incidents", Field: "problem", ID: "INC-2", Kind: record.Incident},
		}},
		{"INC-1", []Link{
			{Relation: "children", Field: "parent", ID: "INC-2", Kind: record.Incident},
			{Relation: "fixed_by", Field: "fixes", ID: "CHG-1", Kind: record.Change},
		}},
		{"api", []Link{
			{Relation: "changes", Field: "cis", ID: "CHG-1", Kind: record.Change},
			{Relation: "incidents", Field: "cis", ID: "INC-1", Kind: record.Incident},
			{Relation: "incidents", Field: "service", ID: "INC-1", Kind: record.Incident},
		}},
		{"CHG-1", []Link{
			{Relation: "incidents_caused", Field: "caused_by", ID: "INC-2", Kind: record.Incident},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ix.In(tt.id)); diff != "" {
				t.Errorf("links in (-want +got):\n%s", diff)
			}
		})
	}
	out := ix.Out(ix.Record("CHG-1"))
	want := []Link{
		{Relation: "cis", Field: "cis", ID: "api", Kind: record.CI},
		{Relation: "cis", Field: "cis", ID: "gone"},
		{Relation: "fixes", Field: "fixes", ID: "INC-1", Kind: record.Incident},
		{Relation: "fixes", Field: "fixes", ID: "PRB-1", Kind: record.Problem},
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("links out (-want +got):\n%s", diff)
	}
	if got := ids(ix.Related("api", "incidents")); !cmp.Equal(got, []string{"INC-1"}) {
		t.Errorf("related incidents of api: got %v, want [INC-1]", got)
	}
}

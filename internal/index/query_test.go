package index

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/record"
)

func rec(kind record.Kind, id string, fields map[string]any) *record.Record {
	r := &record.Record{Kind: kind, ID: id, Path: "x/" + id + ".yaml", Fields: record.MustFields(fields)}
	r.Title, _ = fields["title"].(string)
	return r
}

func ids(rs []*record.Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

var sample = []*record.Record{
	rec(record.Incident, "INC-000100", map[string]any{"state": "in_progress", "priority": "P2", "impact": int64(2), "cis": []string{"orders-db", "checkout-api"}, "opened_at": "2026-03-02T10:00:00Z", "title": "Orders slow"}),
	rec(record.Incident, "INC-000099", map[string]any{"state": "closed", "priority": "P1", "impact": int64(1), "cis": []string{"lb-public"}, "opened_at": "2026-03-02T11:00:00+02:00", "assignee": "trent", "title": "Site down"}),
	rec(record.Incident, "INC-001000", map[string]any{"state": "new", "priority": "P4", "impact": int64(3), "opened_at": "2026-01-15T08:00:00Z", "major": true, "title": "Typo"}),
	rec(record.Change, "CHG-000001", map[string]any{"state": "scheduled", "type": "normal", "cis": []string{"orders-db"}, "title": "Upgrade"}),
	rec(record.CI, "orders-db", map[string]any{"class": "database", "criticality": int64(1), "title": "Orders DB"}),
}

func TestParseKind(t *testing.T) {
	prefixes := map[string]string{"incident": "INC", "problem": "PRB", "change": "CR"}
	tests := []struct {
		in   string
		want record.Kind
		ok   bool
	}{
		{"incident", record.Incident, true},
		{"Incidents", record.Incident, true},
		{"INC", record.Incident, true},
		{"inc", record.Incident, true},
		{"cr", record.Change, true},
		{"chg", "", false},
		{"CI", record.CI, true},
		{"cis", record.CI, true},
		{"sla", record.SLA, true},
		{"Calendar", record.Calendar, true},
		{"ticket", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseKind(tt.in, prefixes)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %q %v, want %q %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseCond(t *testing.T) {
	tests := []struct {
		in      string
		want    Cond
		wantErr bool
	}{
		{"state=in_progress", Cond{"state", "=", "in_progress"}, false},
		{"state!=closed", Cond{"state", "!=", "closed"}, false},
		{"impact<=2", Cond{"impact", "<=", "2"}, false},
		{"opened_at>2026-03-01", Cond{"opened_at", ">", "2026-03-01"}, false},
		{"assignee=", Cond{"assignee", "=", ""}, false},
		{"title=a=b", Cond{"title", "=", "a=b"}, false},
		{"x-team=core", Cond{"x-team", "=", "core"}, false},
		{"state", Cond{}, true},
		{"=closed", Cond{}, true},
		{"st ate=x", Cond{}, true},
		{"state!closed", Cond{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCond(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name  string
		kind  record.Kind
		where []string
		want  []string
	}{
		{"kind only", record.Incident, nil, []string{"INC-000100", "INC-000099", "INC-001000"}},
		{"every kind", "", []string{"cis=orders-db"}, []string{"INC-000100", "CHG-000001"}},
		{"equal", record.Incident, []string{"state=in_progress"}, []string{"INC-000100"}},
		{"case does not matter", record.Incident, []string{"state=IN_PROGRESS"}, []string{"INC-000100"}},
		{"not equal includes missing", record.Incident, []string{"assignee!=trent"}, []string{"INC-000100", "INC-001000"}},
		{"all conditions hold", record.Incident, []string{"state!=closed", "priority=P2"}, []string{"INC-000100"}},
		{"a list contains", record.Incident, []string{"cis=lb-public"}, []string{"INC-000099"}},
		{"a list does not contain", record.Incident, []string{"cis!=orders-db"}, []string{"INC-000099", "INC-001000"}},
		{"numbers compare as numbers", record.Incident, []string{"impact<3"}, []string{"INC-000100", "INC-000099"}},
		{"number equality", record.Incident, []string{"impact=1.0"}, []string{"INC-000099"}},
		{"timestamps compare as instants", record.Incident, []string{"opened_at<2026-03-02T09:30:00Z"}, []string{"INC-000099", "INC-001000"}},
		{"dates compare as instants", record.Incident, []string{"opened_at>=2026-03-01"}, []string{"INC-000100", "INC-000099"}},
		{"missing field is empty", record.Incident, []string{"assignee="}, []string{"INC-000100", "INC-001000"}},
		{"booleans", record.Incident, []string{"major=true"}, []string{"INC-001000"}},
		{"built-in fields", "", []string{"kind=ci"}, []string{"orders-db"}},
		{"ID ranges", record.Incident, []string{"id>=INC-000100"}, []string{"INC-000100", "INC-001000"}},
		{"unknown field matches nothing", record.Incident, []string{"stat=new"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conds []Cond
			for _, w := range tt.where {
				c, err := ParseCond(w)
				if err != nil {
					t.Fatal(err)
				}
				conds = append(conds, c)
			}
			if diff := cmp.Diff(tt.want, ids(Filter(sample, tt.kind, conds))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSort(t *testing.T) {
	tests := []struct {
		name string
		sort string
		want []string
	}{
		{"default: kind, then ID naturally", "", []string{"INC-000099", "INC-000100", "INC-001000", "CHG-000001", "orders-db"}},
		{"by priority", "priority", []string{"INC-000099", "INC-000100", "INC-001000", "CHG-000001", "orders-db"}},
		{"descending, missing last", "-priority", []string{"INC-001000", "INC-000100", "INC-000099", "CHG-000001", "orders-db"}},
		{"timestamps as instants", "opened_at", []string{"INC-001000", "INC-000099", "INC-000100", "CHG-000001", "orders-db"}},
		{"numbers", "-impact", []string{"INC-001000", "INC-000100", "INC-000099", "CHG-000001", "orders-db"}},
		{"two keys", "kind,-id", []string{"CHG-000001", "orders-db", "INC-001000", "INC-000100", "INC-000099"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []SortKey
			if tt.sort != "" {
				var err error
				if keys, err = ParseSort(tt.sort); err != nil {
					t.Fatal(err)
				}
			}
			got := append([]*record.Record{}, sample...)
			Sort(got, keys)
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareIDs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"INC-99", "INC-100", -1},
		{"INC-000100", "INC-99", 1},
		{"CHG-1", "INC-1", -1},
		{"INC-1", "INC-1", 0},
		{"api", "INC-1", 1},
		{"a-1", "a-2", -1},
	}
	for _, tt := range tests {
		if got := CompareIDs(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareIDs(%s, %s): got %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

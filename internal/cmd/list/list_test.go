package list

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/record"
)

func TestNewCmdListFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr bool
	}{
		{[]string{}, Options{}, false},
		{[]string{"inc", "--where", "state=new", "-w", "priority=P1", "--sort", "-opened_at", "--limit", "5"},
			Options{Kind: "inc", Where: []string{"state=new", "priority=P1"}, Sort: "-opened_at", Limit: 5}, false},
		{[]string{"ci", "--columns", "id,owner"}, Options{Kind: "ci", Columns: "id,owner"}, false},
		{[]string{"inc", "chg"}, Options{}, true},
		{[]string{"--limit", "-2"}, Options{}, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdList(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Factory"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParse(t *testing.T) {
	cfg := config.Default()
	q, err := (&Options{Kind: "Incidents", Where: []string{"state=new"}, Sort: "priority,-id", Limit: 3}).Parse(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := &Query{Kind: record.Incident, Conds: []index.Cond{{Field: "state", Op: "=", Value: "new"}},
		Sort: []index.SortKey{{Field: "priority"}, {Field: "id", Desc: true}}, Limit: 3, Columns: Columns(record.Incident)}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	for _, o := range []Options{{Kind: "tickets"}, {Where: []string{"state"}}, {Sort: "a b"}} {
		var ue *command.UsageError
		if _, err := o.Parse(cfg); !errors.As(err, &ue) {
			t.Errorf("%+v: got %v, want a usage error", o, err)
		}
	}
}

func TestWrite(t *testing.T) {
	recs := []*record.Record{
		{ID: "INC-000002", Kind: record.Incident, Path: "incidents/INC-000002.yaml", Title: "Two\nlines",
			Fields: record.MustFields(map[string]any{"state": "new", "cis": []string{"a", "b"}, "impact": int64(2)})},
		{ID: "INC-000001", Kind: record.Incident, Path: "incidents/INC-000001.yaml", Title: "One, with a comma",
			Fields: record.MustFields(map[string]any{"state": "closed"})},
	}
	cols := []string{"id", "state", "cis", "impact", "title"}
	tests := []struct {
		format string
		want   string
	}{
		{"text", `ID          STATE   CIS  IMPACT  TITLE
INC-000002  new     a,b  2       Two lines
INC-000001  closed  -    -       One, with a comma
`},
		{"csv", `id,state,cis,impact,title
INC-000002,new,"a,b",2,"Two
lines"
INC-000001,closed,,,"One, with a comma"
`},
		{"yaml", `- id: INC-000002
  kind: Incident
  path: incidents/INC-000002.yaml
  title: |-
    Two
    lines
  fields:
    cis:
      - a
      - b
    impact: 2
    state: new
- id: INC-000001
  kind: Incident
  path: incidents/INC-000001.yaml
  title: One, with a comma
  fields:
    state: closed
`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tt.format, cols, recs); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	var b bytes.Buffer
	if err := Write(&b, "json", cols, nil); err != nil || b.String() != "[]\n" {
		t.Errorf("empty json: got %q, %v; want []", b.String(), err)
	}
	b.Reset()
	if err := Write(&b, "text", cols, nil); err != nil || b.String() != "" {
		t.Errorf("empty table: got %q, %v; want nothing", b.String(), err)
	}
}

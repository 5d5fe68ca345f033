package impact

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/record"
)

func TestNewCmdImpactFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr bool
	}{
		{[]string{"orders-db"}, Options{ID: "orders-db"}, false},
		{[]string{"orders-db", "--depth", "2"}, Options{ID: "orders-db", Depth: 2}, false},
		{[]string{"orders-db", "-d", "-1"}, Options{}, true},
		{[]string{"../x"}, Options{}, true},
		{[]string{}, Options{}, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdImpact(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Factory")); diff != "" {
					t.Errorf("options (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestWriteTree(t *testing.T) {
	leaf := func(id string, via ...string) *index.Node {
		return &index.Node{ID: id, Class: "service", Via: via}
	}
	res := &index.Impact{
		Root: &index.Node{ID: "db", Title: "Orders DB", Class: "database", Environment: "production",
			Changes: []index.Item{{ID: "CHG-1", Kind: record.Change, State: "scheduled"}},
			Dependents: []*index.Node{
				{ID: "api", Class: "api", Via: []string{"depends_on"},
					Incidents:  []index.Item{{ID: "INC-1", Kind: record.Incident, State: "new", Priority: "P2"}},
					Dependents: []*index.Node{leaf("shop", "depends_on")}},
				{ID: "batch", Via: []string{"depends_on", "runs_on"}, Truncated: true},
				{ID: "shop", Via: []string{"depends_on"}, Repeat: true},
			}},
		CIs:  3,
		Open: index.OpenCounts{Incidents: 1, Changes: 1},
	}
	want := `db  Orders DB  [database, production]
│   open: CHG-1 (change, scheduled)
├── api  [api] via depends_on
│   │   open: INC-1 (incident, new, P2)
│   └── shop  [service] via depends_on
├── batch via depends_on, runs_on (more beyond --depth)
└── shop via depends_on (see above)

3 CIs depend on db; open: 1 incident, 0 problems, 1 change
`
	var b bytes.Buffer
	if err := WriteTree(&b, res); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

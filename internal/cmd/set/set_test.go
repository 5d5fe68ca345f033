package set

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/record"
)

func TestNewCmdSetFlags(t *testing.T) {
	tests := []struct {
		args []string
		want Options
	}{
		{[]string{"INC-000001", "impact=1"}, Options{ID: "INC-000001", Args: []string{"impact=1"}}},
		{[]string{"web", "owner=ops", "support_group="}, Options{ID: "web", Args: []string{"owner=ops", "support_group="}}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdSet(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
	cmd := NewCmdSet(&command.Factory{}, func(context.Context, *Options) error { return nil })
	cmd.SetArgs([]string{"INC-000001"})
	if err := cmd.Execute(); err == nil {
		t.Error("set with an ID alone was accepted")
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		kind    record.Kind
		field   string
		refused bool
	}{
		{record.Incident, "id", true},
		{record.Incident, "kind", true},
		{record.Incident, "state", true},
		{record.Incident, "timeline", true},
		{record.Incident, "opened_at", true},
		{record.CI, "lifecycle", true},
		{record.Incident, "impact", false},
		{record.Incident, "resolved_at", false},
		{record.Change, "lifecycle", false},
	}
	for _, tt := range tests {
		if got := Refused(tt.kind, tt.field) != ""; got != tt.refused {
			t.Errorf("Refused(%s, %s) = %v, want %v", tt.kind, tt.field, got, tt.refused)
		}
	}
}

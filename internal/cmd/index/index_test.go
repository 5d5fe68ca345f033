package index

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
)

func TestNewCmdIndexFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr bool
	}{
		{[]string{}, Options{}, false},
		{[]string{"--rebuild"}, Options{Rebuild: true}, false},
		{[]string{"--no-cache"}, Options{NoCache: true}, false},
		{[]string{"--out", "records.json"}, Options{Out: "records.json"}, false},
		{[]string{"-o", "-"}, Options{Out: "-"}, false},
		{[]string{"extra"}, Options{}, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdIndex(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
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

package validate

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
)

func TestNewCmdValidateFlags(t *testing.T) {
	tests := []struct {
		args      []string
		want      Options
		wantUsage bool
	}{
		{[]string{}, Options{}, false},
		{[]string{"incidents/INC-000001.yaml", "cis"}, Options{Paths: []string{"incidents/INC-000001.yaml", "cis"}}, false},
		{[]string{"--base", "origin/main"}, Options{Base: "origin/main"}, false},
		{[]string{"--base", "origin/main", "--all", "--strict"}, Options{Base: "origin/main", All: true, Strict: true}, false},
		{[]string{"--all"}, Options{}, true},
		{[]string{"--no-cache", "--base", "origin/main"}, Options{Base: "origin/main", NoCache: true}, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdValidate(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			var ue *command.UsageError
			if tt.wantUsage != errors.As(err, &ue) {
				t.Fatalf("error: got %v, want a usage error %v", err, tt.wantUsage)
			}
			if err == nil {
				if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Factory"), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("options (-want +got):\n%s", diff)
				}
			}
		})
	}
}

package importcmd

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/iostreams"
)

func TestNewCmdServiceNowFlags(t *testing.T) {
	tests := []struct {
		args   []string
		format string
		want   Options
	}{
		{[]string{"x.csv"}, "", Options{File: "x.csv", Timezone: "UTC", Format: "text"}},
		{[]string{"-", "--into", "r", "--timezone", "Europe/Berlin", "--author", "A <a@b.c>"}, "json",
			Options{File: "-", Into: "r", Timezone: "Europe/Berlin", Author: "A <a@b.c>", Format: "json"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &command.Factory{IO: ios, Format: tt.format}
			var got *Options
			cmd := NewCmdServiceNow(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

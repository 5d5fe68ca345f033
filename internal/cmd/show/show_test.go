package show

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitsm/gitsm/internal/command"
)

func TestNewCmdShowFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr bool
	}{
		{[]string{"INC-000001"}, Options{ID: "INC-000001"}, false},
		{[]string{"orders-db", "--as-of", "2026-03-01"}, Options{ID: "orders-db", AsOf: "2026-03-01"}, false},
		{[]string{"../../etc/passwd"}, Options{}, true},
		{[]string{"INC-1/../x"}, Options{}, true},
		{[]string{}, Options{}, true},
		{[]string{"INC-1", "INC-2"}, Options{}, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			cmd := NewCmdShow(&command.Factory{}, func(_ context.Context, o *Options) error { got = o; return nil })
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

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"2026-03-02T10:14:00Z", time.Date(2026, 3, 2, 10, 14, 0, 0, time.UTC), false},
		{"2026-03-02T11:14:00+01:00", time.Date(2026, 3, 2, 10, 14, 0, 0, time.UTC), false},
		{"2026-03-02", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), false},
		{"2026-03-02 10:14", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := map[time.Duration]string{
		0:                               "0m",
		-time.Hour:                      "0m",
		45 * time.Minute:                "45m",
		73 * time.Minute:                "1h13m",
		28*time.Hour + 30*time.Minute:   "1d4h30m",
		48 * time.Hour:                  "2d",
		59*time.Minute + 45*time.Second: "1h",
		24*time.Hour + 20*time.Second:   "1d",
	}
	for d, want := range tests {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v): got %s, want %s", d, got, want)
		}
	}
}

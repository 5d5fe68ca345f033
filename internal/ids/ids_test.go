package ids

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/record"
)

func TestParseKind(t *testing.T) {
	prefixes := map[string]string{"incident": "INC", "problem": "PRB", "change": "RFC"}
	tests := []struct {
		arg  string
		want record.Kind
		ok   bool
	}{
		{"incident", record.Incident, true},
		{"Incident", record.Incident, true},
		{"INCIDENTS", record.Incident, true},
		{"inc", record.Incident, true},
		{"prb", record.Problem, true},
		{"rfc", record.Change, true},
		{"chg", "", false}, // the prefix is configured as RFC
		{"changes", record.Change, true},
		{"CI", record.CI, true},
		{"cis", record.CI, true},
		{"sla", record.SLA, true},
		{"calendars", record.Calendar, true},
		{"", "", false},
		{"release", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, ok := ParseKind(tt.arg, prefixes)
			if ok != tt.ok || got.Kind != tt.want {
				t.Errorf("ParseKind(%q) = %v, %v; want %v, %v", tt.arg, got.Kind, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		name string
		want int64
		ok   bool
	}{
		{"INC-000123.yaml", 123, true},
		{"INC-000123", 123, true},
		{"INC-7.yaml", 7, true},
		{"INC-.yaml", 0, false},
		{"INC-12a.yaml", 0, false},
		{"PRB-000001.yaml", 0, false},
		{"INC-0000000000001.yaml", 0, false}, // 13 digits
		{"XINC-000001.yaml", 0, false},
		{"INC-000001.yml", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Number(tt.name, "INC")
			if got != tt.want || ok != tt.ok {
				t.Errorf("Number(%q) = %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		n      int64
		digits int
		want   string
	}{
		{1, 6, "INC-000001"},
		{123456, 6, "INC-123456"},
		{1234567, 6, "INC-1234567"},
		{5, 1, "INC-5"},
	}
	for _, tt := range tests {
		if got := Format("INC", tt.n, tt.digits); got != tt.want {
			t.Errorf("Format(INC, %d, %d) = %q, want %q", tt.n, tt.digits, got, tt.want)
		}
	}
}

func TestPath(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 14, 0, 0, time.UTC)
	inc, _ := record.Lookup(record.Incident)
	ci, _ := record.Lookup(record.CI)
	tests := []struct {
		name    string
		layout  string
		info    record.Info
		id      string
		want    string
		wantErr bool
	}{
		{"default incident", config.Default().Layout["incident"], inc, "INC-000001", "incidents/2026/INC-000001.yaml", false},
		{"month", "incidents/{yyyy}/{mm}/{id}.yaml", inc, "INC-000001", "incidents/2026/03/INC-000001.yaml", false},
		{"day", "incidents/{yyyy}-{mm}-{dd}/{id}.yaml", inc, "INC-000001", "incidents/2026-03-02/INC-000001.yaml", false},
		{"flat ci", config.Default().Layout["ci"], ci, "checkout-api", "cis/checkout-api.yaml", false},
		{"wrong folder", "problems/{id}.yaml", inc, "INC-000001", "", true},
		{"escapes", "incidents/../{id}.yaml", inc, "INC-000001", "", true},
		{"absolute", "/incidents/{id}.yaml", inc, "INC-000001", "", true},
		{"no id in name", "incidents/{id}/record.yaml", inc, "INC-000001", "", true},
		{"unknown placeholder", "incidents/{year}/{id}.yaml", inc, "INC-000001", "", true},
		{"hidden folder", "incidents/.drafts/{id}.yaml", inc, "INC-000001", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Path(tt.layout, tt.info, tt.id, at)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Path(%q) error = %v, wantErr %v", tt.layout, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Path(%q) mismatch (-want +got):\n%s", tt.layout, diff)
			}
		})
	}
}

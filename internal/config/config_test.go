package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTemplateConstraints(t *testing.T) {
	tests := []struct {
		name, src, wantErr string
		want               []Template
	}{
		{name: "constraints", src: "templates:\n  - {id: std-a, title: A, cis: [lb-public], risks: [low, moderate], environments: [production]}\n",
			want: []Template{{ID: "std-a", Title: "A", CIs: []string{"lb-public"}, Risks: []string{"low", "moderate"}, Environments: []string{"production"}}}},
		{name: "none", src: "templates:\n  - {id: std-a, title: A}\n", want: []Template{{ID: "std-a", Title: "A"}}},
		{name: "unknown risk", src: "templates:\n  - {id: std-a, risks: [tiny]}\n", wantErr: `template std-a: risk "tiny" is not one of`},
		{name: "unknown environment", src: "templates:\n  - {id: std-a, environments: [prod]}\n", wantErr: `template std-a: environment "prod" is not one of`},
		{name: "no id", src: "templates:\n  - {title: A}\n", wantErr: "a template has no id"},
		{name: "unknown key", src: "templates:\n  - {id: std-a, risk: low}\n", wantErr: "unknown setting risk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.Templates); diff != "" {
				t.Errorf("templates (-want +got):\n%s", diff)
			}
		})
	}
}

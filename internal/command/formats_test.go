package command_test

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/command"
)

func TestCheckFormat(t *testing.T) {
	root := &cobra.Command{Use: "gitsm"}
	list := command.OfferFormats(&cobra.Command{Use: "list", Run: func(*cobra.Command, []string) {}}, "text", "json")
	newCmd := &cobra.Command{Use: "new", Run: func(*cobra.Command, []string) {}}
	root.AddCommand(list, newCmd)
	tests := []struct {
		name  string
		cmd   *cobra.Command
		value string
		usage string // FormatUsage
		ok    bool
	}{
		{"offered", list, "json", "output `FORMAT`: text or json (default text)", true},
		{"not given", newCmd, "", "output `FORMAT`: none offered by this command", true},
		{"not offered", list, "sarif", "", false},
		{"a command with none", newCmd, "json", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := command.CheckFormat(tt.cmd, tt.value)
			var ue *command.UsageError
			if tt.ok && err != nil || !tt.ok && !errors.As(err, &ue) {
				t.Errorf("CheckFormat(%s, %q) = %v, want ok %v (a UsageError otherwise)", tt.cmd.Name(), tt.value, err, tt.ok)
			}
			if tt.usage != "" {
				if got := command.FormatUsage(tt.cmd); got != tt.usage {
					t.Errorf("FormatUsage = %q, want %q", got, tt.usage)
				}
			}
		})
	}
}

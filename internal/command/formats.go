package command

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

const formatsKey = "gitsm/formats"

// OfferFormats declares the --format values cmd offers, its default first, and returns cmd.
// A command that declares none refuses --format. The declaration drives the one check of
// --format (CheckFormat, run before any command), the flag's help and its completion.
func OfferFormats(cmd *cobra.Command, formats ...string) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[formatsKey] = strings.Join(formats, ",")
	return cmd
}

// Formats returns the --format values cmd offers, its default first; none when it offers none.
func Formats(cmd *cobra.Command) []string {
	s := cmd.Annotations[formatsKey]
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// CheckFormat refuses a --format value that cmd does not offer (exit 2). An empty value (no
// --format given) is always fine.
func CheckFormat(cmd *cobra.Command, value string) error {
	if value == "" {
		return nil
	}
	offered := Formats(cmd)
	if len(offered) == 0 {
		return UsageErrorf("--format is not offered here: gitsm %s prints one fixed form", strings.TrimPrefix(cmd.CommandPath(), "gitsm "))
	}
	if !slices.Contains(offered, value) {
		return UsageErrorf("--format %s is not offered here; use one of %s", value, strings.Join(offered, ", "))
	}
	return nil
}

// FormatUsage is the --format flag's help for cmd: the formats it offers.
func FormatUsage(cmd *cobra.Command) string {
	offered := Formats(cmd)
	switch len(offered) {
	case 0:
		return "output `FORMAT`: none offered by this command"
	case 1:
		return "output `FORMAT`: " + offered[0]
	}
	return "output `FORMAT`: " + strings.Join(offered[:len(offered)-1], ", ") + " or " + offered[len(offered)-1] + " (default " + offered[0] + ")"
}

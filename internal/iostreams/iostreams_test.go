package iostreams

import (
	"testing"
)

func TestSystemNoColor(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set", map[string]string{"TERM": "xterm-256color"}, false},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1", "TERM": "xterm"}, true},
		{"CLICOLOR=0", map[string]string{"CLICOLOR": "0", "TERM": "xterm"}, true},
		{"CLICOLOR=1", map[string]string{"CLICOLOR": "1", "TERM": "xterm"}, false},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"NO_COLOR", "CLICOLOR", "TERM"} {
				t.Setenv(k, tt.env[k])
			}
			if got := System().NoColor; got != tt.want {
				t.Errorf("NoColor: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want, wantLine string
	}{
		{"plain", "Checkout API returns 502", "Checkout API returns 502", "Checkout API returns 502"},
		{"unicode kept", "Zahlung fehlgeschlagen – 😀 ü", "Zahlung fehlgeschlagen – 😀 ü", "Zahlung fehlgeschlagen – 😀 ü"},
		{"title and colour escapes", "x\x1b]0;pwned\a\x1b[31mred", `x\x1b]0;pwned\x07\x1b[31mred`, `x\x1b]0;pwned\x07\x1b[31mred`},
		{"newline and tab", "a\nb\tc\r", "a\nb\tc\\r", `a\nb\tc\r`},
		{"DEL and NUL", "a\x7fb\x00", `a\x7fb\x00`, `a\x7fb\x00`},
		{"C1 CSI as a rune", "a\u009b31m", `a\x9b31m`, `a\x9b31m`},
		{"C1 CSI as a raw byte", "a\x9b31m", `a\x9b31m`, `a\x9b31m`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"replacement char kept", "a\ufffdb", "a\ufffdb", "a\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q): got %q, want %q", tt.in, got, tt.want)
			}
			if got := SanitizeLine(tt.in); got != tt.wantLine {
				t.Errorf("SanitizeLine(%q): got %q, want %q", tt.in, got, tt.wantLine)
			}
		})
	}
}

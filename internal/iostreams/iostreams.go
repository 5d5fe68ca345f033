// Package iostreams carries a command's standard streams: data goes to Out, diagnostics and
// progress to ErrOut, and colour and progress are shown only on a terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the streams of one run.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	StdinTTY  bool
	StdoutTTY bool
	StderrTTY bool
	// NoColor is set by --no-color, NO_COLOR, CLICOLOR=0 or TERM=dumb.
	NoColor bool
}

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StdinTTY: isTerminal(os.Stdin), StdoutTTY: isTerminal(os.Stdout), StderrTTY: isTerminal(os.Stderr),
		NoColor: ColorDisabled(os.Getenv),
	}
}

// ColorDisabled reports whether the environment asks for no colour: NO_COLOR set to anything
// (no-color.org), CLICOLOR=0 (bixense.com/clicolors), or TERM=dumb, as gh honours them.
func ColorDisabled(getenv func(string) string) bool {
	return getenv("NO_COLOR") != "" || getenv("CLICOLOR") == "0" || getenv("TERM") == "dumb"
}

// Test returns streams backed by buffers, for tests: (streams, stdin, stdout, stderr).
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// ColorOut reports whether to colour what goes to Out.
func (s *IOStreams) ColorOut() bool { return s.StdoutTTY && !s.NoColor }

// Progress reports whether to show progress on ErrOut.
func (s *IOStreams) Progress() bool { return s.StderrTTY }

// isTerminal asks the terminal driver, not the file mode: /dev/null is a character device too,
// and a process started by cron, CI or a test must not be treated as interactive.
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

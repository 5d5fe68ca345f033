// Package command holds what every gitsm command shares: the Factory (streams, global flags,
// repository discovery, environment, clock) and the typed errors that map to exit codes in one
// place (0 ok, 1 the check failed, 2 usage error or the command could not run).
package command

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/iostreams"
)

// Factory is handed to every command constructor. Global flags fill it before a command runs.
type Factory struct {
	IO *iostreams.IOStreams

	RepoFlag string // -C/--repo
	Format   string // --format ("" when not given)
	Quiet    bool   // -q

	WorkDir string // the process's working directory
	Getenv  func(string) string
	Now     func() time.Time
	Version string
}

// New returns a Factory for the real process.
func New(version string) *Factory {
	wd, _ := os.Getwd()
	return &Factory{IO: iostreams.System(), WorkDir: wd, Getenv: os.Getenv, Now: time.Now, Version: version}
}

// BaseDir is the directory that relative paths on the command line are relative to: the -C
// directory when given (as with git -C), else the working directory.
func (f *Factory) BaseDir() string {
	if f.RepoFlag == "" {
		return f.WorkDir
	}
	if filepath.IsAbs(f.RepoFlag) {
		return f.RepoFlag
	}
	return filepath.Join(f.WorkDir, f.RepoFlag)
}

// ErrNoRepo says no records repository was found.
var ErrNoRepo = errors.New("not in a gitsm records repository")

// Root finds the records repository: the first folder from BaseDir upward that holds .gitsm/
// or .git/. When there is none and -C was given, the -C folder itself is the root, so that a
// plain folder of records can be checked (as `git -C` names where to start); without -C that is
// an error.
func (f *Factory) Root() (string, error) {
	start := f.BaseDir()
	info, err := os.Stat(start)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoRepo, err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("%w: %s is not a directory", ErrNoRepo, start)
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		for _, marker := range []string{".gitsm", ".git"} {
			if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			if f.RepoFlag != "" {
				return filepath.Abs(start)
			}
			return "", fmt.Errorf("%w (no .gitsm/ or .git/ in %s or above); run `gitsm init`, or pass -C DIR to check a plain folder of records", ErrNoRepo, start)
		}
		dir = parent
	}
}

// FormatOr returns the --format value, or def when none was given; it refuses formats the
// command does not offer.
func (f *Factory) FormatOr(def string, allowed ...string) (string, error) {
	if f.Format == "" {
		return def, nil
	}
	if !slices.Contains(allowed, f.Format) {
		return "", UsageErrorf("--format %s is not offered here; use one of %s", f.Format, strings.Join(allowed, ", "))
	}
	return f.Format, nil
}

// ErrCheckFailed means the command ran and its check failed: exit 1. What failed has already
// been reported.
var ErrCheckFailed = errors.New("check failed")

// UsageError is a mistake in the command line: exit 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UsageErrorf makes a UsageError.
func UsageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// CheckFailedError is a failed check with a message to print: exit 1.
type CheckFailedError struct{ Msg string }

func (e *CheckFailedError) Error() string { return e.Msg }
func (e *CheckFailedError) Is(target error) bool {
	return target == ErrCheckFailed
}

// ExitCode maps an error returned by a command to the process's exit code.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrCheckFailed):
		return 1
	default:
		return 2
	}
}

// ShownFindings gives findings' paths (relative to the records root) as the user reaches them
// from base, the working directory or the -C folder, as git status does: what the text output
// of validate, set and transition prints. They are unchanged when base is the root; the machine
// formats keep root-relative paths.
func ShownFindings(base, root string, fs []finding.Finding) []finding.Finding {
	base, err := filepath.Abs(base)
	if err != nil || base == root {
		return fs
	}
	out := make([]finding.Finding, len(fs))
	for i, fd := range fs {
		out[i] = fd
		if fd.Path == "" {
			continue
		}
		if p, err := filepath.Rel(base, filepath.Join(root, filepath.FromSlash(fd.Path))); err == nil {
			out[i].Path = filepath.ToSlash(p)
		}
	}
	return out
}

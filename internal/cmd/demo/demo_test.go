package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/iostreams"
)

func TestRun(t *testing.T) {
	tmp := t.TempDir()
	ios, _, out, errOut := iostreams.Test()
	f := &command.Factory{IO: ios, WorkDir: tmp}
	if err := Run(context.Background(), &Options{Factory: f, Dir: "northwind"}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(out.String()), filepath.Join(tmp, "northwind"); got != want {
		t.Errorf("got %q on stdout, want %q", got, want)
	}
	if !strings.Contains(errOut.String(), "a deleted record (INC-000032)") {
		t.Errorf("the summary does not name the deleted record:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(tmp, "northwind", "incidents", "2026", "INC-000014.yaml")); err != nil {
		t.Errorf("main is not checked out: %v", err)
	}

	// A folder that is not empty is refused as a usage error (exit 2).
	err := Run(context.Background(), &Options{Factory: f, Dir: "northwind"})
	var ue *command.UsageError
	if !errors.As(err, &ue) || command.ExitCode(err) != 2 {
		t.Errorf("got %v (exit %d), want a usage error, exit 2", err, command.ExitCode(err))
	}
}

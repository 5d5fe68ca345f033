package authoring

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/record"
)

// Temporary files are written under the git folder (.git/gitsm/tmp), where git never lists
// them as untracked and which is on the same file system as the work tree, so that the final
// rename or link is atomic. Outside a git repository they go beside the file, named
// .<name>.gitsm-*, and the next write into that folder removes those left by a killed run.
const (
	tmpPrefix = ".gitsm-"
	staleAge  = time.Hour
)

// GitDir returns the git folder of the work tree that holds dir: the first .git found from
// dir upward (a folder, or a file `gitdir: PATH` as in linked work trees and submodules), or
// "" when there is none.
func GitDir(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		info, err := os.Lstat(filepath.Join(dir, ".git"))
		if err == nil {
			if info.IsDir() {
				return filepath.Join(dir, ".git")
			}
			b, err := record.Read(dir, ".git", 4096)
			if err != nil {
				return ""
			}
			if rest, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:"); ok {
				g := strings.TrimSpace(rest)
				if !filepath.IsAbs(g) {
					g = filepath.Join(dir, g)
				}
				return g
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// scratch returns the folder for the temporary files of a write to path, creating it, or ""
// when temporary files go beside path.
func scratch(path string) string {
	g := GitDir(filepath.Dir(path))
	if g == "" {
		return ""
	}
	dir := filepath.Join(g, "gitsm", "tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	return dir
}

// tempFile writes data and mode to a new temporary file for path and flushes it to disk. The
// caller renames or links it into place and removes it.
func tempFile(path string, data []byte, mode fs.FileMode) (string, error) {
	dir, pattern := scratch(path), tmpPrefix+"*"
	if dir == "" {
		dir, pattern = filepath.Dir(path), "."+filepath.Base(path)+tmpPrefix+"*"
	}
	cleanStale(dir)
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// cleanStale removes gitsm's temporary files in dir that a killed run left behind: those
// older than an hour, so that a write in progress is never touched.
func cleanStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.Contains(e.Name(), tmpPrefix) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAge {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// WriteFile replaces the file at path with data atomically: it writes a temporary file (under
// the git folder), flushes it to disk, gives it the old file's mode and renames it over the old
// file, so that readers see either the old or the new content and a failed write leaves the
// old file intact. It refuses to write through a symlink.
func WriteFile(path string, data []byte) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file; gitsm does not write through symlinks", path)
	}
	tmp, err := tempFile(path, data, info.Mode().Perm())
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// ErrExists is wrapped by CreateFile when the file is already there.
var ErrExists = fs.ErrExist

// CreateFile creates a new file at path with data, failing with an error that wraps
// ErrExists when the file already exists: two processes creating the same path never both
// succeed. The file appears whole or not at all: the content is written and flushed to a
// temporary file first, then hard-linked into place, which fails when the target exists
// (where the file system has no hard links, it is created in place with O_EXCL). Missing
// parent folders are created.
func CreateFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := tempFile(path, data, 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	if err == nil {
		syncDir(filepath.Dir(path))
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	return createInPlace(path, data)
}

// createInPlace is CreateFile for file systems without hard links: O_CREATE|O_EXCL, and the
// file removed again when the write fails.
func createInPlace(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir flushes a folder's entries so that a rename or a new file survives a crash. Not every
// system can sync a folder; a failure there is not an error of the write.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}

// IsExist reports whether err says a file already exists.
func IsExist(err error) bool { return errors.Is(err, fs.ErrExist) }

// ErrBusy is wrapped by Lock when another process held the file's lock for too long.
var ErrBusy = errors.New("another gitsm is editing this record")

// lockWait is how long Lock waits for another gitsm to finish its edit.
var lockWait = 30 * time.Second

// Lock takes the edit lock of the file at path, waiting for another gitsm that holds it, and
// returns the function that releases it. Every in-place edit holds it from reading the file
// to renaming the new content into place, so that concurrent edits of one record apply one
// after the other instead of losing all but the last. The lock files live in .git/gitsm/locks
// (outside a git repository, in the system's temporary folder), named by a hash of the file's
// absolute path; the operating system releases a lock when its process ends, even by SIGKILL.
func Lock(path string) (func(), error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(os.TempDir(), "gitsm-locks")
	if g := GitDir(filepath.Dir(abs)); g != "" {
		dir = filepath.Join(g, "gitsm", "locks")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		// No place for locks (a shared temporary folder another user made): Editor.Save still
		// refuses to write over a file that changed since it was read.
		return func() {}, nil
	}
	sum := sha256.Sum256([]byte(abs))
	return lockFile(filepath.Join(dir, hex.EncodeToString(sum[:12])+".lock"), lockWait)
}

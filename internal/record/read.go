package record

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gitsm/gitsm/internal/finding"
)

// Walk lists the record files under every kind folder of the repository at root, as sorted
// repository-relative slash paths. Entries that cannot be records (symlinks, `.yml` files) come
// back as findings; they never stop the walk.
func Walk(root string) ([]string, []finding.Finding, error) {
	var paths []string
	fs_, err := WalkEach(root, func(rel string) { paths = append(paths, rel) })
	if err != nil {
		return nil, nil, err
	}
	if !slices.IsSorted(paths) {
		slices.Sort(paths)
	}
	return paths, fs_, nil
}

// foldersInOrder are the kind folders by name, so that a walk meets the files nearly always in
// sorted order.
var foldersInOrder = func() []string {
	var out []string
	for _, k := range Kinds {
		out = append(out, k.Folder)
	}
	slices.Sort(out)
	return out
}()

// WalkEach is Walk giving each record file's path to file as the walk finds it, so that work
// on the files can start before the walk ends. The paths come in walk order: the kind folders
// by name, each folder's entries by name. That is sorted unless a name holds a character that
// sorts before '/', such as '-' or '.' (`2024-old.yaml` comes after the folder `2024/`).
func WalkEach(root string, file func(rel string)) ([]finding.Finding, error) {
	var fs_ []finding.Finding
	for _, folder := range foldersInOrder {
		dir := filepath.Join(root, folder)
		info, err := os.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			fs_ = append(fs_, fileFinding(folder, "the %s folder is a symlink; gitsm does not follow symlinks", folder))
			continue
		}
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			// p is dir joined with the path below it: cut, not filepath.Rel, which cleans. Where
			// the separator is '/', rel is the end of p (dir ends with folder), not a copy.
			var rel string
			if filepath.Separator == '/' {
				rel = p[len(dir)-len(folder):]
			} else {
				rel = folder + filepath.ToSlash(p[len(dir):])
			}
			if err != nil {
				fs_ = append(fs_, fileFinding(rel, "cannot read: %v", err))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if strings.HasPrefix(name, ".") && p != dir {
					return fs.SkipDir
				}
				return nil
			}
			isYAML := strings.HasSuffix(name, ".yaml")
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				if isYAML || strings.HasSuffix(name, ".yml") {
					fs_ = append(fs_, fileFinding(rel, "is a symlink; records must be regular files in the repository"))
				} else if target, err := os.Stat(p); err == nil && target.IsDir() {
					// WalkDir does not follow it: without a finding, the records behind it
					// would silently go unchecked.
					fs_ = append(fs_, fileFinding(rel, "is a symlink to a folder; gitsm does not follow symlinks, so no record in it is checked"))
				}
			case strings.HasSuffix(name, ".yml"):
				f := fileFinding(rel, "record files use the .yaml extension; rename it to %s", strings.TrimSuffix(name, ".yml")+".yaml")
				f.Severity = finding.Warning
				fs_ = append(fs_, f)
			case isYAML && !d.Type().IsRegular():
				fs_ = append(fs_, fileFinding(rel, "is not a regular file"))
			case isYAML:
				file(rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return fs_, nil
}

func fileFinding(rel, format string, args ...any) finding.Finding {
	return finding.Finding{Path: rel, Severity: finding.Error, Rule: "file", Message: fmt.Sprintf(format, args...)}
}

// Resolve turns a path given on the command line (relative to the working directory base, or
// absolute) into a repository-relative slash path ("." for the root itself), refusing paths
// outside the repository or through symlinks that lead out of it. A path through a symlinked
// folder inside the repository (or naming one) comes back as the real folder's path, so that a
// record named through it is the record the walk finds, not a second file with the same ID; a
// file that is itself a symlink keeps its name, and reading it gives the `file` finding.
func Resolve(root, base, arg string) (string, error) {
	p := arg
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	p, err = filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absRoot, p)
	if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
		return "", fmt.Errorf("%s is outside the repository %s", arg, root)
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return "", err
	}
	// The folders are resolved; the last name is too when it is a folder (`validate .`).
	real := ""
	if info, err := os.Stat(p); err == nil && info.IsDir() {
		real, _ = filepath.EvalSymlinks(p)
	} else if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		real = filepath.Join(dir, filepath.Base(p))
	}
	if real == "" {
		return filepath.ToSlash(rel), nil
	}
	r, err := filepath.Rel(realRoot, real)
	if err != nil || !(r == "." || filepath.IsLocal(r)) {
		return "", fmt.Errorf("%s leads outside the repository through a symlink", arg)
	}
	return filepath.ToSlash(r), nil
}

// ReadFile reads the record file at the repository-relative path rel. It refuses symlinks,
// non-regular files and files over maxSize, returning a `file` finding instead of the content.
// It trusts the folders on the way, which Walk and Resolve have checked; other files are read
// with Read.
func ReadFile(root, rel string, maxSize int64) ([]byte, *finding.Finding) {
	src, err := readChecked(filepath.Join(root, filepath.FromSlash(rel)), maxSize, " (max_file_size in .gitsm/config.yaml)")
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			f := fileFinding(rel, "%s", fe.Msg)
			return nil, &f
		}
		f := fileFinding(rel, "cannot read: %v", unwrapPath(err))
		return nil, &f
	}
	return src, nil
}

// FileError says why a file was not read: a symlink, not a regular file, too large.
type FileError struct {
	Path string // as given to Read
	Msg  string // what is wrong with it, without its name
}

func (e *FileError) Error() string { return e.Path + " " + e.Msg }

// Read is the one way gitsm reads a file of the repository at root that is not a record found
// by Walk (settings, policy, anything new): rel must be a local slash path; neither the file
// nor a folder on the way to it may be a symlink; it must be a regular file of at most maxSize
// bytes. The open never blocks (a FIFO put in its place gives an error, not a hang) and never
// reads more than maxSize+1 bytes (a device gives an error, not unbounded memory). A missing
// file gives an error that wraps fs.ErrNotExist; what is wrong with the file, a *FileError.
func Read(root, rel string, maxSize int64) ([]byte, error) {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return nil, &FileError{Path: rel, Msg: "is outside the repository"}
	}
	dir := root
	parts := strings.Split(rel, "/")
	for i, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		info, err := os.Lstat(dir)
		if err != nil {
			return nil, err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return nil, &FileError{Path: rel, Msg: fmt.Sprintf("is in %s, a symlink; gitsm reads regular files in the repository only", strings.Join(parts[:i+1], "/"))}
		}
	}
	src, err := readChecked(filepath.Join(root, filepath.FromSlash(rel)), maxSize, "")
	var fe *FileError
	if errors.As(err, &fe) {
		fe.Path = rel
		if fe.Msg == symlinkRecord {
			fe.Msg = "is a symlink; gitsm reads regular files in the repository only"
		}
	}
	return src, err
}

// readChecked reads the file at full when it is a regular file of at most maxSize bytes;
// sizeHint follows the message of a file too large.
func readChecked(full string, maxSize int64, sizeHint string) ([]byte, error) {
	info, err := os.Lstat(full)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return nil, &FileError{Path: full, Msg: symlinkRecord}
	}
	if !info.Mode().IsRegular() {
		return nil, &FileError{Path: full, Msg: "is not a regular file"}
	}
	if info.Size() > maxSize {
		return nil, &FileError{Path: full, Msg: fmt.Sprintf("is %d bytes, over the limit of %d bytes%s", info.Size(), maxSize, sizeHint)}
	}
	src, err := readAll(full, info.Size(), maxSize)
	if errors.Is(err, errNotRegular) {
		return nil, &FileError{Path: full, Msg: "is not a regular file"}
	}
	if err != nil {
		return nil, err
	}
	if int64(len(src)) > maxSize {
		return nil, &FileError{Path: full, Msg: fmt.Sprintf("is over the limit of %d bytes%s", maxSize, sizeHint)}
	}
	return src, nil
}

const symlinkRecord = "is a symlink; records must be regular files in the repository"

// errNotRegular is returned by readAll when what it opened is not a regular file: something
// else was put in the file's place after Lstat.
var errNotRegular = errors.New("not a regular file")

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// CheckText reports content that is not text: NUL bytes or invalid UTF-8, with the position
// of the first offending byte.
func CheckText(rel string, src []byte) *finding.Finding {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line, col := position(src, i)
		return &finding.Finding{Path: rel, Line: line, Column: col, Severity: finding.Error, Rule: "file",
			Message: "contains a NUL byte: this is a binary file, not a YAML record"}
	}
	if utf8.Valid(src) {
		return nil
	}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			line, col := position(src, i)
			return &finding.Finding{Path: rel, Line: line, Column: col, Severity: finding.Error, Rule: "file",
				Message: fmt.Sprintf("is not valid UTF-8 (byte 0x%02x at offset %d); save it as UTF-8", src[i], i)}
		}
		i += size
	}
	return nil
}

func position(src []byte, offset int) (line, col int) {
	before := src[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = offset - bytes.LastIndexByte(before, '\n')
	return line, col
}

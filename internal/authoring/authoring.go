// Package authoring holds what the commands that write records (`gitsm new`, `gitsm set`,
// `gitsm transition`) share: finding a record file by its ID, the IDs already taken in the
// work tree and on every branch, typing command-line values by the schema, the author and time
// of an edit, and writing files so that a failed write never leaves a broken record behind.
package authoring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/record"
)

// Assignment is one `field=value` argument: Path is the field, split at dots for nested
// fields (resolution.code); an empty Raw with Clear set removes the field (`field=`); Append
// adds items to a list (`field+=a,b`) and Remove takes them out (`field-=a`).
type Assignment struct {
	Path   []string
	Raw    string
	Clear  bool
	Append bool
	Remove bool
}

// Field returns the field path as written.
func (a Assignment) Field() string { return strings.Join(a.Path, ".") }

var segment = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)

// ParseAssignment reads one `field=value`, `field.sub=value`, `field=`, `field+=value` or
// `field-=value` argument.
func ParseAssignment(arg string) (Assignment, error) {
	key, raw, ok := strings.Cut(arg, "=")
	if !ok {
		return Assignment{}, command.UsageErrorf("%q is not field=value", arg)
	}
	var a Assignment
	if k, ok := strings.CutSuffix(key, "+"); ok {
		key, a.Append = k, true
	} else if k, ok := strings.CutSuffix(key, "-"); ok {
		key, a.Remove = k, true
	}
	for _, seg := range strings.Split(key, ".") {
		if !segment.MatchString(seg) {
			return Assignment{}, command.UsageErrorf("%q is not a field name (field or field.sub)", key)
		}
		a.Path = append(a.Path, seg)
	}
	a.Raw = raw
	if raw == "" {
		if a.Append || a.Remove {
			return Assignment{}, command.UsageErrorf("%s needs the items to add or remove", arg)
		}
		a.Clear = true
	}
	return a, nil
}

// ParseAssignments reads every argument with ParseAssignment, refusing a field given twice.
func ParseAssignments(args []string) ([]Assignment, error) {
	seen := map[string]bool{}
	out := make([]Assignment, 0, len(args))
	for _, arg := range args {
		a, err := ParseAssignment(arg)
		if err != nil {
			return nil, err
		}
		if seen[a.Field()] && !a.Append && !a.Remove {
			return nil, command.UsageErrorf("%s is given twice", a.Field())
		}
		seen[a.Field()] = true
		out = append(out, a)
	}
	return out, nil
}

// ErrNotFound is wrapped by Find when no record has the ID.
var ErrNotFound = errors.New("record not found")

type notFound struct{ msg string }

func (e *notFound) Error() string        { return e.msg }
func (e *notFound) Is(target error) bool { return target == ErrNotFound }

// Find returns the repository-relative path of the record file with this ID: `<ID>.yaml`
// anywhere under the folder of the kind its prefix names (numbered IDs) or under the folders of
// the slug kinds (CIs, SLAs, calendars). prefixes are the configured ID prefixes.
func Find(root, id string, prefixes map[string]string) (string, error) {
	if !record.ValidID(id) {
		return "", command.UsageErrorf("%q is not a record ID (such as INC-000123 or checkout-api)", id)
	}
	var folders []string
	if m := record.NumberedPattern.FindStringSubmatch(id); m != nil {
		for _, k := range record.Kinds {
			if k.Numbered && prefixes[k.Key] == m[1] {
				folders = append(folders, k.Folder)
			}
		}
		if len(folders) == 0 {
			return "", command.UsageErrorf("no kind has the ID prefix %s (prefixes in .gitsm/config.yaml)", m[1])
		}
	} else {
		for _, k := range record.Kinds {
			if !k.Numbered {
				folders = append(folders, k.Folder)
			}
		}
	}
	var found []string
	for _, folder := range folders {
		paths, err := namesUnder(root, folder, func(name string) bool { return name == id+".yaml" })
		if err != nil {
			return "", err
		}
		found = append(found, paths...)
	}
	switch len(found) {
	case 0:
		return "", &notFound{fmt.Sprintf("no record %s under %s/", id, strings.Join(folders, "/, "))}
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s is in %d files (%s); run gitsm validate and give one of them a new id", id, len(found), strings.Join(found, ", "))
}

// namesUnder lists the files under root/folder (recursively, skipping hidden folders and
// symlinks) whose name keep accepts, as repository-relative slash paths.
func namesUnder(root, folder string, keep func(name string) bool) ([]string, error) {
	dir := filepath.Join(root, folder)
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, nil
	}
	var out []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink == 0 && keep(d.Name()) {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", folder, err)
	}
	return out, nil
}

// Timestamp formats t as gitsm writes times: RFC 3339 in UTC, to the second.
func Timestamp(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// ParseTime checks a time given on the command line (--at) and returns it as written. It must
// be RFC 3339 with seconds and an offset, as records hold it.
func ParseTime(s string) (string, time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", time.Time{}, command.UsageErrorf("--at %q is not an RFC 3339 time with an offset, such as 2026-03-02T10:14:00Z", s)
	}
	return s, t, nil
}

// Shown is the path of a record as the user reaches it from wd: the -C folder when given, as
// with git -C, else the working directory.
func Shown(wd, root, rel string) string {
	if p, err := filepath.Rel(wd, filepath.Join(root, filepath.FromSlash(rel))); err == nil {
		return filepath.ToSlash(p)
	}
	return rel
}

// Package ids holds the pure rules of record IDs that `gitsm new` needs: which kind a word on
// the command line names, how numbered IDs are formed and read back from file names, and where
// the configured layout puts a record's file.
package ids

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/record"
)

// ParseKind resolves the KIND argument of `gitsm new`: a kind's name (incident, CI), its folder
// (incidents, cis) or, for numbered kinds, its ID prefix from the config (inc, chg), in any
// case.
func ParseKind(arg string, prefixes map[string]string) (record.Info, bool) {
	a := strings.ToLower(strings.TrimSpace(arg))
	if a == "" {
		return record.Info{}, false
	}
	for _, k := range record.Kinds {
		if a == k.Key || a == k.Folder || a == strings.ToLower(string(k.Kind)) {
			return k, true
		}
		if p := prefixes[k.Key]; k.Numbered && p != "" && a == strings.ToLower(p) {
			return k, true
		}
	}
	return record.Info{}, false
}

// KindWords lists the words ParseKind accepts, for help and error messages.
func KindWords() string {
	names := make([]string, len(record.Kinds))
	for i, k := range record.Kinds {
		names[i] = k.Key
	}
	return strings.Join(names, ", ")
}

// Number returns the number of the numbered ID with this prefix that a file name stands for
// (INC-000123.yaml or the stem INC-000123 → 123), and false for any other name.
func Number(name, prefix string) (int64, bool) {
	stem := strings.TrimSuffix(name, ".yaml")
	digits, ok := strings.CutPrefix(stem, prefix+"-")
	if !ok || digits == "" || len(digits) > 12 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}

// Format makes a numbered ID: the prefix, a dash and the number padded with zeros to digits.
func Format(prefix string, n int64, digits int) string {
	return fmt.Sprintf("%s-%0*d", prefix, digits, n)
}

// Path expands a layout pattern of the config (`incidents/{yyyy}/{id}.yaml`) for a record with
// this ID created at t: {yyyy} is the year, {mm} the month, {dd} the day (of t in its own
// location), {id} the ID. The result must be a relative path under the kind's folder whose file
// name is the ID with the extension .yaml, or gitsm would create a record that does not
// validate.
func Path(layout string, info record.Info, id string, t time.Time) (string, error) {
	r := strings.NewReplacer(
		"{yyyy}", fmt.Sprintf("%04d", t.Year()),
		"{mm}", fmt.Sprintf("%02d", int(t.Month())),
		"{dd}", fmt.Sprintf("%02d", t.Day()),
		"{id}", id,
	)
	p := r.Replace(layout)
	switch {
	case strings.ContainsAny(p, "{}"):
		return "", fmt.Errorf("layout %q for %s has an unknown placeholder; use {yyyy}, {mm}, {dd} and {id}", layout, info.Key)
	case strings.Contains(p, "\\") || path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, "../"):
		return "", fmt.Errorf("layout %q for %s must be a clean relative slash path", layout, info.Key)
	case !strings.HasPrefix(p, info.Folder+"/"):
		return "", fmt.Errorf("layout %q for %s must put records under %s/", layout, info.Key, info.Folder)
	case path.Base(p) != id+".yaml":
		return "", fmt.Errorf("layout %q for %s must end in {id}.yaml, so that the file name matches the id", layout, info.Key)
	}
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", fmt.Errorf("layout %q for %s has a hidden folder, which gitsm skips", layout, info.Key)
		}
	}
	return p, nil
}

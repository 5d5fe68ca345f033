package index

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitsm/gitsm/internal/record"
)

// ParseKind reads a kind as users type it: the kind's name, its key, its folder or its ID
// prefix, in any case ("incident", "Incidents", "INC", "ci", "cis").
func ParseKind(s string, prefixes map[string]string) (record.Kind, bool) {
	for _, k := range record.Kinds {
		names := []string{string(k.Kind), k.Key, k.Folder}
		if p := prefixes[k.Key]; p != "" {
			names = append(names, p)
		}
		for _, n := range names {
			if strings.EqualFold(s, n) {
				return k.Kind, true
			}
		}
	}
	return "", false
}

// Value returns a field of a record for filtering and sorting: the built-in id, kind, path
// and title, or a top-level field of the record.
func Value(r *record.Record, field string) (any, bool) {
	switch field {
	case "id":
		return r.ID, r.ID != ""
	case "kind":
		return string(r.Kind), true
	case "path":
		return r.Path, true
	case "title":
		return r.Title, r.Title != ""
	}
	return r.Fields.Get(field)
}

// Cond is one `--where` condition.
type Cond struct {
	Field string
	Op    string // =, !=, <, <=, >, >=
	Value string
}

var fieldPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// ParseCond reads `field=value`, `field!=value`, `field<value`, `field<=value`, `field>value`
// or `field>=value`.
func ParseCond(s string) (Cond, error) {
	i := strings.IndexAny(s, "=!<>")
	if i < 0 {
		return Cond{}, fmt.Errorf("--where %q: write field=value (or !=, <, <=, >, >=)", s)
	}
	c := Cond{Field: strings.TrimSpace(s[:i])}
	rest := s[i:]
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			c.Op, c.Value = op, strings.TrimSpace(rest[len(op):])
			break
		}
	}
	if c.Op == "" || !fieldPattern.MatchString(c.Field) {
		return Cond{}, fmt.Errorf("--where %q: write field=value (or !=, <, <=, >, >=)", s)
	}
	return c, nil
}

// Match reports whether a record satisfies the condition. A list field matches `=` when it
// contains the value; numbers compare as numbers and timestamps as instants; strings compare
// without regard to case. A missing field equals only the empty value.
func (c Cond) Match(r *record.Record) bool {
	v, ok := Value(r, c.Field)
	if !ok {
		switch c.Op {
		case "=":
			return c.Value == ""
		case "!=":
			return c.Value != ""
		}
		return false
	}
	if list, isList := v.([]string); isList {
		switch c.Op {
		case "=":
			if c.Value == "" {
				return len(list) == 0
			}
			return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, c.Value) })
		case "!=":
			if c.Value == "" {
				return len(list) > 0
			}
			return !slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, c.Value) })
		}
		return slices.ContainsFunc(list, func(s string) bool { return c.holds(compareText(s, c.Value)) })
	}
	return c.holds(compareValue(v, c.Value))
}

func (c Cond) holds(n int) bool {
	switch c.Op {
	case "=":
		return n == 0
	case "!=":
		return n != 0
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	}
	return n >= 0
}

// compareValue compares a field value with a value typed on the command line.
func compareValue(v any, s string) int {
	switch v := v.(type) {
	case int64:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return cmp.Compare(float64(v), f)
		}
		return strings.Compare(strconv.FormatInt(v, 10), s)
	case float64:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return cmp.Compare(v, f)
		}
		return strings.Compare(strconv.FormatFloat(v, 'g', -1, 64), s)
	case bool:
		return compareText(strconv.FormatBool(v), s)
	case string:
		return compareText(v, s)
	}
	return compareText(fmt.Sprint(v), s)
}

// compareText compares two strings as IDs (INC-99 before INC-100) when both are numbered IDs,
// as numbers when both are, as instants when both are timestamps (or dates), and otherwise
// without regard to case.
func compareText(a, b string) int {
	if _, _, ok := splitNumbered(a); ok {
		if _, _, ok := splitNumbered(b); ok {
			return CompareIDs(a, b)
		}
	}
	if fa, err := strconv.ParseFloat(a, 64); err == nil {
		if fb, err := strconv.ParseFloat(b, 64); err == nil {
			return cmp.Compare(fa, fb)
		}
	}
	if ta, ok := instant(a); ok {
		if tb, ok := instant(b); ok {
			return ta.Compare(tb)
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func instant(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// SortKey is one `--sort` key; a leading `-` sorts descending.
type SortKey struct {
	Field string
	Desc  bool
}

// ParseSort reads a comma-separated list of fields, each optionally prefixed with `-`.
func ParseSort(s string) ([]SortKey, error) {
	var out []SortKey
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		k := SortKey{Field: f}
		if rest, ok := strings.CutPrefix(f, "-"); ok {
			k = SortKey{Field: rest, Desc: true}
		}
		if !fieldPattern.MatchString(k.Field) {
			return nil, fmt.Errorf("--sort %q: name fields, such as priority or -opened_at", s)
		}
		out = append(out, k)
	}
	return out, nil
}

// Filter returns the records of kind (all kinds when "") that satisfy every condition.
func Filter(recs []*record.Record, kind record.Kind, conds []Cond) []*record.Record {
	var out []*record.Record
next:
	for _, r := range recs {
		if kind != "" && r.Kind != kind {
			continue
		}
		for _, c := range conds {
			if !c.Match(r) {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

// Sort orders records by the keys, then by kind and ID. Records that lack a key's field come
// last whichever the direction. Numbers sort as numbers, timestamps as instants, IDs
// naturally (INC-99 before INC-100), other text without regard to case.
func Sort(recs []*record.Record, keys []SortKey) {
	kindOrder := map[record.Kind]int{}
	for i, k := range record.Kinds {
		kindOrder[k.Kind] = i
	}
	// Work out each sort value once, not once per comparison.
	type row struct {
		r    *record.Record
		vals []sortValue
	}
	rows := make([]row, len(recs))
	for i, r := range recs {
		rows[i] = row{r: r, vals: make([]sortValue, len(keys))}
		for j, k := range keys {
			if v, ok := Value(r, k.Field); ok {
				rows[i].vals[j] = toSortValue(v)
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		for j, k := range keys {
			va, vb := a.vals[j], b.vals[j]
			switch {
			case va.class == absent && vb.class == absent:
				continue
			case va.class == absent:
				return 1
			case vb.class == absent:
				return -1
			}
			n := va.compare(vb)
			if k.Desc {
				n = -n
			}
			if n != 0 {
				return n
			}
		}
		return cmp.Or(cmp.Compare(kindOrder[a.r.Kind], kindOrder[b.r.Kind]), CompareIDs(a.r.ID, b.r.ID), cmp.Compare(a.r.Path, b.r.Path))
	})
	for i := range rows {
		recs[i] = rows[i].r
	}
}

const (
	absent = iota
	number
	moment
	id
	text
)

type sortValue struct {
	class int
	num   float64
	t     time.Time
	s     string
}

func toSortValue(v any) sortValue {
	switch v := v.(type) {
	case int64:
		return sortValue{class: number, num: float64(v)}
	case float64:
		return sortValue{class: number, num: v}
	case bool:
		return sortValue{class: text, s: strconv.FormatBool(v)}
	case string:
		if _, _, ok := splitNumbered(v); ok {
			return sortValue{class: id, s: v}
		}
		if t, ok := instant(v); ok {
			return sortValue{class: moment, t: t}
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return sortValue{class: number, num: f}
		}
		return sortValue{class: text, s: strings.ToLower(v)}
	}
	return sortValue{class: text, s: strings.ToLower(Text(v))}
}

func (a sortValue) compare(b sortValue) int {
	if a.class != b.class {
		return cmp.Compare(a.class, b.class)
	}
	switch a.class {
	case number:
		return cmp.Compare(a.num, b.num)
	case moment:
		return a.t.Compare(b.t)
	case id:
		return CompareIDs(a.s, b.s)
	}
	return strings.Compare(a.s, b.s)
}

// Text renders a field value for a table cell or a CSV field.
func Text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []string:
		return strings.Join(v, ",")
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

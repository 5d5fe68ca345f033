package record

import (
	"slices"
	"strconv"
	"strings"
)

// facts are the nested values a summary keeps besides its top-level scalars, so that reports
// and SLA clocks can work from the index cache without reading the YAML again: the
// timeline's steps, an SLA's filters and goals, a calendar's hours and holidays, a
// resolution's code. A value of a list of mappings becomes one list per key, in item order
// ("timeline[].at", "timeline[].state"); a value in a mapping becomes "parent.key"; a list
// inside an item is joined with commas; numbers are written in decimal. Notes and other free
// text stay out: they would grow the cache and nothing adds them up.
var facts = map[string][]string{
	"timeline":   {"at", "state"},
	"goals":      {"priority", "duration"},
	"hours":      {"days", "start", "end"},
	"holidays":   {"date"},
	"applies_to": {"kind", "priorities", "services", "cis"},
	"resolution": {"code"},
	"review":     {"completed_at"},
}

// extractFacts encodes the facts of a record's data (see facts) as Fields.
func extractFacts(data map[string]any) Fields {
	m := map[string]any{}
	for field, keys := range facts {
		switch v := data[field].(type) {
		case []any:
			cols := make([][]string, len(keys))
			for _, item := range v {
				im, _ := item.(map[string]any)
				for i, k := range keys {
					cols[i] = append(cols[i], scalarText(im[k]))
				}
			}
			for i, k := range keys {
				if cols[i] != nil {
					m[field+"[]."+k] = cols[i]
				}
			}
		case map[string]any:
			for _, k := range keys {
				switch x := v[k].(type) {
				case nil:
				case []any:
					m[field+"."+k] = listText(x)
				default:
					m[field+"."+k] = scalarText(x)
				}
			}
		}
	}
	// A list of numbers (warn_at) is not a top-level scalar list: keep it as text.
	if w, ok := data["warn_at"].([]any); ok {
		m["warn_at"] = listText(w)
	}
	f, _ := FieldsOf(m)
	return f
}

func listText(l []any) []string {
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, scalarText(x))
	}
	return out
}

// scalarText writes a scalar as text; a list of scalars is joined with commas.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return strings.Clone(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return strings.Join(slices.Clip(listText(x)), ",")
	}
	return ""
}

// StringList is a list field read in place from an encoding: its items come one at a time,
// and nothing is allocated. The zero StringList is empty.
type StringList struct {
	r fieldReader
	n int
}

// Len is the number of items not read yet.
func (l *StringList) Len() int { return l.n }

// Next returns the next item; ok is false at the end or at a malformed encoding.
func (l *StringList) Next() (s string, ok bool) {
	if l.n <= 0 {
		return "", false
	}
	l.n--
	s = l.r.str()
	if l.r.bad {
		l.n = 0
		return "", false
	}
	return s, true
}

// PickLists positions lists[i] at the list field names[i], in one pass over the encoding; a
// field that is missing or not a list gives an empty list. names must be sorted; lists must
// be as long. A report reading the timeline of 100,000 summaries saves a walk and two slices
// a record.
func (f Fields) PickLists(names []string, lists []StringList) {
	clear(lists)
	r := fieldReader{s: f.enc}
	i := 0
	for r.off < len(r.s) && i < len(names) {
		k := r.str()
		t := r.tag()
		if r.bad {
			return
		}
		for i < len(names) && names[i] < k {
			i++
		}
		if i < len(names) && names[i] == k && t == tagStrings {
			n := r.uvarint()
			if r.bad || n > uint64(len(r.s)-r.off) { // every item takes a byte at least
				return
			}
			lists[i] = StringList{r: r, n: int(n)}
			for range n {
				r.str()
			}
			if r.bad { // as Strings: a list that cannot be read whole is not there
				lists[i] = StringList{}
				return
			}
			i++
		} else {
			r.skip(t)
		}
		if r.bad {
			return
		}
	}
}

package history

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/gitsm/gitsm/internal/yamldoc"
)

// FieldChange is one field that differs between two versions of a record. Field is a dotted
// path (`resolution.code`); list items are named by position (`cis[1]`) or, in a timeline, by
// their `at` (`timeline[2026-03-02T10:14:00Z].note`). From or To is nil where the field is absent.
type FieldChange struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Event is a timeline entry a version added: a state change as the record tells it.
type Event struct {
	At    string `json:"at"`
	State string `json:"state,omitempty"`
	By    string `json:"by,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Diff compares two versions of a record file (nil: absent) and returns the fields that differ
// and the timeline entries the new version added. A version that is not a readable YAML
// mapping gives an error; the caller still knows the commit touched the file.
func Diff(old, new []byte) ([]FieldChange, []Event, error) {
	a, err := ParseRecord(old)
	if err != nil {
		return nil, nil, fmt.Errorf("the old version: %w", err)
	}
	b, err := ParseRecord(new)
	if err != nil {
		return nil, nil, fmt.Errorf("the new version: %w", err)
	}
	d := &differ{}
	d.maps("", a, b)
	return d.fields, d.events, nil
}

// ParseRecord reads a record version as a mapping (nil for nil); aliases, duplicate keys and
// more than one document are refused, as everywhere in gitsm.
func ParseRecord(src []byte) (map[string]any, error) {
	if src == nil {
		return nil, nil
	}
	n, err := yamldoc.Parse(src)
	if err != nil {
		return nil, err
	}
	v, errs := yamldoc.Value(n)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a YAML mapping")
	}
	return m, nil
}

type differ struct {
	fields []FieldChange
	events []Event
}

func join(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

func (d *differ) maps(base string, a, b map[string]any) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		va, okA := a[k]
		vb, okB := b[k]
		if !okA {
			va = nil
		}
		if !okB {
			vb = nil
		}
		d.value(join(base, k), va, vb)
	}
}

func (d *differ) value(field string, a, b any) {
	if reflect.DeepEqual(a, b) {
		return
	}
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if okA && okB {
		d.maps(field, ma, mb)
		return
	}
	la, okA := a.([]any)
	lb, okB := b.([]any)
	if field == "timeline" && (okA || a == nil) && (okB || b == nil) {
		d.timeline(la, lb)
		return
	}
	if okA && okB {
		if keyed(la) && keyed(lb) {
			d.keyedList(field, la, lb)
			return
		}
		for i := 0; i < len(la) || i < len(lb); i++ {
			var x, y any
			if i < len(la) {
				x = la[i]
			}
			if i < len(lb) {
				y = lb[i]
			}
			d.value(field+"["+strconv.Itoa(i)+"]", x, y)
		}
		return
	}
	d.fields = append(d.fields, FieldChange{Field: field, From: a, To: b})
}

// keyed reports whether every item is a mapping with an `at`: a list of events.
func keyed(l []any) bool {
	if len(l) == 0 {
		return false
	}
	for _, it := range l {
		m, ok := it.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["at"].(string); !ok {
			return false
		}
	}
	return true
}

// itemKeys names keyed items by their `at`, with `#2`, `#3` … for repeats.
func itemKeys(l []any) ([]string, map[string]map[string]any) {
	names := make([]string, len(l))
	byName := map[string]map[string]any{}
	for i, it := range l {
		m, _ := it.(map[string]any)
		at, _ := m["at"].(string)
		name := at
		for n := 2; byName[name] != nil; n++ {
			name = at + "#" + strconv.Itoa(n)
		}
		names[i], byName[name] = name, m
	}
	return names, byName
}

func (d *differ) keyedList(field string, la, lb []any) {
	na, ma := itemKeys(la)
	nb, mb := itemKeys(lb)
	for _, n := range na {
		if _, ok := mb[n]; !ok {
			d.fields = append(d.fields, FieldChange{Field: field + "[" + n + "]", From: ma[n], To: nil})
		}
	}
	for _, n := range nb {
		if old, ok := ma[n]; ok {
			d.maps(field+"["+n+"]", old, mb[n])
		} else {
			d.fields = append(d.fields, FieldChange{Field: field + "[" + n + "]", From: nil, To: mb[n]})
		}
	}
}

// timeline reports added entries as events and edits or removals of existing ones as fields
// (rewriting a timeline's past is worth an auditor's attention).
func (d *differ) timeline(la, lb []any) {
	na, ma := itemKeys(la)
	nb, mb := itemKeys(lb)
	for _, n := range na {
		if _, ok := mb[n]; !ok {
			d.fields = append(d.fields, FieldChange{Field: "timeline[" + n + "]", From: ma[n], To: nil})
		}
	}
	for _, n := range nb {
		if old, ok := ma[n]; ok {
			d.maps("timeline["+n+"]", old, mb[n])
			continue
		}
		e := mb[n]
		ev := Event{}
		ev.At, _ = e["at"].(string)
		ev.State, _ = e["state"].(string)
		ev.By, _ = e["by"].(string)
		ev.Note, _ = e["note"].(string)
		d.events = append(d.events, ev)
	}
}

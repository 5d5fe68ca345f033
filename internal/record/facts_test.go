package record

import (
	"slices"
	"testing"
)

// drain reads a StringList to the end.
func drain(l *StringList) []string {
	var out []string
	for s, ok := l.Next(); ok; s, ok = l.Next() {
		out = append(out, s)
	}
	return out
}

// TestPickLists reads lists in place as Strings reads them: every list asked for, in one pass,
// nothing for a missing field or one that is not a list.
func TestPickLists(t *testing.T) {
	f := MustFields(map[string]any{"a": []string{"1", "2"}, "b": "x", "c": []string{}, "d": []string{"p", "q", "r"}, "e": int64(4)})
	names := []string{"a", "b", "c", "d", "e", "zz"}
	lists := make([]StringList, len(names))
	f.PickLists(names, lists)
	for i, name := range names {
		if n := lists[i].Len(); n != len(f.Strings(name)) {
			t.Errorf("%s: Len %d, want %d", name, n, len(f.Strings(name)))
		}
		if got, want := drain(&lists[i]), f.Strings(name); !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
		if _, ok := lists[i].Next(); ok {
			t.Errorf("%s: Next after the end gave an item", name)
		}
	}
	// Only some of the names, and a name between fields.
	f.PickLists([]string{"bb", "d"}, lists[:2])
	if got := drain(&lists[1]); !slices.Equal(got, []string{"p", "q", "r"}) {
		t.Errorf("d after bb: got %q", got)
	}
}

// TestPickListsMalformed: a cut or corrupted encoding gives a list Strings would give (or
// none), never a panic.
func TestPickListsMalformed(t *testing.T) {
	good := MustFields(map[string]any{"a": "x", "d": []string{"p", "q"}, "e": []string{"z"}}).Encoding()
	lists := make([]StringList, 2)
	for i := range len(good) {
		for _, enc := range []string{good[:i], good[:i] + "\xff\xff", good[:i] + "\x09"} {
			f := FieldsFromEncoding(enc)
			f.PickLists([]string{"d", "e"}, lists)
			for j, name := range []string{"d", "e"} {
				got, want := drain(&lists[j]), f.Strings(name)
				if len(got) > 0 && !slices.Equal(got, want) {
					t.Errorf("encoding %q, %s: got %q, Strings gives %q", enc, name, got, want)
				}
			}
		}
	}
}

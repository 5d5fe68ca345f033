package record

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestFieldsRoundTrip(t *testing.T) {
	m := map[string]any{
		"state": "in_progress", "impact": int64(-3), "big": int64(math.MaxInt64), "small": int64(math.MinInt64),
		"score": 1.5, "nan-free": -0.25, "major": true, "known": false,
		"cis": []string{"a", "", "ünïcode"}, "tags": []string{}, "empty": "",
	}
	f := MustFields(m)
	if diff := cmp.Diff(m, f.Map()); diff != "" {
		t.Errorf("Map (-want +got):\n%s", diff)
	}
	for k, want := range m {
		got, ok := f.Get(k)
		if !ok || !cmp.Equal(got, want) {
			t.Errorf("Get(%q) = %#v, %v; want %#v", k, got, ok, want)
		}
	}
	if _, ok := f.Get("missing"); ok {
		t.Error("a missing field was found")
	}
	if _, ok := f.Get("zzz"); ok {
		t.Error("a missing field was found")
	}
	if _, ok := f.Get(""); ok {
		t.Error("a missing field was found")
	}
	if f.String("state") != "in_progress" || f.String("impact") != "" || f.String("missing") != "" {
		t.Error("String gives a string field only")
	}
	if !cmp.Equal(f.Strings("cis"), []string{"a", "", "ünïcode"}) || f.Strings("state") != nil {
		t.Error("Strings gives a list field only")
	}
	var prev string
	for k := range f.All() {
		if k <= prev && prev != "" {
			t.Errorf("All: %q after %q, want name order", k, prev)
		}
		prev = k
	}
	if !f.Equal(MustFields(m)) || f.Equal(Fields{}) {
		t.Error("Equal")
	}
	if len((Fields{}).Map()) != 0 || (Fields{}).String("x") != "" {
		t.Error("the zero Fields is not empty")
	}
	if _, err := FieldsOf(map[string]any{"x": map[string]any{}}); err == nil {
		t.Error("FieldsOf took a mapping")
	}
}

// The fields are written as the map they replace was: same JSON, same YAML.
func TestFieldsMarshal(t *testing.T) {
	m := map[string]any{"state": "new", "impact": int64(2), "cis": []string{"b", "a"}, "major": false, "x": 0.5}
	f := MustFields(m)
	for _, enc := range []struct {
		name    string
		marshal func(any) ([]byte, error)
	}{{"json", json.Marshal}, {"yaml", yaml.Marshal}} {
		want, _ := enc.marshal(map[string]any{"fields": m})
		got, err := enc.marshal(map[string]any{"fields": f})
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: got %s (%v), want %s", enc.name, got, err, want)
		}
	}
}

// A malformed encoding (a cache file cut short, say) never panics a reader.
func TestFieldsMalformed(t *testing.T) {
	good := MustFields(map[string]any{"a": "x", "b": int64(300), "c": 2.5, "d": []string{"p", "q"}, "e": true}).Encoding()
	for i := range len(good) {
		for _, enc := range []string{good[:i], good[:i] + "\xff\xff", good[:i] + "\x09"} {
			f := FieldsFromEncoding(enc)
			for k := range f.All() {
				f.Get(k)
			}
			for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
				f.Get(k)
				f.String(k)
				f.Strings(k)
			}
			f.Map()
		}
	}
	// A list claiming more items than bytes remain is refused without allocating them.
	f := FieldsFromEncoding("\x01d\x05\xff\xff\xff\xff\x0f")
	if v, ok := f.Get("d"); ok {
		t.Errorf("Get on a bogus list = %v", v)
	}
}

// FuzzFields holds the readers to never panicking on any encoding.
func FuzzFields(f *testing.F) {
	f.Add(MustFields(map[string]any{"a": "x", "b": int64(-1), "c": 2.5, "d": []string{"p"}, "e": false}).Encoding())
	f.Add("\x01a\x05\x80")
	f.Fuzz(func(t *testing.T, enc string) {
		fs := FieldsFromEncoding(enc)
		for k := range fs.All() {
			fs.Get(k)
			fs.Strings(k)
		}
		fs.Map()
	})
}

func TestPick(t *testing.T) {
	f := MustFields(map[string]any{"a": "1", "b": int64(2), "c": "3", "d": []string{"x"}, "e": "5"})
	names := []string{"a", "b", "c", "d", "e", "zz"}
	out := make([]string, len(names))
	f.Pick(names, out)
	if want := []string{"1", "", "3", "", "5", ""}; !slices.Equal(out, want) {
		t.Errorf("got %q, want %q", out, want)
	}
	f.Pick([]string{"c"}, out[:1])
	if out[0] != "3" {
		t.Errorf("one name: got %q, want 3", out[0])
	}
}

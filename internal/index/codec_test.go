package index

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/record"
)

// fill sets every field reachable from v to a distinct non-zero value, so that a field added
// to record.File, Record, Ref or finding.Finding that the codec does not carry fails the
// round trip.
func fill(v reflect.Value, n *int) {
	*n++
	if v.Type() == reflect.TypeFor[record.Fields]() {
		return // set by sampleEntries: its encoding is opaque
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, n)
			e := reflect.New(v.Type().Elem()).Elem()
			if e.Kind() != reflect.Interface {
				fill(e, n)
			}
			v.SetMapIndex(k, e)
		}
	case reflect.Interface, reflect.Bool:
	default:
		panic(fmt.Sprintf("fill: unexpected kind %s", v.Kind()))
	}
}

func sampleEntries(count int) []entry {
	out := make([]entry, count)
	n := 0
	for i := range out {
		fill(reflect.ValueOf(&out[i]).Elem(), &n)
		out[i].File.Path = fmt.Sprintf("incidents/%06d.yaml", i)
		out[i].File.Record.Fields = record.MustFields(map[string]any{
			"state": "in_progress", "impact": int64(-3 + i), "score": 1.5, "major": true, "known": false,
			"cis": []string{"a", "b"}, "tags": []string{}, "title": fmt.Sprintf("title %d", i),
		})
	}
	out[1].File.Record = nil
	out[2].File.Findings = nil
	return out
}

func entriesOf(s *snapshot) []entry { return s.Entries }

func TestCodecRoundTrip(t *testing.T) {
	want := sampleEntries(5)
	b := encode("key", "clone", 42, plan(nil, want, nil))
	got, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != "key" || got.Clone != "clone" || got.ScanStart != 42 {
		t.Errorf("header: got %q %q %d, want key clone 42", got.Key, got.Clone, got.ScanStart)
	}
	if diff := cmp.Diff(want, entriesOf(got), equateEmpty); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// TestPlanReusesChunks checks that rewriting the cache after a change copies every chunk
// whose entries are unchanged and encodes only the others.
func TestPlanReusesChunks(t *testing.T) {
	old := chunkSize
	chunkSize = 4
	t.Cleanup(func() { chunkSize = old })
	all := sampleEntries(20)
	first, err := decode(encode("k", "c", 1, plan(nil, all, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		entries []entry
		src     []int // index in all, or -1 for a changed entry
		reused  int   // chunks copied
	}{
		{"unchanged", all, seq(0, 20), 5},
		{"one changed", all, append(append(seq(0, 9), -1), seq(10, 20)...), 4},
		{"one removed", append(append([]entry{}, all[:9]...), all[10:]...), append(seq(0, 9), seq(10, 20)...), 4},
		{"one inserted inside a chunk", append(append(append([]entry{}, all[:10]...), all[0]), all[10:]...), append(append(seq(0, 10), -1), seq(10, 20)...), 4},
		{"one inserted between chunks", append(append(append([]entry{}, all[:12]...), all[0]), all[12:]...), append(append(seq(0, 12), -1), seq(12, 20)...), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pieces := plan(first, tt.entries, tt.src)
			reused := 0
			for _, p := range pieces {
				if p.raw != nil {
					reused++
				}
			}
			if reused != tt.reused {
				t.Errorf("got %d chunks reused, want %d", reused, tt.reused)
			}
			got, err := decode(encode("k", "c", 2, pieces))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.entries, entriesOf(got), equateEmpty); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func seq(lo, hi int) []int {
	var out []int
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func TestDecodeRejects(t *testing.T) {
	good := encode("k", "c", 1, plan(nil, sampleEntries(3), nil))
	tests := map[string][]byte{
		"empty":     nil,
		"magic":     []byte("NOTMAGIC0000"),
		"truncated": good[:len(good)/2],
		"bit flip":  flip(good, len(good)/3),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := decode(b); err == nil {
				t.Errorf("decode accepted a bad cache")
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x10
	return c
}

// FuzzParse checks that no cache content, checksum aside, makes the decoder panic or hang.
func FuzzParse(f *testing.F) {
	good := encode("k", "c", 1, plan(nil, sampleEntries(3), nil))
	f.Add(good[:len(good)-4])
	f.Add([]byte(magic + "\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parse(b, nil)
	})
}

// TestDecodeSome checks that a reader limited to one folder decodes only the chunks that may
// hold it, and all of those.
func TestDecodeSome(t *testing.T) {
	old := chunkSize
	chunkSize = 3
	t.Cleanup(func() { chunkSize = old })
	var entries []entry
	for _, p := range []string{"changes/a.yaml", "changes/b.yaml", "cis/a.yaml", "cis/b.yaml", "cis/c.yaml",
		"cis/d.yaml", "cis/e.yaml", "incidents/a.yaml", "incidents/b.yaml", "incidents/c.yaml", "problems/a.yaml",
		"problems/b.yaml", "problems/c.yaml", "problems/d.yaml", "slas/a.yaml"} {
		entries = append(entries, entry{File: record.File{Path: p, Hash: "h"}})
	}
	b := encode("k", "c", 1, plan(nil, entries, nil))
	tests := []struct {
		kinds []record.Kind
		want  []string // paths decoded
	}{
		{nil, paths(entries)},
		// chunks: changes/a changes/b cis/a | cis/b cis/c cis/d | cis/e incidents/a incidents/b |
		// incidents/c problems/a problems/b | problems/c problems/d slas/a
		{[]record.Kind{record.Incident}, []string{"cis/e.yaml", "incidents/a.yaml", "incidents/b.yaml", "incidents/c.yaml", "problems/a.yaml", "problems/b.yaml"}},
		{[]record.Kind{record.CI}, []string{"changes/a.yaml", "changes/b.yaml", "cis/a.yaml", "cis/b.yaml", "cis/c.yaml", "cis/d.yaml", "cis/e.yaml", "incidents/a.yaml", "incidents/b.yaml"}},
		{[]record.Kind{record.SLA}, []string{"problems/c.yaml", "problems/d.yaml", "slas/a.yaml"}},
		{[]record.Kind{record.Calendar}, []string{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.kinds), func(t *testing.T) {
			s, err := decodeSome(b, newScope(tt.kinds).chunk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, paths(s.Entries), equateEmpty); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
			if s.partial != (len(tt.want) < len(entries)) {
				t.Errorf("partial: got %v", s.partial)
			}
		})
	}
}

func paths(es []entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.File.Path)
	}
	return out
}

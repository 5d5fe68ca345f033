package record

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
)

// Fields holds a record's top-level scalar and scalar-list fields: strings, int64, float64,
// bool and []string, sorted by name, in one compact encoded string. A summary costs that one
// string instead of a map of boxed values: a warm index of 100,000 records takes its
// summaries straight from the cache file, without decoding or allocating a field it does not
// read. The zero Fields is empty.
//
// Encoding, per field in name order: uvarint name length, name, a tag byte, then the value:
// a string as uvarint length and bytes; an int64 as a varint; a float64 as 8 bytes little
// endian; true and false as the tag alone; a list as a uvarint count and that many strings.
// A reader never panics on a malformed encoding: it stops at the first field it cannot read.
type Fields struct{ enc string }

// field value tags
const (
	tagString byte = iota
	tagInt
	tagFloat
	tagTrue
	tagFalse
	tagStrings
)

// FieldsOf encodes the supported values of m (int is taken as int64); it reports the first
// field of another type as an error.
func FieldsOf(m map[string]any) (Fields, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b []byte
	for _, k := range keys {
		var err error
		if b, err = appendField(b, k, m[k]); err != nil {
			return Fields{}, err
		}
	}
	return Fields{string(b)}, nil
}

// MustFields is FieldsOf for values known to be supported, as in tests; it panics otherwise.
func MustFields(m map[string]any) Fields {
	f, err := FieldsOf(m)
	if err != nil {
		panic(err)
	}
	return f
}

func appendField(b []byte, name string, v any) ([]byte, error) {
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	switch v := v.(type) {
	case string:
		b = append(b, tagString)
		b = appendString(b, v)
	case int:
		b = append(b, tagInt)
		b = binary.AppendVarint(b, int64(v))
	case int64:
		b = append(b, tagInt)
		b = binary.AppendVarint(b, v)
	case float64:
		b = append(b, tagFloat)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	case bool:
		if v {
			b = append(b, tagTrue)
		} else {
			b = append(b, tagFalse)
		}
	case []string:
		b = append(b, tagStrings)
		b = binary.AppendUvarint(b, uint64(len(v)))
		for _, s := range v {
			b = appendString(b, s)
		}
	default:
		return nil, fmt.Errorf("field %s: a summary keeps strings, numbers, booleans and lists of strings, not %T", name, v)
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// FieldsFromEncoding wraps an encoding made by Encoding, as a cache stores it.
func FieldsFromEncoding(enc string) Fields { return Fields{enc} }

// Encoding returns the encoded fields, to store and later give to FieldsFromEncoding.
func (f Fields) Encoding() string { return f.enc }

// Equal reports whether two Fields hold the same fields and values.
func (f Fields) Equal(o Fields) bool { return f.enc == o.enc }

// fieldReader walks an encoding.
type fieldReader struct {
	s   string
	off int
	bad bool
}

func (r *fieldReader) uvarint() uint64 {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.off >= len(r.s) {
			r.bad = true
			return 0
		}
		c := r.s[r.off]
		r.off++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
	r.bad = true
	return 0
}

func (r *fieldReader) str() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.s)-r.off) {
		r.bad = true
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *fieldReader) tag() byte {
	if r.off >= len(r.s) {
		r.bad = true
		return 0
	}
	t := r.s[r.off]
	r.off++
	return t
}

// skip passes over the value of a field with tag t.
func (r *fieldReader) skip(t byte) {
	switch t {
	case tagString:
		r.str()
	case tagInt:
		r.uvarint()
	case tagFloat:
		if len(r.s)-r.off < 8 {
			r.bad = true
			return
		}
		r.off += 8
	case tagTrue, tagFalse:
	case tagStrings:
		n := r.uvarint()
		for i := uint64(0); i < n && !r.bad; i++ {
			r.str()
		}
	default:
		r.bad = true
	}
}

// value reads the value of a field with tag t.
func (r *fieldReader) value(t byte) any {
	switch t {
	case tagString:
		return r.str()
	case tagInt:
		u := r.uvarint()
		return int64(u>>1) ^ -int64(u&1) // zig-zag, as binary.AppendVarint writes it
	case tagFloat:
		if len(r.s)-r.off < 8 {
			r.bad = true
			return nil
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64([]byte(r.s[r.off : r.off+8])))
		r.off += 8
		return v
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagStrings:
		n := r.uvarint()
		if r.bad || n > uint64(len(r.s)-r.off) { // every item takes a byte at least
			r.bad = true
			return nil
		}
		out := make([]string, n)
		for i := range out {
			out[i] = r.str()
		}
		return out
	}
	r.bad = true
	return nil
}

// find positions r after the tag of field name and returns the tag.
func (f Fields) find(name string) (*fieldReader, byte, bool) {
	r := &fieldReader{s: f.enc}
	for r.off < len(r.s) {
		k := r.str()
		t := r.tag()
		if r.bad {
			return nil, 0, false
		}
		switch c := strings.Compare(k, name); {
		case c == 0:
			return r, t, true
		case c > 0: // sorted: it is not there
			return nil, 0, false
		}
		r.skip(t)
		if r.bad {
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// Get returns a field's value: a string, int64, float64, bool or []string.
func (f Fields) Get(name string) (any, bool) {
	r, t, ok := f.find(name)
	if !ok {
		return nil, false
	}
	v := r.value(t)
	return v, !r.bad
}

// String returns a string field, or "" when it is missing or not a string.
func (f Fields) String(name string) string {
	r, t, ok := f.find(name)
	if !ok || t != tagString {
		return ""
	}
	return r.str()
}

// Strings returns a list field, or nil when it is missing or not a list.
func (f Fields) Strings(name string) []string {
	r, t, ok := f.find(name)
	if !ok || t != tagStrings {
		return nil
	}
	ss, _ := r.value(t).([]string)
	if r.bad {
		return nil
	}
	return ss
}

// All yields the fields in name order.
func (f Fields) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		r := &fieldReader{s: f.enc}
		for r.off < len(r.s) {
			k := r.str()
			t := r.tag()
			v := r.value(t)
			if r.bad || !yield(k, v) {
				return
			}
		}
	}
}

// Map returns the fields as a map.
func (f Fields) Map() map[string]any {
	m := map[string]any{}
	for k, v := range f.All() {
		m[k] = v
	}
	return m
}

// MarshalJSON writes the fields as a JSON object, keys in order, as a map would be written.
func (f Fields) MarshalJSON() ([]byte, error) { return json.Marshal(f.Map()) }

// MarshalYAML writes the fields as a mapping, as a map would be written.
func (f Fields) MarshalYAML() (any, error) { return f.Map(), nil }

// Pick reads several string fields in one pass over the encoding: out[i] becomes the value
// of names[i], or "" when it is missing or not a string. names must be sorted; out must be as
// long. A report reading a dozen fields of 100,000 summaries saves a walk per field.
func (f Fields) Pick(names []string, out []string) {
	clear(out)
	r := &fieldReader{s: f.enc}
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
		if i < len(names) && names[i] == k && t == tagString {
			out[i] = r.str()
			i++
		} else {
			r.skip(t)
		}
		if r.bad {
			return
		}
	}
}

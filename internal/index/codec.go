package index

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

// The cache file is a compact binary encoding, because decoding 100,000 entries with
// encoding/json or encoding/gob (which must box every field value into an interface through
// reflection) takes longer than the whole warm run may. Layout:
//
//	magic "GITSMIX\n" | uvarint format | string key | string clone | varint scan start (Unix ns)
//	uvarint entries | uvarint chunks | per chunk: uvarint bytes, uvarint entries, string path
//	chunk data … | CRC-32C (little endian) of everything before it
//
// Entries are sorted by path and encoded in chunks of chunkSize so that they can be decoded in
// parallel; each chunk's first path lets a reader that wants one kind decode only the chunks
// that hold its folder. Inside
// a chunk, a string is a uvarint x: when x is even, x/2 bytes of the string follow; when odd,
// it is the (x-1)/2-th short string already written in this chunk (field names, states,
// paths repeat a lot). Decoded strings point into the file's bytes (unsafe.String): the
// buffer is never written after it is read, and this saves millions of small allocations.

const (
	magic         = "GITSMIX\n"
	formatVersion = 6  // 4 took summaries with timeline facts, or content-addressed entries; 5 has both; 6 marks unchecked entries
	dictMaxLen    = 48 // longer strings are rarely repeated
)

// chunkSize is how many entries a new chunk holds (a variable for tests).
var chunkSize = 2048

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt says the cache file cannot be decoded; the caller rebuilds.
var errCorrupt = errors.New("corrupt index cache")

// stamp is what a cached file was when it was analyzed: the fingerprint of its lstat.
type stamp struct {
	Size  int64
	MTime int64 // Unix ns
	CTime int64 // Unix ns, where the platform gives it
	Ino   uint64
}

// entry is one cached file.
type entry struct {
	Stamp stamp
	File  record.File
	// Unchecked says File holds the summary and the parse findings only, without the schema
	// and per-record checks (see Options.Settled): only a caller that settles the file may
	// reuse it.
	Unchecked bool
}

// The byte after an entry's findings: whether a record summary follows, and whether the entry
// is unchecked.
const (
	entryRecord    = 1
	entryUnchecked = 2
)

// snapshot is the decoded cache.
type snapshot struct {
	Key string
	// Clone is the cloneID of the cache folder the snapshot was written in: its entries'
	// stamps vouch for files only in that same copy.
	Clone     string
	ScanStart int64 // Unix ns when the run that wrote the cache began to look at files
	Entries   []entry

	chunks  []chunk // where the entries came from, when decoded
	partial bool    // only some chunks were decoded: never the base of a new cache
}

// chunk is one chunk of a decoded cache: its bytes, the entries it holds and the path of the
// first.
type chunk struct {
	raw          []byte
	first, count int
	path         string
}

type encoder struct {
	buf  []byte
	dict map[string]int
}

func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) varint(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *encoder) int(v int)        { e.buf = binary.AppendVarint(e.buf, int64(v)) }

func (e *encoder) str(s string) {
	if i, ok := e.dict[s]; ok {
		e.uvarint(uint64(i)<<1 | 1)
		return
	}
	e.uvarint(uint64(len(s)) << 1)
	e.buf = append(e.buf, s...)
	if len(s) <= dictMaxLen {
		e.dict[s] = len(e.dict)
	}
}

func (e *encoder) entry(en *entry) {
	f := &en.File
	e.str(f.Path)
	e.varint(en.Stamp.Size)
	e.varint(en.Stamp.MTime)
	e.varint(en.Stamp.CTime)
	e.uvarint(en.Stamp.Ino)
	e.str(f.Hash)
	e.uvarint(uint64(len(f.Findings)))
	for _, x := range f.Findings {
		e.str(x.Path)
		e.int(x.Line)
		e.int(x.Column)
		e.str(string(x.Severity))
		e.str(x.Rule)
		e.str(x.Message)
		e.str(x.ID)
	}
	r := f.Record
	var flags byte
	if en.Unchecked {
		flags |= entryUnchecked
	}
	if r == nil {
		e.buf = append(e.buf, flags)
		return
	}
	e.buf = append(e.buf, flags|entryRecord)
	e.str(r.Path)
	e.str(string(r.Kind))
	e.str(r.ID)
	e.str(r.Title)
	e.int(r.Line)
	e.int(r.Column)
	e.uvarint(uint64(len(r.Fields.Encoding())))
	e.buf = append(e.buf, r.Fields.Encoding()...)
	e.uvarint(uint64(len(r.Refs)))
	for _, ref := range r.Refs {
		e.str(ref.Field)
		e.str(ref.Target)
		kinds := make([]string, len(ref.Kinds))
		for i, k := range ref.Kinds {
			kinds[i] = string(k)
		}
		e.str(strings.Join(kinds, "\x00"))
		e.str(ref.Class)
		e.int(ref.Line)
		e.int(ref.Column)
	}
	e.uvarint(uint64(len(r.Pos)))
	for _, p := range r.Pos {
		e.str(p.Field)
		e.int(p.Line)
		e.int(p.Column)
	}
	e.uvarint(uint64(len(r.Facts.Encoding())))
	e.buf = append(e.buf, r.Facts.Encoding()...)
}

// piece is part of the cache being written: a chunk of the old cache whose entries are all
// unchanged, copied byte for byte, or entries to encode as a new chunk. After a one-file
// change only the chunk that holds the file is encoded again.
type piece struct {
	raw     []byte
	count   int    // entries in raw
	path    string // of raw's first entry
	entries []entry
}

// plan splits the entries of a new cache into pieces, reusing the chunks of old whose entries
// all reappear unchanged and in a row. src[i] is the index in old of the unchanged entry that
// entries[i] is, or -1.
func plan(old *snapshot, entries []entry, src []int) []piece {
	var chunkAt []int // chunkAt[i] = 1 + the old chunk that starts at new entry i
	if old != nil {
		posOf := make([]int, len(old.Entries))
		for j := range posOf {
			posOf[j] = -1
		}
		for i, j := range src {
			if j >= 0 {
				posOf[j] = i
			}
		}
		chunkAt = make([]int, len(entries))
	chunks:
		for c, ch := range old.chunks {
			if ch.count == 0 {
				continue
			}
			start := posOf[ch.first]
			if start < 0 {
				continue
			}
			for k := 1; k < ch.count; k++ {
				if posOf[ch.first+k] != start+k {
					continue chunks
				}
			}
			chunkAt[start] = c + 1
		}
	}
	var out []piece
	pending := 0 // start of entries not yet in a piece
	flush := func(end int) {
		for pending < end {
			hi := min(end, pending+chunkSize)
			out = append(out, piece{entries: entries[pending:hi]})
			pending = hi
		}
	}
	for i := 0; i < len(entries); {
		if chunkAt != nil && chunkAt[i] > 0 {
			flush(i)
			ch := old.chunks[chunkAt[i]-1]
			out = append(out, piece{raw: ch.raw, count: ch.count, path: ch.path})
			i += ch.count
			pending = i
			continue
		}
		i++
	}
	flush(len(entries))
	return out
}

// encode writes a cache file from pieces. New chunks are encoded in parallel.
func encode(key, clone string, scanStart int64, pieces []piece) []byte {
	chunks := make([][]byte, len(pieces))
	counts := make([]int, len(pieces))
	paths := make([]string, len(pieces))
	n := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for c, p := range pieces {
		if p.raw != nil {
			chunks[c], counts[c], paths[c] = p.raw, p.count, p.path
			n += p.count
			continue
		}
		counts[c] = len(p.entries)
		if len(p.entries) > 0 {
			paths[c] = p.entries[0].File.Path
		}
		n += len(p.entries)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			e := &encoder{buf: make([]byte, 0, len(p.entries)*640), dict: map[string]int{}}
			for i := range p.entries {
				e.entry(&p.entries[i])
			}
			chunks[c] = e.buf
		}()
	}
	wg.Wait()
	size := 64 + len(key) + len(clone)
	for c, b := range chunks {
		size += len(b) + 20 + len(paths[c])
	}
	h := &encoder{buf: make([]byte, 0, size)}
	h.buf = append(h.buf, magic...)
	h.uvarint(formatVersion)
	h.uvarint(uint64(len(key)))
	h.buf = append(h.buf, key...)
	h.uvarint(uint64(len(clone)))
	h.buf = append(h.buf, clone...)
	h.varint(scanStart)
	h.uvarint(uint64(n))
	h.uvarint(uint64(len(chunks)))
	for c, b := range chunks {
		h.uvarint(uint64(len(b)))
		h.uvarint(uint64(counts[c]))
		h.uvarint(uint64(len(paths[c])))
		h.buf = append(h.buf, paths[c]...)
	}
	for _, b := range chunks {
		h.buf = append(h.buf, b...)
	}
	return binary.LittleEndian.AppendUint32(h.buf, crc32.Checksum(h.buf, castagnoli))
}

// header reads the key of a cache file without decoding its entries.
func header(b []byte) (key string, ok bool) {
	d := &decoder{buf: b}
	if !d.magic() {
		return "", false
	}
	k := d.rawString()
	return k, d.err == nil
}

// peekHeader reads the key and clone identity of the cache file at path from its first bytes,
// without reading the rest.
func peekHeader(path string) (key, clone string, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	b := make([]byte, 4096)
	n, _ := io.ReadFull(f, b)
	d := &decoder{buf: b[:n]}
	if !d.magic() {
		return "", "", false
	}
	key, clone = d.rawString(), d.rawString()
	return key, clone, d.err == nil
}

// decode reads a snapshot, verifying its checksum. It never panics on bad input: every read
// is bounds-checked, and a failure anywhere makes the whole cache invalid.
func decode(b []byte) (*snapshot, error) { return decodeSome(b, nil) }

// decodeSome decodes only the chunks that keep accepts, given the chunk's first path and the
// next chunk's ("" for the last chunk): the chunk holds the paths from lo up to, not
// including, hi. With keep nil it decodes everything.
func decodeSome(b []byte, keep func(lo, hi string) bool) (*snapshot, error) {
	if len(b) < len(magic)+4 {
		return nil, errCorrupt
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, errCorrupt
	}
	return parse(body, keep)
}

// parse decodes a cache file without its checksum.
func parse(body []byte, keep func(lo, hi string) bool) (*snapshot, error) {
	d := &decoder{buf: body}
	if !d.magic() {
		return nil, errCorrupt
	}
	s := &snapshot{Key: d.rawString(), Clone: d.rawString(), ScanStart: d.varint()}
	n := d.count(1)
	nchunks := d.count(1)
	type span struct {
		off, len, entries, first int
		path                     string
	}
	spans := make([]span, nchunks)
	total := 0
	for c := range spans {
		spans[c].len = d.count(1)
		spans[c].entries = d.count(1)
		spans[c].path = d.rawString()
		total += spans[c].entries
	}
	if d.err != nil || total != n {
		return nil, errCorrupt
	}
	off := d.off
	for c := range spans {
		spans[c].off = off
		off += spans[c].len
	}
	if off != len(body) {
		return nil, errCorrupt
	}
	kept := spans[:0:0]
	first := 0
	for c, sp := range spans {
		hi := ""
		if c+1 < len(spans) {
			hi = spans[c+1].path
		}
		if keep != nil && !keep(sp.path, hi) {
			s.partial = true
			continue
		}
		sp.first = first
		first += sp.entries
		kept = append(kept, sp)
	}
	s.Entries = make([]entry, first)
	s.chunks = make([]chunk, len(kept))
	errs := make([]error, len(kept))
	// One decoder per worker, reused from chunk to chunk: its dictionary's backing array and
	// its arenas' unused tails carry over (the dictionary is emptied for each chunk).
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), len(kept)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cd := &decoder{kinds: map[string][]record.Kind{}}
			for {
				c := int(next.Add(1)) - 1
				if c >= len(kept) {
					return
				}
				sp := kept[c]
				raw := body[sp.off : sp.off+sp.len : sp.off+sp.len]
				s.chunks[c] = chunk{raw: raw, first: sp.first, count: sp.entries, path: sp.path}
				cd.buf, cd.off, cd.err, cd.dict = raw, 0, nil, cd.dict[:0]
				for i := sp.first; i < sp.first+sp.entries && cd.err == nil; i++ {
					cd.entry(&s.Entries[i])
				}
				if cd.err == nil && cd.off != len(cd.buf) {
					cd.err = errCorrupt
				}
				if cd.err == nil && sp.entries > 0 && s.Entries[sp.first].File.Path != sp.path {
					cd.err = errCorrupt
				}
				errs[c] = cd.err
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, errCorrupt
	}
	return s, nil
}

type decoder struct {
	buf   []byte
	off   int
	err   error
	dict  []string
	kinds map[string][]record.Kind

	// Arenas: records and references are allocated in blocks, not one by one.
	recs []record.Record
	refs []record.Ref
}

const arenaBlock = 512

func (d *decoder) newRecord() *record.Record {
	if len(d.recs) == 0 {
		d.recs = make([]record.Record, arenaBlock)
	}
	r := &d.recs[0]
	d.recs = d.recs[1:]
	return r
}

// newRefs returns a slice with no room beyond its length, so that an append by a caller
// copies instead of overwriting the next record's items.
func (d *decoder) newRefs(n int) []record.Ref {
	if len(d.refs) < n {
		d.refs = make([]record.Ref, max(n, arenaBlock))
	}
	s := d.refs[:n:n]
	d.refs = d.refs[n:]
	return s
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
}

func (d *decoder) magic() bool {
	if len(d.buf) < len(magic) || string(d.buf[:len(magic)]) != magic {
		return false
	}
	d.off = len(magic)
	return d.uvarint() == formatVersion && d.err == nil
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) int() int {
	v := d.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.fail()
		return 0
	}
	return int(v)
}

// count reads a length that must be plausible: each item takes at least minBytes.
func (d *decoder) count(minBytes int) int {
	v := d.uvarint()
	if v > uint64(len(d.buf)-d.off)/uint64(minBytes) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if d.err != nil || d.off >= len(d.buf) {
		d.fail()
		return 0
	}
	b := d.buf[d.off]
	d.off++
	return b
}

// rawString reads a length-prefixed string outside the dictionary scheme (the header).
func (d *decoder) rawString() string {
	n := d.count(1)
	if d.err != nil {
		return ""
	}
	s := unsafe.String(unsafe.SliceData(d.buf[d.off:]), n)
	d.off += n
	return s
}

func (d *decoder) str() string {
	x := d.uvarint()
	if d.err != nil {
		return ""
	}
	if x&1 == 1 {
		i := x >> 1
		if i >= uint64(len(d.dict)) {
			d.fail()
			return ""
		}
		return d.dict[i]
	}
	n := x >> 1
	if n > uint64(len(d.buf)-d.off) {
		d.fail()
		return ""
	}
	if n == 0 {
		d.dict = append(d.dict, "")
		return ""
	}
	s := unsafe.String(&d.buf[d.off], int(n))
	d.off += int(n)
	if n <= dictMaxLen {
		d.dict = append(d.dict, s)
	}
	return s
}

func (d *decoder) entry(en *entry) {
	f := &en.File
	f.Path = d.str()
	en.Stamp.Size = d.varint()
	en.Stamp.MTime = d.varint()
	en.Stamp.CTime = d.varint()
	en.Stamp.Ino = d.uvarint()
	f.Hash = d.str()
	if n := d.count(7); n > 0 {
		f.Findings = make([]finding.Finding, n)
		for i := range f.Findings {
			x := &f.Findings[i]
			x.Path = d.str()
			x.Line = d.int()
			x.Column = d.int()
			x.Severity = finding.Severity(d.str())
			x.Rule = d.str()
			x.Message = d.str()
			x.ID = d.str()
		}
	}
	flags := d.byte()
	if flags&^(entryRecord|entryUnchecked) != 0 {
		d.fail()
		return
	}
	en.Unchecked = flags&entryUnchecked != 0
	if flags&entryRecord == 0 {
		return
	}
	r := d.newRecord()
	f.Record = r
	r.Path = d.str()
	r.Kind = record.Kind(d.str())
	r.ID = d.str()
	r.Title = d.str()
	r.Line = d.int()
	r.Column = d.int()
	r.Fields = record.FieldsFromEncoding(d.rawString())
	if n := d.count(6); n > 0 {
		r.Refs = d.newRefs(n)
		for i := range r.Refs {
			ref := &r.Refs[i]
			ref.Field = d.str()
			ref.Target = d.str()
			ref.Kinds = d.kindList(d.str())
			ref.Class = d.str()
			ref.Line = d.int()
			ref.Column = d.int()
		}
	}
	if n := d.count(3); n > 0 {
		r.Pos = make([]record.FieldPos, n)
		for i := range r.Pos {
			r.Pos[i] = record.FieldPos{Field: d.str(), Line: d.int(), Column: d.int()}
		}
	}
	r.Facts = record.FieldsFromEncoding(d.rawString())
}

// kindList decodes the kinds a reference may point to, sharing one slice per distinct list
// within a chunk (they come from a handful of reference specs).
func (d *decoder) kindList(s string) []record.Kind {
	if ks, ok := d.kinds[s]; ok {
		return ks
	}
	var ks []record.Kind
	if s != "" {
		for _, k := range strings.Split(s, "\x00") {
			ks = append(ks, record.Kind(k))
		}
	}
	d.kinds[s] = ks
	return ks
}

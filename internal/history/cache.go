package history

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitsm/gitsm/internal/index"
)

// cacheMagic starts every cache file; the number is the format version. It is followed by the
// file's identity (32 random bytes, drawn anew on every whole write: a journal names the cache
// it extends by it) and the CRC-32C of the body. A CRC, not a SHA-256: it is there to catch a
// damaged file, not an attacker (who could write the checksum too), and hashing the 7.7 MB
// cache of a 20,000-commit repository with SHA-256 cost 6 ms of every warm run.
const cacheMagic = "gitsm history index 3\n"

// idSize is the size of a cache file's identity.
const idSize = 32

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// cachePath is `<git dir>/gitsm/history.cache`, beside the records index (with the same
// suffix when the records root is a subfolder of the work tree); "" outside git.
func cachePath(root, prefix string) string {
	p := index.CachePath(root)
	if p == "" {
		return ""
	}
	base := strings.TrimSuffix(filepath.Base(p), ".index")
	return filepath.Join(filepath.Dir(p), strings.Replace(base, "records", "history", 1)+".cache")
}

// journalMagic starts the journal: the commits read since the cache file was written, appended
// one entry per run, so that a run after one new commit writes a few hundred bytes instead of
// the whole cache. It names the cache it extends by its identity; entries are checksummed, and
// reading stops at the first bad one (a torn append): what it held is read from git again.
const journalMagic = "gitsm history journal 2\n"

// journalShare bounds the journal to 1/journalShare of the cache's size (or 64 KiB for a small
// cache): beyond that the next save writes the cache whole again.
const journalShare = 8

func journalPath(p string) string { return strings.TrimSuffix(p, ".cache") + ".journal" }

// load reads the cache; anything unexpected (no file, another format, a checksum that does not
// match its content, another records root) leaves the index empty, to be rebuilt: a cache is
// only ever a shortcut.
func (ix *Index) load() {
	if ix.path == "" {
		return
	}
	b, err := os.ReadFile(ix.path)
	if err != nil || !bytes.HasPrefix(b, []byte(cacheMagic)) {
		return
	}
	b = b[len(cacheMagic):]
	if len(b) < idSize+4 {
		return
	}
	id, sum, body := b[:idSize], binary.BigEndian.Uint32(b[idSize:]), b[idSize+4:]
	if crc32.Checksum(body, castagnoli) != sum {
		return
	}
	prefix, tips, commits, err := decode(body)
	if err != nil || prefix != ix.prefix {
		return
	}
	ix.commits = make(map[plumbing.Hash]*Commit, len(commits)+len(commits)/8)
	for _, c := range commits {
		ix.commits[c.Hash] = c
	}
	ix.tips = tips
	ix.base = id
	ix.loadJournal()
}

func (ix *Index) loadJournal() {
	b, err := os.ReadFile(journalPath(ix.path))
	head := len(journalMagic) + idSize
	if err != nil || len(b) < head || string(b[:len(journalMagic)]) != journalMagic || !bytes.Equal(b[len(journalMagic):head], ix.base) {
		return
	}
	ix.journal = len(b)
	for rest := b[head:]; len(rest) > 0; {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) || n < sha256.Size {
			return
		}
		entry := rest[k : k+int(n)]
		rest = rest[k+int(n):]
		sum, body := entry[:sha256.Size], entry[sha256.Size:]
		if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
			return
		}
		prefix, tips, commits, err := decode(body)
		if err != nil || prefix != ix.prefix {
			return
		}
		for _, c := range commits {
			ix.commits[c.Hash] = c
		}
		ix.tips = tips
	}
}

// save writes what changed: an entry appended to the journal when the loaded cache is still
// the base and the journal is small, else the whole cache (and no journal).
func (ix *Index) save() error {
	if ix.path == "" {
		return nil
	}
	if ix.base != nil && !ix.rebuilt && int64(ix.journal) < max(ix.cacheSize()/journalShare, 64<<10) {
		if err := ix.appendJournal(); err == nil {
			return nil
		}
	}
	return ix.saveWhole()
}

func (ix *Index) cacheSize() int64 {
	if fi, err := os.Stat(ix.path); err == nil {
		return fi.Size()
	}
	return 0
}

func (ix *Index) appendJournal() error {
	added := make(map[plumbing.Hash]*Commit, len(ix.added))
	for _, c := range ix.added {
		added[c.Hash] = c
	}
	body := encode(ix.prefix, ix.tips, added)
	sum := sha256.Sum256(body)
	var entry []byte
	entry = binary.AppendUvarint(entry, uint64(len(sum)+len(body)))
	entry = append(entry, sum[:]...)
	entry = append(entry, body...)
	jp := journalPath(ix.path)
	f, err := os.OpenFile(jp, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() == 0 {
		head := append([]byte(journalMagic), ix.base...)
		if _, err = f.Write(head); err == nil {
			ix.journal = len(head)
		}
	} else if err == nil && fi.Size() != int64(ix.journal) {
		// Someone else appended or replaced it since it was read: start over whole.
		err = errors.New("journal changed")
	}
	if err == nil {
		_, err = f.Write(entry)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		ix.journal += len(entry)
		ix.added = nil
	}
	return err
}

// saveWhole writes the cache atomically: a temporary file in the same folder renamed over the
// old one, so a concurrent reader sees the old or the new file, never half of one; the journal,
// which named the old file, is removed.
func (ix *Index) saveWhole() error {
	body := encode(ix.prefix, ix.tips, ix.commits)
	id := make([]byte, idSize, idSize+4)
	if _, err := rand.Read(id); err != nil {
		return err
	}
	head := binary.BigEndian.AppendUint32(id, crc32.Checksum(body, castagnoli))
	dir := filepath.Dir(ix.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(ix.path)+".tmp-*")
	if err != nil {
		return err
	}
	_, err1 := tmp.Write([]byte(cacheMagic))
	_, err2 := tmp.Write(head)
	_, err3 := tmp.Write(body)
	err4 := tmp.Close()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), ix.path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	os.Remove(journalPath(ix.path))
	ix.base, ix.journal, ix.added, ix.rebuilt = id, 0, nil, false
	return nil
}

// The body is a string table (every path, name and subject once) followed by the tips and the
// commits, integers as varints and hashes as 20 raw bytes. Decoding makes one allocation for
// all strings, one for all commits, one for all parents and one for all changes.

type encoder struct {
	strs  map[string]uint64
	order []string
}

func (e *encoder) str(s string) uint64 {
	if i, ok := e.strs[s]; ok {
		return i
	}
	i := uint64(len(e.order))
	e.strs[s] = i
	e.order = append(e.order, s)
	return i
}

func encode(prefix string, tips map[string]plumbing.Hash, commits map[plumbing.Hash]*Commit) []byte {
	e := &encoder{strs: map[string]uint64{}}
	var body []byte
	u := func(v uint64) { body = binary.AppendUvarint(body, v) }
	s := func(v int64) { body = binary.AppendVarint(body, v) }
	h := func(x plumbing.Hash) { body = append(body, x[:]...) }
	u(e.str(prefix))
	refs := make([]string, 0, len(tips))
	for r := range tips {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	u(uint64(len(refs)))
	for _, r := range refs {
		u(e.str(r))
		h(tips[r])
	}
	nParents, nChanges := 0, 0
	for _, c := range commits {
		nParents += len(c.Parents)
		nChanges += len(c.Changes)
	}
	u(uint64(len(commits)))
	u(uint64(nParents))
	u(uint64(nChanges))
	for _, c := range commits {
		h(c.Hash)
		u(uint64(len(c.Parents)))
		for _, p := range c.Parents {
			h(p)
		}
		u(e.str(c.Author.Name))
		u(e.str(c.Author.Email))
		s(c.AuthorTime)
		s(int64(c.AuthorZone))
		s(c.CommitTime)
		u(e.str(c.Subject))
		if c.Signed {
			u(1)
		} else {
			u(0)
		}
		u(uint64(len(c.Changes)))
		for _, ch := range c.Changes {
			u(e.str(ch.Path))
			h(ch.Old)
			h(ch.New)
		}
	}
	var head []byte
	head = binary.AppendUvarint(head, uint64(len(e.order)))
	for _, x := range e.order {
		head = binary.AppendUvarint(head, uint64(len(x)))
	}
	for _, x := range e.order {
		head = append(head, x...)
	}
	return append(head, body...)
}

var errCorrupt = errors.New("history cache: corrupt")

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) u() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) s() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) h() (x plumbing.Hash) {
	if len(d.b) < len(x) {
		d.err, d.b = errCorrupt, nil
		return x
	}
	copy(x[:], d.b)
	d.b = d.b[len(x):]
	return x
}

func decode(b []byte) (string, map[string]plumbing.Hash, []*Commit, error) {
	d := &decoder{b: b}
	n := d.u()
	if n > uint64(len(b)) {
		return "", nil, nil, errCorrupt
	}
	lens := make([]uint64, n)
	total := uint64(0)
	for i := range lens {
		lens[i] = d.u()
		total += lens[i]
	}
	if d.err != nil || total > uint64(len(d.b)) {
		return "", nil, nil, errCorrupt
	}
	all := string(d.b[:total])
	d.b = d.b[total:]
	strs := make([]string, n)
	off := uint64(0)
	for i, l := range lens {
		strs[i] = all[off : off+l]
		off += l
	}
	str := func() string {
		i := d.u()
		if i >= uint64(len(strs)) {
			d.err = errCorrupt
			return ""
		}
		return strs[i]
	}
	prefix := str()
	tips := map[string]plumbing.Hash{}
	for range d.u() {
		r := str()
		tips[r] = d.h()
	}
	nc, np, nch := d.u(), d.u(), d.u()
	if d.err != nil || nc > uint64(len(d.b)) || np > uint64(len(d.b)) || nch > uint64(len(d.b)) {
		return "", nil, nil, errCorrupt
	}
	commits := make([]Commit, nc)
	parents := make([]plumbing.Hash, np)
	changes := make([]Change, nch)
	out := make([]*Commit, nc)
	for i := range commits {
		c := &commits[i]
		c.Hash = d.h()
		k := d.u()
		if k > uint64(len(parents)) {
			return "", nil, nil, errCorrupt
		}
		if k > 0 {
			c.Parents, parents = parents[:k:k], parents[k:]
		}
		for j := range c.Parents {
			c.Parents[j] = d.h()
		}
		c.Author.Name = str()
		c.Author.Email = str()
		c.AuthorTime = d.s()
		c.AuthorZone = int32(d.s())
		c.CommitTime = d.s()
		c.Subject = str()
		c.Signed = d.u() == 1
		k = d.u()
		if k > uint64(len(changes)) {
			return "", nil, nil, errCorrupt
		}
		if k > 0 {
			c.Changes, changes = changes[:k:k], changes[k:]
		}
		for j := range c.Changes {
			c.Changes[j].Path = str()
			c.Changes[j].Old = d.h()
			c.Changes[j].New = d.h()
		}
		if d.err != nil {
			return "", nil, nil, d.err
		}
		out[i] = c
	}
	if len(d.b) != 0 {
		return "", nil, nil, fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
	}
	return prefix, tips, out, nil
}

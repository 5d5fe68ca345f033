package history

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitsm/gitsm/internal/index"
)

// cacheMagic starts every cache file; the number is the format version.
const cacheMagic = "gitsm history index 1\n"

// cacheFile is what the cache holds.
type cacheFile struct {
	Prefix  string
	Tips    map[string]plumbing.Hash
	Commits []*Commit
}

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
	if len(b) < sha256.Size {
		return
	}
	sum, body := b[:sha256.Size], b[sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return
	}
	var f cacheFile
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&f); err != nil || f.Prefix != ix.prefix {
		return
	}
	for _, c := range f.Commits {
		ix.commits[c.Hash] = c
	}
	if f.Tips != nil {
		ix.tips = f.Tips
	}
}

// save writes the cache atomically: a temporary file in the same folder renamed over the old
// one, so a concurrent reader sees the old or the new file, never half of one.
func (ix *Index) save() error {
	if ix.path == "" {
		return nil
	}
	f := cacheFile{Prefix: ix.prefix, Tips: ix.tips, Commits: make([]*Commit, 0, len(ix.commits))}
	for _, c := range ix.commits {
		f.Commits = append(f.Commits, c)
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(&f); err != nil {
		return err
	}
	sum := sha256.Sum256(body.Bytes())
	dir := filepath.Dir(ix.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(ix.path)+".tmp-*")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(tmp)
	w.WriteString(cacheMagic)
	w.Write(sum[:])
	w.Write(body.Bytes())
	werr := w.Flush()
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), ix.path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

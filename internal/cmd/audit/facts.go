package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitsm/gitsm/internal/history"
	"github.com/gitsm/gitsm/internal/policy"
)

// factsVersion names the cache format and what it holds; change it when policy.ApprovalFields
// or the way a record is reduced changes.
const factsVersion = "gitsm audit change facts 1"

// factCache caches, by blob hash, change record versions reduced to the fields the approval rule
// reads, so that a warm audit reads and parses no record at all. Blobs never change, so an
// entry never goes stale; the file is only a shortcut (a damaged one is ignored).
type factCache struct {
	path  string
	m     map[string]fact
	dirty bool
}

type fact struct {
	Fields map[string]any `json:"f,omitempty"`
	Err    string         `json:"e,omitempty"`
}

type factsFile struct {
	Version string          `json:"version"`
	Facts   map[string]fact `json:"facts"`
}

func loadFacts(ix *history.Index) *factCache {
	f := &factCache{m: map[string]fact{}}
	if dir := ix.CacheDir(); dir != "" {
		f.path = filepath.Join(dir, "audit-facts.cache")
	}
	if f.path == "" {
		return f
	}
	b, err := os.ReadFile(f.path)
	if err != nil || len(b) < sha256.Size {
		return f
	}
	sum, body := b[:sha256.Size], b[sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return f
	}
	var ff factsFile
	if json.Unmarshal(body, &ff) != nil || ff.Version != factsVersion || ff.Facts == nil {
		return f
	}
	for _, v := range ff.Facts {
		normalize(v.Fields)
	}
	f.m = ff.Facts
	return f
}

// get returns a change record version reduced to policy.ApprovalFields (nil for the zero hash).
func (f *factCache) get(ix *history.Index, h plumbing.Hash) (map[string]any, error) {
	if h.IsZero() {
		return nil, nil
	}
	key := h.String()
	v, ok := f.m[key]
	if !ok {
		v = reduce(ix, h)
		f.m[key] = v
		f.dirty = true
	}
	if v.Err != "" {
		return nil, errors.New(v.Err)
	}
	return v.Fields, nil
}

// reduce reads and parses a version and keeps the approval fields, passed through JSON as a
// cached entry is, so that a fresh and a cached version of one record compare alike.
func reduce(ix *history.Index, h plumbing.Hash) fact {
	src, err := ix.Blob(h)
	if err != nil {
		return fact{Err: err.Error()}
	}
	m, err := history.ParseRecord(src)
	if err != nil {
		return fact{Err: err.Error()}
	}
	out := map[string]any{}
	for _, k := range policy.ApprovalFields {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fact{Err: err.Error()}
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		return fact{Err: err.Error()}
	}
	normalize(back)
	return fact{Fields: back}
}

// normalize turns JSON's whole float64 numbers back into the int64 a YAML integer parses to.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	}
	return v
}

// save writes the cache atomically when it learned something; a failure only costs speed.
func (f *factCache) save() {
	if f.path == "" || !f.dirty {
		return
	}
	body, err := json.Marshal(factsFile{Version: factsVersion, Facts: f.m})
	if err != nil {
		return
	}
	sum := sha256.Sum256(body)
	tmp, err := os.CreateTemp(filepath.Dir(f.path), filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return
	}
	_, err1 := tmp.Write(sum[:])
	_, err2 := tmp.Write(body)
	if errors.Join(err1, err2, tmp.Close()) != nil || os.Rename(tmp.Name(), f.path) != nil {
		os.Remove(tmp.Name())
	}
}

package index

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CacheFolder is the folder of the git directory that holds gitsm's caches.
const CacheFolder = "gitsm"

// CachePath returns where the index cache of the records repository at root lives:
// `<git dir>/gitsm/records.index` when root is the top of its git work tree, or
// `records-<hash of the subfolder>.index` when the records repository is a subfolder of a
// larger one (so that two records repositories in one git repository keep separate caches).
// It returns "" when root is not inside a git repository: the index is then built in memory
// on every run and never written, so that no cache file lands in a work tree that is not
// under git (and could be committed once it is).
func CachePath(root string) string {
	abs, err := filepath.Abs(root)
	if err != nil {
		return ""
	}
	for dir := abs; ; {
		gitDir, ok := gitDirAt(dir)
		if ok {
			name := "records.index"
			if rel, err := filepath.Rel(dir, abs); err == nil && rel != "." {
				sum := sha256.Sum256([]byte(filepath.ToSlash(rel)))
				name = "records-" + hex.EncodeToString(sum[:6]) + ".index"
			}
			return filepath.Join(gitDir, CacheFolder, name)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// deltaPath is where the changes since the cache at path was written are kept.
func deltaPath(path string) string {
	return strings.TrimSuffix(path, ".index") + ".delta"
}

// gitDirAt returns the git directory of a work tree whose top is dir: dir/.git when it is a
// directory, or the directory a `.git` file names (`gitdir: …`, as in linked work trees and
// submodules).
func gitDirAt(dir string) (string, bool) {
	p := filepath.Join(dir, ".git")
	info, err := os.Stat(p)
	if err != nil {
		return "", false
	}
	if info.IsDir() {
		return p, true
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", false
	}
	target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
	if !ok {
		return "", false
	}
	target = filepath.FromSlash(strings.TrimSpace(target))
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	if info, err := os.Stat(target); err != nil || !info.IsDir() {
		return "", false
	}
	return target, true
}

// cacheKey identifies everything a cached per-file result depends on besides the file's own
// content: the cache format, the gitsm version, the executable for development builds (which
// all say "dev" however their code changes) and the repository settings, which also carry the
// custom-field schemas. The JSON Schemas are embedded in the executable, so the version or
// the executable covers them.
func cacheKey(version, build, configHash string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "gitsm index %d\x00%s\x00%s\x00%s", formatVersion, version, build, configHash))
	return hex.EncodeToString(sum[:])
}

// buildID fingerprints the running executable by size and modification time: cheap, and
// every rebuild or upgrade changes it.
func buildID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	info, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s %d %d", exe, info.Size(), info.ModTime().UnixNano())
}

// readCache loads the cache at path when its key matches, decoding only the chunks that keep
// accepts (all when keep is nil). Anything unexpected — no file, an old format, another key, a
// truncated or corrupted file — gives nil: a cache is only ever a shortcut, never a reason to
// fail.
func readCache(path, key string, keep func(lo, hi string) bool) *snapshot {
	if path == "" {
		return nil
	}
	b, err := readAll(path)
	if err != nil {
		return nil
	}
	if k, ok := header(b); !ok || k != key {
		return nil
	}
	s, err := decodeSome(b, keep)
	if err != nil || s.Key != key {
		return nil
	}
	return s
}

// writeCache writes the cache atomically: to a temporary file in the same folder, renamed
// over the old one, so that a concurrent reader sees the old or the new file and never half
// of one; of two concurrent writers the last rename wins, and both files are whole.
func writeCache(path string, content []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(content)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// removeCache deletes the cache file; a missing file is fine.
func removeCache(path string) error {
	if path == "" {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

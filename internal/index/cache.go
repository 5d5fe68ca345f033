package index

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
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
	gitDir, prefix, ok := locateGit(root)
	if !ok {
		return ""
	}
	name := "records.index"
	if prefix != "" {
		sum := sha256.Sum256([]byte(prefix))
		name = "records-" + hex.EncodeToString(sum[:6]) + ".index"
	}
	return filepath.Join(gitDir, CacheFolder, name)
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
// path and content: the cache format, the code that computed it (see codeID) and the
// repository settings, which also carry the custom-field schemas. The JSON Schemas are
// embedded in the executable, so the code covers them. It never depends on where or when
// gitsm was installed, so that a CI job that installs the same version on every run keeps
// its cache.
func cacheKey(version, build, configHash string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "gitsm index %d\x00%s\x00%s\x00%s", formatVersion, version, build, configHash))
	return hex.EncodeToString(sum[:])
}

// codeID names the code of the running gitsm beyond its version string: nothing for a
// release (the version names it), else the module version that `go install …@version`
// stamps into the build, else the VCS revision of a clean checkout, and for a development
// build of modified code — whose code changes under one name — the executable's own
// fingerprint.
func codeID(version string) string {
	if released(version) {
		return ""
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; released(v) && v != "(devel)" {
			return "module " + v
		}
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return "vcs " + rev
		}
	}
	return buildID()
}

// buildID fingerprints the running executable by size and modification time: cheap, and
// every rebuild changes it.
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

// cloneFile is the file in the cache folder whose inode and change time identify this copy
// of the folder.
const cloneFile = "clone"

// cloneID identifies the copy of the cache folder dir: the inode and change time of its
// clone file, which gitsm creates once and never writes again. A copy of the folder restored
// into another clone (by actions/cache, cp or tar) gets a new inode and change time, and no
// program can set a change time to a chosen value, so the lstat fingerprints cached by one
// clone never vouch for files in another: there only content (git's index or a hash) does.
// It returns "" when there is no identity (no such file and create is false, or a platform
// without inodes and change times): then no cached fingerprint vouches for anything.
func cloneID(dir string, create bool) string {
	p := filepath.Join(dir, cloneFile)
	info, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) && create {
		if os.MkdirAll(dir, 0o755) == nil {
			if f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
				_, werr := f.WriteString("The inode and change time of this file tell gitsm that the file fingerprints cached\n" +
					"here were taken in this clone. A copy restored elsewhere is trusted by content only.\n")
				if errors.Join(werr, f.Close()) != nil {
					os.Remove(p)
				}
			}
		}
		info, err = os.Lstat(p)
	}
	if err != nil || !info.Mode().IsRegular() {
		return ""
	}
	st := stampOf(info)
	if st.CTime == 0 || st.Ino == 0 {
		return ""
	}
	return fmt.Sprintf("%d:%d", st.Ino, st.CTime)
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

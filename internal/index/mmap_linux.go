//go:build linux

package index

import (
	"os"
	"syscall"
)

// readAll maps the cache file into memory instead of copying it onto the heap: decoded
// strings point into it for the rest of the run, and MAP_POPULATE maps all of it in one go
// rather than a page fault at a time. The mapping is never unmapped. The cache is only ever
// replaced by renaming a new file over it, never rewritten in place, so the mapped file
// cannot shrink under the reader.
func readAll(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	if size <= 0 || size != int64(int(size)) {
		return os.ReadFile(path)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return os.ReadFile(path)
	}
	return b, nil
}

//go:build !unix

package record

import (
	"io"
	"os"
)

// readAll reads the file at path, which Lstat found to hold size bytes, up to limit+1 bytes.
func readAll(path string, size, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if info, err := fh.Stat(); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, errNotRegular
	}
	return io.ReadAll(io.LimitReader(fh, limit+1))
}

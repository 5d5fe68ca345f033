//go:build !linux

package index

import "os"

// readAll reads the cache file.
func readAll(path string) ([]byte, error) { return os.ReadFile(path) }

//go:build !linux

package index

import "io/fs"

// stampOf is the fingerprint of a file that tells it changed without reading it. Off Linux
// it is size and modification time only: the inode and change time live in platform-specific
// fields.
func stampOf(info fs.FileInfo) stamp {
	return stamp{Size: info.Size(), MTime: info.ModTime().UnixNano()}
}

//go:build !linux

package index

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// stampOf is the fingerprint of a file that tells it changed without reading it. Off Linux
// it is size and modification time only: the inode and change time live in platform-specific
// fields.
func stampOf(info fs.FileInfo) stamp {
	return stamp{Size: info.Size(), MTime: info.ModTime().UnixNano()}
}

// lstatAll lstat()s the files of one folder, relative to the open folder.
func lstatAll(root string, paths []string) []walked {
	out := make([]walked, len(paths))
	r, err := os.OpenRoot(filepath.Join(root, filepath.FromSlash(path.Dir(paths[0]))))
	if err == nil {
		defer r.Close()
	}
	for i, p := range paths {
		out[i].path = p
		if err != nil {
			continue
		}
		info, err := r.Lstat(path.Base(p))
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		out[i].stamp, out[i].ok = stampOf(info), true
	}
	return out
}

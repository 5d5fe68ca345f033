//go:build linux

package index

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// stampOf is the fingerprint git also uses to tell a file changed without reading it: size,
// modification and change times, and inode.
func stampOf(info fs.FileInfo) stamp {
	s := stamp{Size: info.Size(), MTime: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.Ino = st.Ino
		s.CTime = st.Ctim.Nano()
	}
	return s
}

// lstatAll lstat()s the files of one folder with fstatat(2) relative to the open folder, so
// that the kernel does not resolve every full path, and without the FileInfo that os.Lstat
// allocates for each of 100,000 files.
func lstatAll(root string, paths []string) []walked {
	out := make([]walked, len(paths))
	for i, p := range paths {
		out[i].path = p
	}
	dir := filepath.Join(root, filepath.FromSlash(path.Dir(paths[0])))
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	for errors.Is(err, syscall.EINTR) {
		fd, err = unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return out
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	for i, p := range paths {
		err := unix.Fstatat(fd, path.Base(p), &st, unix.AT_SYMLINK_NOFOLLOW)
		for errors.Is(err, syscall.EINTR) {
			err = unix.Fstatat(fd, path.Base(p), &st, unix.AT_SYMLINK_NOFOLLOW)
		}
		if err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		out[i].stamp = stamp{Size: st.Size, MTime: st.Mtim.Nano(), CTime: st.Ctim.Nano(), Ino: st.Ino}
		out[i].ok = true
	}
	return out
}

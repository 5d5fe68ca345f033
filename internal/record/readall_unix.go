//go:build unix

package record

import (
	"errors"
	"syscall"
)

// readAll reads the file at path, which Lstat found to hold size bytes, up to limit+1 bytes.
// It uses system calls directly: os.Open registers every file with the network poller and
// sets and resets its flags, five system calls more a file, a third of validate's system
// time. O_NOFOLLOW refuses a symlink put in the file's place since Lstat; O_NONBLOCK keeps a
// FIFO put there from blocking the open, and fstat refuses it, or a device, before any read.
func readAll(path string, size, limit int64) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, errNotRegular
	}
	// One byte more than expected, so that a file that grew shows it. A read that returns
	// less than asked is at the end of the file: no second read to see EOF.
	buf := make([]byte, min(size, limit)+1)
	n := 0
	for {
		want := len(buf) - n
		m, err := syscall.Read(fd, buf[n:])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		n += m
		if m == 0 || m < want || int64(n) > limit {
			return buf[:n], nil
		}
		buf = append(buf, make([]byte, min(int64(len(buf)), limit+1-int64(len(buf))))...)
	}
}

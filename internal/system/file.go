package system

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// File is a raw file descriptor opened for writing. It exists because
// os.OpenFile registers every file with the runtime poller (an extra failing
// epoll_ctl per regular file), which shows up when unpacking many files.
type File struct {
	fd   int
	name string
}

// CreateExcl creates path exclusively (O_EXCL|O_NOFOLLOW) for writing with
// the given permission bits (the umask applies). It fails with EEXIST when
// anything, including a dangling symlink, is already at path.
func CreateExcl(path string, perm uint32) (*File, error) {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{fd: fd, name: path}, nil
}

// Name returns the path the file was opened with.
func (f *File) Name() string { return f.name }

// Write writes all of p, retrying short writes.
func (f *File) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := unix.Write(f.fd, p[done:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return done, fmt.Errorf("write %s: %w", f.name, err)
		}
		done += n
	}
	return done, nil
}

// Chown sets the owner of the open file.
func (f *File) Chown(uid, gid int) error {
	if err := unix.Fchown(f.fd, uid, gid); err != nil {
		return fmt.Errorf("fchown %s: %w", f.name, err)
	}
	return nil
}

// Chmod sets the permission bits (including setuid/setgid/sticky).
func (f *File) Chmod(mode uint32) error {
	if err := unix.Fchmod(f.fd, mode); err != nil {
		return fmt.Errorf("fchmod %s: %w", f.name, err)
	}
	return nil
}

// Setxattr sets an extended attribute on the open file.
func (f *File) Setxattr(name string, value []byte) error {
	if err := unix.Fsetxattr(f.fd, name, value, 0); err != nil {
		return fmt.Errorf("fsetxattr %s %s: %w", f.name, name, err)
	}
	return nil
}

// SetTimes sets access and modification times of the open file.
func (f *File) SetTimes(atime, mtime time.Time) error {
	ts := [2]unix.Timespec{Timespec(atime), Timespec(mtime)}
	// utimensat(fd, NULL, ts, 0) is futimens(2); x/sys has no wrapper.
	_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(f.fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if errno != 0 {
		return fmt.Errorf("futimens %s: %w", f.name, errno)
	}
	return nil
}

// Ino returns the inode number of the open file.
func (f *File) Ino() (uint64, error) {
	st, err := f.Stat()
	return st.Ino, err
}

// Stat returns the fstat of the open file.
func (f *File) Stat() (unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return st, fmt.Errorf("fstat %s: %w", f.name, err)
	}
	return st, nil
}

// Close closes the descriptor. Closing twice is an error.
func (f *File) Close() error {
	if f.fd < 0 {
		return fmt.Errorf("close %s: already closed", f.name)
	}
	err := unix.Close(f.fd)
	f.fd = -1
	if err != nil {
		return fmt.Errorf("close %s: %w", f.name, err)
	}
	return nil
}

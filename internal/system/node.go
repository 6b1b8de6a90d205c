package system

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Mknod creates a device node or FIFO. mode carries the file type bits
// (unix.S_IFCHR, S_IFBLK, S_IFIFO) and permissions.
func Mknod(path string, mode uint32, major, minor uint32) error {
	if err := unix.Mknod(path, mode, int(unix.Mkdev(major, minor))); err != nil {
		return fmt.Errorf("mknod %s: %w", path, err)
	}
	return nil
}

// Lutimes sets the access and modification times of path without following
// a final symlink, with nanosecond precision.
func Lutimes(path string, atime, mtime time.Time) error {
	ts := []unix.Timespec{Timespec(atime), Timespec(mtime)}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("lutimes %s: %w", path, err)
	}
	return nil
}

// LockMode selects a flock(2) lock kind.
type LockMode int

// Lock kinds for Flock.
const (
	LockShared    LockMode = unix.LOCK_SH
	LockExclusive LockMode = unix.LOCK_EX
	Unlock        LockMode = unix.LOCK_UN
)

// Flock applies (blocking) or releases a flock(2) lock on fd.
func Flock(fd uintptr, mode LockMode) error {
	for {
		err := unix.Flock(int(fd), int(mode))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("flock: %w", err)
		}
		return nil
	}
}

// Timespec converts t for utimensat(2). Unlike NsecToTimespec(t.UnixNano())
// it does not wrap around for times outside 1678..2262 (UnixNano overflows);
// the kernel clamps to what the filesystem can store.
func Timespec(t time.Time) unix.Timespec {
	return unix.Timespec{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
}

// Lchmod sets the 12 permission bits of path without following a final
// symlink: on a symlink it fails (EOPNOTSUPP) instead of changing the
// target. It uses fchmodat2(AT_SYMLINK_NOFOLLOW) and, on kernels without
// it, refuses symlinks after an lstat (callers own the tree, see
// internal/pathsafe's threat model).
func Lchmod(path string, mode uint32) error {
	err := unix.Fchmodat(unix.AT_FDCWD, path, mode&0o7777, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.EOPNOTSUPP) {
		var st unix.Stat_t
		if lerr := unix.Lstat(path, &st); lerr != nil {
			err = lerr
		} else if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			err = unix.Fchmodat(unix.AT_FDCWD, path, mode&0o7777, 0)
		}
	}
	if err != nil {
		return &os.PathError{Op: "chmod", Path: path, Err: err}
	}
	return nil
}

package system

import (
	"fmt"
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
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
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

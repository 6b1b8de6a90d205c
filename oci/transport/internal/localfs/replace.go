package localfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// cannotRename says why the existing file at path cannot be replaced by
// renaming another file of its directory over it, or returns "" when it
// can: path is a mount point (a bind-mounted file: rename fails with EBUSY),
// its directory is read-only or not writable for this process, or the
// directory is sticky and neither it nor the file belongs to this process
// (rename fails with EPERM). It is decided before anything is written, so
// that no copy fails only at its end.
func cannotRename(path string, fi fs.FileInfo) (string, error) {
	parent := filepath.Dir(path)
	mnt, err := isMountPoint(path)
	if err != nil {
		return "", err
	}
	if mnt {
		return "it is a mount point", nil
	}
	if !dirWritable(parent) {
		return "its directory is not writable", nil
	}
	pfi, err := os.Stat(parent)
	if err != nil {
		return "", err
	}
	euid := uint32(os.Geteuid())
	if pfi.Mode()&fs.ModeSticky != 0 && euid != 0 && uidOf(pfi) != euid && uidOf(fi) != euid {
		return "its directory is sticky and the file belongs to another user", nil
	}
	return "", nil
}

// isMountPoint reports whether path is mounted on (a bind-mounted file or
// directory, a volume, a tmpfs): its mount differs from its parent's. The
// mount ids are compared (statx), or, on a kernel without them, the
// devices.
func isMountPoint(path string) (bool, error) {
	var a, b unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_MNT_ID, &a)
	if err == nil {
		err = unix.Statx(unix.AT_FDCWD, filepath.Dir(path), 0, unix.STATX_MNT_ID, &b)
	}
	if err == nil && a.Mask&b.Mask&unix.STATX_MNT_ID != 0 {
		return a.Mnt_id != b.Mnt_id, nil
	}
	if err != nil && !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EPERM) {
		return false, fmt.Errorf("statx %s: %w", path, err)
	}
	var sa, sb unix.Stat_t
	if err := unix.Lstat(path, &sa); err != nil {
		return false, &os.PathError{Op: "lstat", Path: path, Err: err}
	}
	if err := unix.Stat(filepath.Dir(path), &sb); err != nil {
		return false, &os.PathError{Op: "stat", Path: filepath.Dir(path), Err: err}
	}
	return sa.Dev != sb.Dev, nil
}

// dirWritable reports whether this process may create and remove entries
// in dir: its file system is not read-only and the effective ids may write
// and search it.
func dirWritable(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err == nil && st.Flags&unix.ST_RDONLY != 0 {
		return false
	}
	return unix.Faccessat(unix.AT_FDCWD, dir, unix.W_OK|unix.X_OK, unix.AT_EACCESS) == nil
}

// isPermission reports whether err is a refusal to write (permission, or a
// read-only file system).
func isPermission(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

func uidOf(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return ^uint32(0)
}

package copytest

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// fsImmutableFl is FS_IMMUTABLE_FL of linux/fs.h (chattr +i).
const fsImmutableFl = 0x10

// UnwritableDir makes directory dir one in which this process can create,
// rename and remove nothing, as a directory a user may not write: mode 0555
// for a user, the immutable attribute for root (whom modes do not stop;
// entries already there stay writable). It is undone at the end of the
// test; the test is skipped where the file system has no such attribute.
func UnwritableDir(t testing.TB, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flags, err := unix.IoctlGetInt(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, flags|fsImmutableFl)
	}
	if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
		t.Skipf("%s: no immutable attribute on this file system: %v", dir, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f, err := os.Open(dir)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if err := unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, flags); err != nil {
			t.Error(err)
		}
	})
	if err := os.Mkdir(dir+"/probe", 0o755); !errors.Is(err, syscall.EPERM) {
		t.Fatalf("%s is still writable: %v", dir, err)
	}
}

// BindMount mounts path (a file or a directory) on itself, making it a
// mount point as a volume or a bind-mounted file is: rename(2) over it
// fails with EBUSY. Root only (the test is skipped otherwise); unmounted at
// the end of the test.
func BindMount(t testing.TB, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	if err := unix.Mount(path, path, "", unix.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
			t.Error(err)
		}
	})
}

// Ino returns the inode number of path.
func Ino(t testing.TB, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

package fseval

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lade-oci/lade/internal/system"
	"github.com/vbatts/go-mtree"
	"golang.org/x/sys/unix"
)

// Default is the FsEval that calls the kernel directly.
var Default FsEval = defaultFs{}

type defaultFs struct{}

func (defaultFs) Open(path string) (*os.File, error)     { return os.Open(path) }
func (defaultFs) Lstat(path string) (os.FileInfo, error) { return os.Lstat(path) }

// Readdir opens path with O_DIRECTORY so a FIFO or device cannot block it.
func (defaultFs) Readdir(path string) ([]os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdir(-1)
}
func (defaultFs) KeywordFunc(fn mtree.KeywordFunc) mtree.KeywordFunc { return fn }

// Readdirnames opens path with O_DIRECTORY|O_NOFOLLOW: a symlink, FIFO or
// device at path fails at once instead of being followed or blocking.
func (defaultFs) Readdirnames(path string) ([]string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
func (defaultFs) Readlink(path string) (string, error)         { return os.Readlink(path) }
func (defaultFs) WalkDir(root string, fn fs.WalkDirFunc) error { return filepath.WalkDir(root, fn) }
func (defaultFs) CreateExcl(path string, perm uint32) (*system.File, error) {
	return system.CreateExcl(path, perm)
}
func (defaultFs) Mkdir(path string, perm uint32) error {
	if err := unix.Mkdir(path, perm); err != nil {
		return &os.PathError{Op: "mkdir", Path: path, Err: err}
	}
	return nil
}
func (defaultFs) Symlink(target, path string) error { return os.Symlink(target, path) }
func (defaultFs) Link(oldpath, newpath string) error {
	// linkat without AT_SYMLINK_FOLLOW: a symlink is linked, not followed.
	return os.Link(oldpath, newpath)
}
func (defaultFs) Mknod(path string, mode uint32, major, minor uint32) error {
	return system.Mknod(path, mode, major, minor)
}
func (defaultFs) Remove(path string) error               { return os.Remove(path) }
func (defaultFs) RemoveAll(path string) error            { return os.RemoveAll(path) }
func (defaultFs) Lchown(path string, uid, gid int) error { return os.Lchown(path, uid, gid) }
func (defaultFs) Chmod(path string, mode uint32) error   { return system.Lchmod(path, mode) }
func (defaultFs) Lutimes(path string, atime, mtime time.Time) error {
	return system.Lutimes(path, atime, mtime)
}
func (defaultFs) Llistxattr(path string) ([]string, error)    { return system.Llistxattr(path) }
func (defaultFs) Lgetxattr(path, name string) ([]byte, error) { return system.Lgetxattr(path, name) }
func (defaultFs) Lsetxattr(path, name string, v []byte) error { return system.Lsetxattr(path, name, v) }
func (defaultFs) Lremovexattr(path, name string) error        { return system.Lremovexattr(path, name) }

package fseval

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/internal/unpriv"
	"github.com/vbatts/go-mtree"
)

// Rootless is the rootless FsEval without a root: it never grants access to
// anything, so it only works where no permission bit is in the way. Use
// NewIn(root, true), or Bind it to the tree it walks.
//
// Deprecated: use NewIn.
var Rootless FsEval = rootlessFs{}

// rootlessFs is the FsEval for unprivileged users: every operation is tried
// directly first and retried through internal/unpriv on EACCES/EPERM, which
// only ever opens up directories inside root (root included).
type rootlessFs struct{ root string }

var d = defaultFs{}

func (r rootlessFs) Open(path string) (f *os.File, err error) {
	err = unpriv.WrapSelf(r.root, path, func(p string) error { f, err = d.Open(p); return err })
	return f, err
}
func (r rootlessFs) Lstat(path string) (fi os.FileInfo, err error) {
	err = unpriv.Wrap(r.root, path, func(p string) error { fi, err = d.Lstat(p); return err })
	return fi, err
}
func (r rootlessFs) Readdir(path string) (fis []os.FileInfo, err error) {
	err = unpriv.WrapSelf(r.root, path, func(p string) error { fis, err = d.Readdir(p); return err })
	return fis, err
}
func (r rootlessFs) KeywordFunc(fn mtree.KeywordFunc) mtree.KeywordFunc {
	return func(path string, info os.FileInfo, rd io.Reader) (kvs []mtree.KeyVal, err error) {
		err = unpriv.WrapSelf(r.root, path, func(p string) error { kvs, err = fn(p, info, rd); return err })
		return kvs, err
	}
}
func (r rootlessFs) Readdirnames(path string) (names []string, err error) {
	err = unpriv.WrapSelf(r.root, path, func(p string) error { names, err = d.Readdirnames(p); return err })
	return names, err
}
func (r rootlessFs) Readlink(path string) (s string, err error) {
	err = unpriv.Wrap(r.root, path, func(p string) error { s, err = d.Readlink(p); return err })
	return s, err
}

// WalkDir walks top, granting access to unreadable directories on the way
// (only inside the evaluator's root).
func (r rootlessFs) WalkDir(top string, fn fs.WalkDirFunc) error {
	return unpriv.WrapSelf(r.root, top, func(string) error {
		return filepath.WalkDir(top, func(p string, de fs.DirEntry, err error) error {
			if err != nil && de != nil && de.IsDir() {
				// Unreadable directory: walk it through the rootless Readdir.
				return r.walkLocked(p, fn)
			}
			return fn(p, de, err)
		})
	})
}

func (r rootlessFs) walkLocked(dir string, fn fs.WalkDirFunc) error {
	names, err := r.Readdirnames(dir)
	if err != nil {
		return fn(dir, nil, err)
	}
	for _, n := range names {
		p := filepath.Join(dir, n)
		fi, err := r.Lstat(p)
		if err != nil {
			if err := fn(p, nil, err); err != nil {
				return err
			}
			continue
		}
		if err := fn(p, fs.FileInfoToDirEntry(fi), nil); err != nil {
			if err == filepath.SkipDir {
				continue
			}
			return err
		}
		if fi.IsDir() {
			if err := r.walkLocked(p, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r rootlessFs) CreateExcl(path string, perm uint32) (f *system.File, err error) {
	err = unpriv.Wrap(r.root, path, func(p string) error { f, err = d.CreateExcl(p, perm); return err })
	return f, err
}
func (r rootlessFs) Mkdir(path string, perm uint32) error {
	return unpriv.Wrap(r.root, path, func(p string) error { return d.Mkdir(p, perm) })
}
func (r rootlessFs) Symlink(target, path string) error {
	return unpriv.Wrap(r.root, path, func(p string) error { return d.Symlink(target, p) })
}
func (r rootlessFs) Link(oldpath, newpath string) error {
	return unpriv.Wrap(r.root, oldpath, func(string) error {
		return unpriv.Wrap(r.root, newpath, func(p string) error { return d.Link(oldpath, p) })
	})
}
func (r rootlessFs) Mknod(path string, mode uint32, major, minor uint32) error {
	return unpriv.Wrap(r.root, path, func(p string) error { return d.Mknod(p, mode, major, minor) })
}
func (r rootlessFs) Remove(path string) error {
	return unpriv.Wrap(r.root, path, func(p string) error { return d.Remove(p) })
}
func (r rootlessFs) RemoveAll(path string) error { return unpriv.RemoveAll(r.root, path) }
func (r rootlessFs) Lchown(path string, uid, gid int) error {
	return unpriv.Wrap(r.root, path, func(p string) error { return d.Lchown(p, uid, gid) })
}
func (r rootlessFs) Chmod(path string, mode uint32) error {
	return unpriv.Wrap(r.root, path, func(p string) error { return d.Chmod(p, mode) })
}
func (r rootlessFs) Lutimes(path string, atime, mtime time.Time) error {
	return unpriv.Wrap(r.root, path, func(p string) error { return d.Lutimes(p, atime, mtime) })
}
func (r rootlessFs) Llistxattr(path string) (names []string, err error) {
	err = unpriv.WrapSelf(r.root, path, func(p string) error { names, err = d.Llistxattr(p); return err })
	return names, err
}
func (r rootlessFs) Lgetxattr(path, name string) (v []byte, err error) {
	err = unpriv.WrapSelf(r.root, path, func(p string) error { v, err = d.Lgetxattr(p, name); return err })
	return v, err
}
func (r rootlessFs) Lsetxattr(path, name string, v []byte) error {
	return unpriv.WrapSelf(r.root, path, func(p string) error { return d.Lsetxattr(p, name, v) })
}
func (r rootlessFs) Lremovexattr(path, name string) error {
	return unpriv.WrapSelf(r.root, path, func(p string) error { return d.Lremovexattr(p, name) })
}

package fseval

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lade-oci/lade/internal/system"
	"github.com/vbatts/go-mtree"
)

// FsEval performs filesystem operations on host paths. Path arguments are
// full host paths that the caller has already confined to its root (see
// internal/pathsafe); none of the methods follow a final symlink unless the
// os.* function they mirror does (Open, Readdir).
type FsEval interface {
	// go-mtree's FsEval.
	Open(path string) (*os.File, error)
	Lstat(path string) (os.FileInfo, error)
	Readdir(path string) ([]os.FileInfo, error)
	KeywordFunc(fn mtree.KeywordFunc) mtree.KeywordFunc

	// Readdirnames lists the names in directory path (unsorted); it fails
	// on anything but a real directory (a final symlink is not followed).
	Readdirnames(path string) ([]string, error)
	Readlink(path string) (string, error)
	// WalkDir is filepath.WalkDir with this evaluator's access rules.
	WalkDir(root string, fn fs.WalkDirFunc) error

	// CreateExcl creates a new file for writing (O_EXCL|O_NOFOLLOW); EEXIST
	// if anything is at path.
	CreateExcl(path string, perm uint32) (*system.File, error)
	Mkdir(path string, perm uint32) error
	Symlink(target, path string) error
	Link(oldpath, newpath string) error
	// Mknod creates a node; mode includes the S_IF* type bits.
	Mknod(path string, mode uint32, major, minor uint32) error
	Remove(path string) error
	RemoveAll(path string) error

	Lchown(path string, uid, gid int) error
	// Chmod sets all 12 permission bits (setuid/setgid/sticky included);
	// unlike os.Chmod it never follows a final symlink (it fails on one).
	Chmod(path string, mode uint32) error
	Lutimes(path string, atime, mtime time.Time) error

	Llistxattr(path string) ([]string, error)
	Lgetxattr(path, name string) ([]byte, error)
	Lsetxattr(path, name string, value []byte) error
	Lremovexattr(path, name string) error
}

// NewIn returns the evaluator for the tree at root: Default, or with
// rootless the evaluator that retries operations failing with EACCES/EPERM
// after temporarily granting the owner access to the directories in the
// way. Those grants are bounded by root: only root itself and directories
// below it (reached without following a symlink) are ever chmodded, so
// nothing outside the tree (the bundle's parent, the user's home) changes,
// not even its ctime. Paths outside root get no help.
func NewIn(root string, rootless bool) FsEval {
	if !rootless {
		return Default
	}
	if abs, err := filepath.Abs(root); err == nil && root != "" {
		root = abs
	}
	return rootlessFs{root: root}
}

// Bind gives a rootless evaluator without a root (Rootless) the tree root it
// may open up; every other evaluator (nil included) is returned unchanged.
// It lets a caller holding Rootless hand it to a walk of root safely.
func Bind(fsys mtree.FsEval, root string) mtree.FsEval {
	if r, ok := fsys.(rootlessFs); ok && r.root == "" {
		return NewIn(root, true)
	}
	return fsys
}

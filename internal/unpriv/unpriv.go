package unpriv

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

func isPerm(err error) bool {
	return errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM)
}

// specialBits are the mode bits beyond rwx that a chmod must carry over.
const specialBits = os.ModeSetuid | os.ModeSetgid | os.ModeSticky

// saved is a path granted with acquire, to be released by restore.
type saved string

func isDir(fi os.FileInfo) bool     { return fi.IsDir() }
func isRegular(fi os.FileInfo) bool { return fi.Mode().IsRegular() }

// restore releases undo's grants in reverse order; a mode comes back once
// no other goroutine still needs it open.
func restore(undo []saved) {
	for i := len(undo) - 1; i >= 0; i-- {
		release(string(undo[i]))
	}
}

// grantAncestors grants owner access to the ancestors of path that lie
// inside root (root included), top down. complete is false when path is
// outside root or a component on the way is not a real directory.
func grantAncestors(root, path string) (undo []saved, complete bool) {
	dirs, ok := chain(root, path)
	if !ok {
		return nil, false
	}
	return grantChain(dirs, nil)
}

// Wrap runs fn(path); if it fails with EACCES or EPERM it grants the owner
// access to path's ancestors inside root (root included, nothing above it),
// runs fn again and restores their modes. A path outside root is never
// helped: fn's first error is returned.
func Wrap(root, path string, fn func(path string) error) error {
	err := fn(path)
	if err == nil || !isPerm(err) {
		return err
	}
	undo, _ := grantAncestors(root, path)
	if len(undo) == 0 {
		return err
	}
	defer restore(undo)
	return fn(path)
}

// grantSelf adds owner rwx to a directory or rw to a regular file.
func grantSelf(path string, undo []saved) []saved {
	abs, err := filepath.Abs(path)
	if err != nil {
		return undo
	}
	if _, taken, _ := acquire(abs, 0o700, isDir); taken {
		return append(undo, saved(abs))
	}
	if _, taken, _ := acquire(abs, 0o600, isRegular); taken {
		return append(undo, saved(abs))
	}
	return undo
}

// WrapSelf is Wrap that additionally grants the owner access to path itself
// (rwx on a directory, rw on a regular file) for reading it, its xattrs, or
// creating inside it. path itself is only touched when it is inside root
// (or is root) and every directory on the way to it is a real directory.
func WrapSelf(root, path string, fn func(path string) error) error {
	err := fn(path)
	if err == nil || !isPerm(err) {
		return err
	}
	undo, complete := grantAncestors(root, path)
	if complete {
		undo = grantSelf(path, undo)
	}
	if len(undo) == 0 {
		return err
	}
	defer restore(undo)
	return fn(path)
}

// RemoveAll removes path and everything below it, granting the owner access
// to any directory inside root that blocks the removal. A path outside root
// is removed with os.RemoveAll and no help.
func RemoveAll(root, path string) error {
	err := os.RemoveAll(path)
	if err == nil || !isPerm(err) {
		return err
	}
	undo, complete := grantAncestors(root, path)
	defer restore(undo)
	if !complete {
		return err
	}
	// WalkDir lstats path and calls fn for a directory before reading it
	// (it never follows a symlink), so granting there makes it readable in
	// time. The directories are deleted: nothing under path is restored, so
	// the chmod does not go through acquire.
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, _ error) error {
		if d == nil || !d.IsDir() {
			return nil
		}
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() && fi.Mode().Perm()&0o700 != 0o700 {
			_ = os.Chmod(p, fi.Mode().Perm()|0o700|(fi.Mode()&specialBits))
		}
		return nil
	})
	return os.RemoveAll(path)
}

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

type saved struct {
	path string
	mode os.FileMode
}

// grant adds owner rwx to path if it is a directory lacking them, recording
// the original mode so restore can put it back.
func grant(path string, undo []saved) []saved {
	fi, err := os.Lstat(path)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o700 == 0o700 {
		return undo
	}
	if err := os.Chmod(path, fi.Mode().Perm()|0o700|(fi.Mode()&(os.ModeSetuid|os.ModeSetgid|os.ModeSticky))); err != nil {
		return undo
	}
	return append(undo, saved{path: path, mode: fi.Mode()})
}

func restore(undo []saved) {
	for i := len(undo) - 1; i >= 0; i-- {
		_ = os.Chmod(undo[i].path, undo[i].mode&(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky))
	}
}

// grantAncestors grants owner access to every ancestor of path, top down.
func grantAncestors(path string) []saved {
	path = filepath.Clean(path)
	var dirs []string
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	var undo []saved
	for i := len(dirs) - 1; i >= 0; i-- {
		undo = grant(dirs[i], undo)
	}
	return undo
}

// Wrap runs fn(path); if it fails with EACCES or EPERM it grants the owner
// access to path's ancestors, runs fn again and restores their modes.
func Wrap(path string, fn func(path string) error) error {
	err := fn(path)
	if err == nil || !isPerm(err) {
		return err
	}
	undo := grantAncestors(path)
	defer restore(undo)
	return fn(path)
}

// grantSelf adds owner rwx to a directory or rw to a regular file.
func grantSelf(path string, undo []saved) []saved {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return grant(path, undo)
	}
	if fi.Mode().Perm()&0o600 == 0o600 || os.Chmod(path, fi.Mode().Perm()|0o600|(fi.Mode()&(os.ModeSetuid|os.ModeSetgid|os.ModeSticky))) != nil {
		return undo
	}
	return append(undo, saved{path: path, mode: fi.Mode()})
}

// WrapSelf is Wrap that additionally grants the owner access to path itself
// (rwx on a directory, rw on a regular file) for reading it, its xattrs, or
// creating inside it.
func WrapSelf(path string, fn func(path string) error) error {
	err := fn(path)
	if err == nil || !isPerm(err) {
		return err
	}
	undo := grantSelf(path, grantAncestors(path))
	defer restore(undo)
	return fn(path)
}

// RemoveAll removes path and everything below it, granting the owner access
// to any directory that blocks the removal.
func RemoveAll(path string) error {
	err := os.RemoveAll(path)
	if err == nil || !isPerm(err) {
		return err
	}
	undo := grantAncestors(path)
	defer restore(undo)
	// Open up the whole subtree; the directories are deleted so nothing under
	// path needs restoring.
	// WalkDir calls fn for a directory before reading it, so granting there
	// makes it readable in time. Nothing under path needs restoring.
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, _ error) error {
		if d != nil && d.IsDir() {
			_ = grant(p, nil)
		}
		return nil
	})
	return os.RemoveAll(path)
}

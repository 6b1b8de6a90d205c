package unpriv

import (
	"path/filepath"
	"strings"
)

// chain returns the directories from root down to dir(path) (root first,
// dir(path) last) when path lies inside root, root itself included; path
// == root gives an empty chain. ok is false when path is not inside root or
// root is empty: then nothing may be touched. The check is lexical on the
// absolute, cleaned paths, with root's symlink-resolved form accepted as an
// alias; grantChain then refuses any component below root that is not a
// real directory, so a symlink inside root never leads a chmod outside it.
func chain(root, path string) (dirs []string, ok bool) {
	if root == "" || path == "" {
		return nil, false
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, false
	}
	absPath, err := filepath.Abs(path)
	if err != nil {
		return nil, false
	}
	rel, ok := relInside(absRoot, absPath)
	if !ok {
		real, err := filepath.EvalSymlinks(absRoot)
		if err != nil || real == absRoot {
			return nil, false
		}
		if rel, ok = relInside(real, absPath); !ok {
			return nil, false
		}
		absRoot = real
	}
	if rel == "" {
		return nil, true
	}
	parts := strings.Split(rel, string(filepath.Separator))
	dirs = append(dirs, absRoot)
	for _, p := range parts[:len(parts)-1] {
		dirs = append(dirs, filepath.Join(dirs[len(dirs)-1], p))
	}
	return dirs, true
}

// relInside returns path relative to root ("" for root itself) when path is
// root or below it.
func relInside(root, path string) (string, bool) {
	if path == root {
		return "", true
	}
	prefix := root
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	if !strings.HasPrefix(path, prefix) {
		return "", false
	}
	return path[len(prefix):], true
}

// grantChain grants owner rwx on each directory of dirs, top down. It stops
// at the first entry that is not a real directory (a symlink, a missing
// path, one it cannot lstat): everything below it is left alone. complete
// reports whether every entry was a real directory.
func grantChain(dirs []string, undo []saved) (_ []saved, complete bool) {
	for _, d := range dirs {
		fi, taken, err := acquire(d, 0o700, isDir)
		if taken {
			undo = append(undo, saved(d))
		}
		if err != nil || !fi.IsDir() {
			return undo, false
		}
	}
	return undo, true
}

package localfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Target is a destination or source path made explicit.
type Target struct {
	// Path is absolute, with every symbolic link resolved.
	Path string
	// Info is Path's Lstat, nil when Path does not exist.
	Info fs.FileInfo
}

// Exists reports whether the target exists.
func (t Target) Exists() bool { return t.Info != nil }

// Resolve makes path explicit as skopeo does for local transports: an
// existing path has all its symbolic links resolved (a dangling link is an
// error); a missing path must be a missing last component of an existing
// directory, whose links are resolved. A missing parent is an error that
// names the first missing component ("lstat /a: no such file or directory").
func Resolve(path string) (Target, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Target{}, err
	}
	if _, err := os.Lstat(abs); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return Target{}, err
		}
		parent, err := filepath.EvalSymlinks(filepath.Dir(abs))
		if err != nil {
			return Target{}, err
		}
		if fi, err := os.Stat(parent); err != nil {
			return Target{}, err
		} else if !fi.IsDir() {
			return Target{}, fmt.Errorf("%s is not a directory", parent)
		}
		return Target{Path: filepath.Join(parent, filepath.Base(abs))}, nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return Target{}, err
	}
	fi, err := os.Lstat(real)
	if err != nil {
		return Target{}, err
	}
	return Target{Path: real, Info: fi}, nil
}

// TempName returns the prefix of a temporary file or directory next to
// path: ".lade-tmp-" and path's base name, cut to 64 bytes so that any
// name fits in NAME_MAX with the random suffix os.CreateTemp adds.
func TempName(path string) string {
	base := filepath.Base(path)
	if len(base) > 64 {
		base = base[:64]
	}
	return ".lade-tmp-" + base + "-"
}

// SyncDir fsyncs directory dir, making a rename or removal in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

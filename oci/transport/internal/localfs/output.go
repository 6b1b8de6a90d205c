package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// Output is an archive file a destination writes.
type Output struct {
	// Path is where the archive goes: the real path of a regular file (or of
	// a missing one), or the path as given for a special file.
	Path string
	// Info is Path's Stat (links followed), nil when it does not exist.
	Info fs.FileInfo
}

// Special reports whether the output is an existing file that is neither
// regular nor a directory (a pipe, a terminal, /dev/stdout): it is written
// through, not replaced.
func (o Output) Special() bool {
	return o.Info != nil && !o.Info.Mode().IsRegular() && !o.Info.IsDir()
}

// ResolveOutput looks at the archive path an archive destination writes.
// A missing path needs an existing parent directory; a symbolic link to a
// regular file is resolved so that the file, not the link, is replaced; a
// special file (/dev/stdout, a pipe) is kept as given; a directory is
// refused.
func ResolveOutput(path string) (Output, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return Output{}, fmt.Errorf("%s is a dangling symbolic link", path)
		}
		t, err := Resolve(path)
		if err != nil {
			return Output{}, err
		}
		return Output{Path: t.Path}, nil
	case err != nil:
		return Output{}, err
	case fi.IsDir():
		return Output{}, fmt.Errorf("%s: %w", path, syscall.EISDIR)
	case !fi.Mode().IsRegular():
		return Output{Path: path, Info: fi}, nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return Output{}, err
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return Output{}, err
	}
	return Output{Path: real, Info: fi}, nil
}

// WriteFile writes the output with fill. A special file is opened for
// writing and written through. Otherwise fill writes a temporary file next
// to Path, which is given the replaced file's mode (and owner, as root) or
// 0644, fsynced and renamed over Path, and the directory is fsynced; on any
// failure the temporary file is removed and Path is untouched. With
// noReplace the rename fails if Path has appeared meanwhile.
func (o Output) WriteFile(ctx context.Context, noReplace bool, fill func(f *os.File) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.Special() {
		f, err := os.OpenFile(o.Path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := fill(f); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	}
	dir := filepath.Dir(o.Path)
	tmp, err := createLocked(dir, TempName(o.Path), false)
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := o.copyAttributes(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	// Renamed while still open, so that its lock keeps CleanStale away
	// until it has its final name.
	if noReplace {
		err = renameNoReplace(tmp.Name(), o.Path)
	} else {
		err = os.Rename(tmp.Name(), o.Path)
	}
	if err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", o.Path, err)
	}
	return SyncDir(dir)
}

// copyAttributes gives f the mode of the file it replaces (and its owner,
// as root), or 0644.
func (o Output) copyAttributes(f *os.File) error {
	mode := os.FileMode(0o644)
	if o.Info != nil {
		mode = o.Info.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	if o.Info == nil || os.Geteuid() != 0 {
		return nil
	}
	if st, ok := o.Info.Sys().(*syscall.Stat_t); ok {
		if err := f.Chown(int(st.Uid), int(st.Gid)); err != nil {
			return fmt.Errorf("chown %s: %w", f.Name(), err)
		}
	}
	return nil
}

// renameNoReplace renames from to to, failing with EEXIST when to exists.
// Where renameat2 is not supported it links and unlinks instead.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		if err := os.Link(from, to); err != nil {
			return err
		}
		return os.Remove(from)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
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

	// inPlace is the existing file, open for writing and flocked, when
	// Prepare chose to rewrite it in place; nil otherwise.
	inPlace *os.File
}

// Special reports whether the output is an existing file that is neither
// regular nor a directory (a pipe, a terminal, /dev/stdout): it is written
// through, not replaced.
func (o *Output) Special() bool {
	return o.Info != nil && !o.Info.Mode().IsRegular() && !o.Info.IsDir()
}

// InPlace reports whether Prepare chose to rewrite the existing file in
// place (see Prepare).
func (o *Output) InPlace() bool { return o.inPlace != nil }

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

// Prepare decides how WriteFile will write the output, before any blob is
// copied, and creates the stage for its blobs (in tempDir, for blobs that
// cannot go next to the output):
//
//   - a special file is written through; the stage is in tempDir;
//   - a missing file, or an existing one that a file of its directory can
//     be renamed over, is written to a temporary file next to it that is
//     renamed over it (atomic); the stage is next to it;
//   - an existing file that cannot be replaced that way (a mount point, in
//     a directory this process may not write, see cannotRename) is opened
//     for writing now, flocked (a file another process or this copy's
//     source has open through oci/cas/archive is refused), and rewritten in
//     place at WriteFile; the stage is next to it when its directory allows,
//     else in tempDir.
func (o *Output) Prepare(ctx context.Context, tempDir string) (*Stage, error) {
	parent := filepath.Dir(o.Path)
	if o.Special() {
		return NewStage(tempDir, o.Path, false)
	}
	if o.Info == nil {
		return NewStage(parent, o.Path, false)
	}
	why, err := cannotRename(o.Path, o.Info)
	if err != nil {
		return nil, err
	}
	if why == "" {
		stage, err := NewStage(parent, o.Path, false)
		if err == nil || !isPermission(err) {
			return stage, err
		}
		why = "its directory is not writable"
	}
	if err := o.openInPlace(); err != nil {
		return nil, err
	}
	slog.DebugContext(ctx, "the archive will be rewritten in place, not replaced", "path", o.Path, "reason", why)
	stage, err := NewStage(parent, o.Path, false)
	if err != nil && isPermission(err) {
		stage, err = NewStage(tempDir, o.Path, false)
	}
	if err != nil {
		_ = o.Close()
		return nil, err
	}
	return stage, nil
}

// Close releases the file Prepare opened for an in-place write. It is
// idempotent.
func (o *Output) Close() error {
	if o.inPlace == nil {
		return nil
	}
	err := o.inPlace.Close()
	o.inPlace = nil
	return err
}

// WriteFile writes the output with fill, in the way Prepare chose (without
// Prepare: rename, or write-through for a special file). size is an upper
// bound of what fill writes (0: unknown), used to check for space before an
// in-place rewrite.
//
// A special file is opened for writing and written through. A file
// rewritten in place is emptied and written (see writeInPlace). Otherwise
// fill writes a temporary file next to Path, which is given the replaced
// file's attributes (see copyAttributes) or 0644, fsynced and renamed over Path,
// and the directory is fsynced; on any failure the temporary file is
// removed and Path is untouched. With noReplace the rename fails if Path
// has appeared meanwhile.
func (o *Output) WriteFile(ctx context.Context, noReplace bool, size int64, fill func(ctx context.Context, f *os.File) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.inPlace != nil {
		return writeInPlace(ctx, o.inPlace, size, fill)
	}
	if o.Special() {
		f, err := os.OpenFile(o.Path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := fill(ctx, f); err != nil {
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
	if err := fill(ctx, tmp); err != nil {
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

// copyAttributes gives f the owner (as root), the group (when this
// process may give it) and the mode, setgid and setuid bits included, of
// the file it replaces, or 0644.
func (o *Output) copyAttributes(f *os.File) error {
	mode := uint32(0o644)
	if st, ok := statT(o.Info); ok {
		uid := -1
		if os.Geteuid() == 0 {
			uid = int(st.Uid)
		}
		// chown clears setuid and setgid: it comes before chmod. A group
		// this user is not in is not given (EPERM), as with cp -p.
		if err := f.Chown(uid, int(st.Gid)); err != nil && (uid != -1 || !errors.Is(err, fs.ErrPermission)) {
			return fmt.Errorf("chown %s: %w", f.Name(), err)
		}
		mode = st.Mode & 0o7777
	}
	if err := unix.Fchmod(int(f.Fd()), mode); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	return nil
}

// statT is fi's Stat_t, if fi is set and has one.
func statT(fi fs.FileInfo) (*syscall.Stat_t, bool) {
	if fi == nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st, ok
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

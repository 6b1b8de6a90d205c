package dir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/lade-oci/lade/oci/cas"
)

// emptyLayoutFile is the content of oci-layout (Go json.Encoder output).
const emptyLayoutFile = `{"imageLayoutVersion":"1.0.0"}` + "\n"

// createErr builds a "create layout: ..." error matching kinds.
func createErr(reason string, kinds ...error) error {
	return &openError{verb: "create", reason: reason, kinds: kinds}
}

// Create makes a new empty layout at path: oci-layout, an index.json with no
// manifests, and an empty blobs/sha256/. It refuses when path exists in any
// form (even a dangling symlink) and creates missing parent directories
// (0o755). When running as root, everything it creates is given to the
// owner of the nearest existing ancestor of path. On failure the partly
// written layout is removed.
func Create(ctx context.Context, path string) error {
	if path == "" {
		return createErr("empty path", cas.ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return createErr(err.Error(), err)
	}
	root, err := filepath.Abs(path)
	if err != nil {
		return createErr(err.Error(), err)
	}
	if _, err := os.Lstat(root); err == nil {
		return createErr(path+" already exists", fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return createErr(err.Error(), err)
	}
	own, err := mkdirParents(filepath.Dir(root))
	if err != nil {
		return createErr(err.Error(), err)
	}
	// The layout is populated in a temporary directory next to it and
	// renamed into place, so that a process killed half way leaves no
	// half-written layout at path, only a .lade-tmp-init-* directory, which
	// the next Create in the same directory removes (see newInitDir).
	tmp, err := newInitDir(filepath.Dir(root))
	if err != nil {
		return createErr(err.Error(), err)
	}
	defer tmp.Close() // the lock, once the directory is renamed or removed
	if err := own.chown(tmp.Name()); err != nil {
		_ = os.RemoveAll(tmp.Name())
		return createErr(err.Error(), err)
	}
	if err := populate(tmp.Name(), own); err != nil {
		_ = os.RemoveAll(tmp.Name())
		return createErr(err.Error(), err)
	}
	if err := renameNoReplace(tmp.Name(), root); err != nil {
		_ = os.RemoveAll(tmp.Name())
		if errors.Is(err, fs.ErrExist) {
			return createErr(path+" already exists", fs.ErrExist)
		}
		return createErr(err.Error(), err)
	}
	if err := syncDir(filepath.Dir(root)); err != nil {
		return createErr(err.Error(), err)
	}
	return nil
}

// renameNoReplace renames the directory from to to, failing with
// fs.ErrExist if to exists (also when it is an empty directory, which a
// plain rename would silently replace). A file system without
// RENAME_NOREPLACE gets a check and a plain rename.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		if _, serr := os.Lstat(to); serr == nil {
			return fs.ErrExist
		}
		return os.Rename(from, to)
	}
	if errors.Is(err, unix.EEXIST) {
		return fs.ErrExist
	}
	return err
}

// mkdirParents creates dir and its missing ancestors (0o755) and returns
// the owner new files should get: the owner of the nearest ancestor that
// already existed (root only). Created ancestors are given to that owner.
func mkdirParents(dir string) (owner, error) {
	var missing []string
	existing := dir
	for {
		fi, err := os.Stat(existing)
		if err == nil {
			if !fi.IsDir() {
				return owner{}, fmt.Errorf("%s is not a directory", existing)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return owner{}, err
		}
		missing = append(missing, existing)
		parent := filepath.Dir(existing)
		if parent == existing {
			return owner{}, err
		}
		existing = parent
	}
	own, err := ownerOf(existing)
	if err != nil {
		return owner{}, err
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := mkdirOwned(missing[i], own); err != nil {
			return owner{}, err
		}
	}
	return own, nil
}

// populate writes the content of a new layout into the directory root:
// blobs/sha256/, index.json, and oci-layout last (a directory without it is
// not a layout, so a root whose populate was interrupted is never taken
// for one). Files are written to a temporary file, fsynced and renamed, so
// that a populate may start again over what an interrupted one left.
func populate(root string, own owner) error {
	if err := mkdirOwned(filepath.Join(root, blobsDir), own); err != nil {
		return err
	}
	if err := mkdirOwned(blobDir(root), own); err != nil {
		return err
	}
	idx, err := encodeIndex(emptyIndex())
	if err != nil {
		return err
	}
	if err := writeFileAtomic(root, indexFile, idx, own); err != nil {
		return err
	}
	for _, d := range []string{blobDir(root), filepath.Join(root, blobsDir)} {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return writeFileAtomic(root, layoutFile, []byte(emptyLayoutFile), own)
}

// writeFileAtomic writes data to root/name through a temporary file in
// root (.lade-tmp-*, 0o644, given to own, fsynced), renamed over name, and
// fsyncs root.
func writeFileAtomic(root, name string, data []byte, own owner) error {
	f, err := os.CreateTemp(root, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = own.fchown(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(root, name))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	return syncDir(root)
}

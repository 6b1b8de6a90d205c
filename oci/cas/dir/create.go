package dir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

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
	// half-written layout at path (at most a .lade-tmp-init-* directory).
	tmp, err := mkdirTemp(filepath.Dir(root), tempPrefix+"init-")
	if err != nil {
		return createErr(err.Error(), err)
	}
	if err := populate(tmp, own); err != nil {
		_ = os.RemoveAll(tmp)
		return createErr(err.Error(), err)
	}
	if err := renameNoReplace(tmp, root); err != nil {
		_ = os.RemoveAll(tmp)
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

// mkdirTemp creates a new directory named prefix plus random digits in
// parent, mode 0o755 less the umask (os.MkdirTemp would make it 0o700).
func mkdirTemp(parent, prefix string) (string, error) {
	for range 100 {
		p := filepath.Join(parent, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		err := os.Mkdir(p, 0o755)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("create a temporary directory in %s: too many attempts", parent)
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

// populate writes the content of a new layout into the empty dir root.
func populate(root string, own owner) error {
	if err := own.chown(root); err != nil {
		return err
	}
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
	if err := writeNewFile(filepath.Join(root, layoutFile), []byte(emptyLayoutFile), own); err != nil {
		return err
	}
	if err := writeNewFile(filepath.Join(root, indexFile), idx, own); err != nil {
		return err
	}
	for _, d := range []string{blobDir(root), filepath.Join(root, blobsDir), root} {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// writeNewFile creates path exclusively (0o644, umask applies), writes data
// and fsyncs it.
func writeNewFile(path string, data []byte, own owner) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = own.fchown(f)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

package dir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
	if err := os.Mkdir(root, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return createErr(path+" already exists", fs.ErrExist)
		}
		return createErr(err.Error(), err)
	}
	if err := populate(root, own); err != nil {
		_ = os.RemoveAll(root)
		return createErr(err.Error(), err)
	}
	return nil
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
	for _, d := range []string{blobDir(root), filepath.Join(root, blobsDir), root, filepath.Dir(root)} {
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

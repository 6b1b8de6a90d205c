package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file this package creates.
const TempPrefix = ".lade-tmp-"

// Write replaces path with what fill writes, with file mode mode. fill
// writes to a temporary file in path's directory; only when it and the
// fsync succeed is the file renamed over path (and the directory fsynced).
// On any error path is untouched and the temporary file is removed. It
// returns the new file's info as it was just before the rename.
func Write(ctx context.Context, path string, mode os.FileMode, fill func(w io.Writer) error) (fi os.FileInfo, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreClosed(tmp.Close()))
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return nil, err
	}
	if err := tmp.Chmod(mode); err != nil {
		return nil, fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if fi, err = tmp.Stat(); err != nil {
		return nil, fmt.Errorf("stat %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("rename %s: %w", tmp.Name(), err)
	}
	return fi, syncDir(dir)
}

// WriteBytes is Write of data.
func WriteBytes(ctx context.Context, path string, mode os.FileMode, data []byte) error {
	_, err := Write(ctx, path, mode, func(w io.Writer) error {
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	})
	return err
}

// syncDir fsyncs directory dir, making a rename in it durable.
func syncDir(dir string) error {
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

// ignoreClosed drops the error of closing a file that was already closed.
func ignoreClosed(err error) error {
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

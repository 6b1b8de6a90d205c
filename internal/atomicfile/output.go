package atomicfile

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
)

// WriteOutput writes a user-named output file. A path that does not exist
// or is a regular file is replaced atomically with [Write]. A path that is
// a symlink or a special file (a pipe, a terminal, /dev/stdout, which is a
// symlink to /proc/self/fd/1) is written through instead, created or
// truncated like a shell redirection: a rename would replace the link
// itself, turning /dev/stdout into a regular file, or fail on a pipe. A
// directory, or a symlink to one, is refused with EISDIR.
func WriteOutput(ctx context.Context, path string, mode os.FileMode, fill func(w io.Writer) error) error {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().IsRegular() {
		// Missing (Write reports other Lstat errors) or a plain file.
		_, err := Write(ctx, path, mode, fill)
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("write %s: %w", path, syscall.EISDIR)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if err := fill(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

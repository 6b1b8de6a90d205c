package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// openInPlace opens the existing output for an in-place rewrite: for
// writing (so that a file this process may not write fails now, not after
// the copy) and flocked exclusively without waiting (oci/cas/archive holds
// a shared flock on an archive it reads: a reader, another process's or
// this copy's own source, must not see it rewritten under it).
func (o *Output) openInPlace() error {
	f, err := os.OpenFile(o.Path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return fmt.Errorf("%s is open in another lade process or is this copy's source: it cannot be rewritten in place", o.Path)
		}
		return fmt.Errorf("lock %s: %w", o.Path, err)
	}
	o.inPlace = f
	return nil
}

// writeInPlace rewrites the file f with fill, for an output that cannot be
// replaced by a rename. It is not atomic, and cannot be: once f is emptied
// the old content is gone. What it does to come close:
//
//   - the space is checked first (size, an upper bound of what fill
//     writes, against what the file system has free plus what the old
//     content frees): a copy that cannot fit fails with the file untouched;
//   - f is emptied before it is written, so that a process killed half way
//     leaves a truncated archive (no end, no index) that no reader takes
//     for a whole one, never new members followed by old ones;
//   - once f is emptied, a cancelled ctx (SIGINT, SIGTERM) no longer stops
//     the write; a failure empties f again and says so.
func writeInPlace(ctx context.Context, f *os.File, size int64, fill func(ctx context.Context, f *os.File) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkSpace(f, size); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	defer func() {
		if err != nil {
			_ = f.Truncate(0)
			_ = f.Sync()
			err = fmt.Errorf("rewrite %s in place (it is left empty): %w", f.Name(), err)
		}
	}()
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	reserved, err := reserve(f, size)
	if err != nil {
		return err
	}
	if err := fill(ctx, f); err != nil {
		return err
	}
	end, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if reserved > end {
		// Give back the blocks reserved beyond the end.
		_ = unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, end, reserved-end)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	return nil
}

// checkSpace fails when size bytes cannot fit in f's file system once f's
// own blocks are freed (an estimate: quotas are left to reserve).
func checkSpace(f *os.File, size int64) error {
	if size <= 0 {
		return nil
	}
	var fs unix.Statfs_t
	var st unix.Stat_t
	if unix.Fstatfs(int(f.Fd()), &fs) != nil || unix.Fstat(int(f.Fd()), &st) != nil {
		return nil // unknown: let the write tell
	}
	blocks := fs.Bavail
	if os.Geteuid() == 0 {
		blocks = fs.Bfree
	}
	free := int64(blocks)*fs.Bsize + st.Blocks*512
	if free < size {
		return fmt.Errorf("write %s: %w (%d bytes needed, %d free)", f.Name(), unix.ENOSPC, size, free)
	}
	return nil
}

// reserve allocates size bytes for f without changing its size
// (fallocate, FALLOC_FL_KEEP_SIZE), so that a full file system or quota
// fails here rather than half way. It returns how much it reserved: 0 where
// the file system cannot reserve.
func reserve(f *os.File, size int64) (int64, error) {
	if size <= 0 {
		return 0, nil
	}
	err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_KEEP_SIZE, 0, size)
	switch {
	case err == nil:
		return size, nil
	case errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT):
		return 0, fmt.Errorf("reserve %d bytes for %s: %w", size, f.Name(), err)
	}
	return 0, nil // EOPNOTSUPP and the like: write without a reservation
}

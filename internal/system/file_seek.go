package system

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Seek sets the offset of the next Write (lseek(2)) and returns it. Seeking
// past the end and writing there leaves a hole: the skipped range reads as
// zeros and uses no disk blocks on filesystems with sparse files.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	off, err := unix.Seek(f.fd, offset, whence)
	if err != nil {
		return 0, fmt.Errorf("seek %s: %w", f.name, err)
	}
	return off, nil
}

// Truncate sets the size of the file (ftruncate(2)); growing it appends a
// hole.
func (f *File) Truncate(size int64) error {
	for {
		err := unix.Ftruncate(f.fd, size)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("ftruncate %s: %w", f.name, err)
		}
		return nil
	}
}

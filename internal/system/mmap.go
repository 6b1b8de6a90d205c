package system

import (
	"errors"
	"fmt"
	"math"
	"os"

	"golang.org/x/sys/unix"
)

// ErrNotMappable is returned by MapFile for a file it will not map: not a
// regular file, empty, or too large for the address space.
var ErrNotMappable = errors.New("file cannot be mapped")

// Mapping is a read-only, shared memory mapping of a whole regular file.
// The pages it has touched count in the process's resident set until
// Release drops them (the page cache keeps them).
//
// A read of the mapping after the file was truncated under it raises
// SIGBUS; a goroutine that reads it while something else may truncate the
// file should run with debug.SetPanicOnFault(true) and recover.
type Mapping struct {
	data     []byte
	released int
}

// MapFile maps the whole of f, which must be a regular file of exactly
// size bytes (checked with fstat, so that a file that changed since size
// was learnt is refused rather than read past its end).
func MapFile(f *os.File, size int64) (*Mapping, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	switch {
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("map %s: %w: not a regular file", f.Name(), ErrNotMappable)
	case fi.Size() != size:
		return nil, fmt.Errorf("map %s: %w: %d bytes, expected %d", f.Name(), ErrNotMappable, fi.Size(), size)
	case size <= 0 || size > math.MaxInt/2:
		return nil, fmt.Errorf("map %s: %w: size %d", f.Name(), ErrNotMappable, size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	// Read ahead aggressively and drop behind: the mapping is read once,
	// front to back. The advice is a hint; its failure changes nothing.
	_ = unix.Madvise(data, unix.MADV_SEQUENTIAL)
	return &Mapping{data: data}, nil
}

// Bytes returns the mapped file. It must not be used after Close.
func (m *Mapping) Bytes() []byte { return m.data }

// Release tells the kernel the caller is done with the bytes before end:
// the whole pages among them that were not released yet leave the
// process's resident set. Reading them again faults them back in from the
// page cache, so Release only costs time if the caller was wrong.
func (m *Mapping) Release(end int) {
	end = min(end, len(m.data)) &^ (os.Getpagesize() - 1)
	if end <= m.released {
		return
	}
	// MADV_DONTNEED on a shared file mapping drops the page table entries
	// only; the data stays in the page cache. Failure leaves the pages
	// resident, which is harmless.
	_ = unix.Madvise(m.data[m.released:end], unix.MADV_DONTNEED)
	m.released = end
}

// Close unmaps the file. It is safe to call more than once.
func (m *Mapping) Close() error {
	if m.data == nil {
		return nil
	}
	err := unix.Munmap(m.data)
	m.data = nil
	if err != nil {
		return fmt.Errorf("unmap: %w", err)
	}
	return nil
}

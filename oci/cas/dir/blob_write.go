package dir

import (
	"context"
	"hash"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// copyBufferSize is the size of the buffer blob content is copied through:
// big enough that a layer costs a few hundred write calls, not tens of
// thousands.
const copyBufferSize = 1 << 20

// writebackChunk is how much is written before the kernel is asked to start
// writing it back (sync_file_range), so that the fsync at the end of a large
// blob waits for little.
const writebackChunk = 8 << 20

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

// writeHashed copies r to f and to h until EOF, stopping when ctx is done,
// and returns the number of bytes copied. limit, when not negative, stops
// the copy after limit bytes (the caller checks the count).
func writeHashed(ctx context.Context, f *os.File, h hash.Hash, r io.Reader, limit int64) (int64, error) {
	if limit >= 0 {
		r = io.LimitReader(r, limit)
	}
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	var n, flushed int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		// One Read a round (not ReadFull): what arrives is on disk at once,
		// and a stream that stalls leaves no data held back in memory.
		m, rerr := r.Read(buf)
		if m > 0 {
			if _, err := f.Write(buf[:m]); err != nil {
				return n, err
			}
			h.Write(buf[:m])
			n += int64(m)
			if n-flushed >= writebackChunk {
				// Best effort: a file system without it just writes back later.
				_ = unix.SyncFileRange(int(f.Fd()), flushed, n-flushed, unix.SYNC_FILE_RANGE_WRITE)
				flushed = n
			}
		}
		switch rerr {
		case nil:
		case io.EOF:
			return n, nil
		default:
			return n, rerr
		}
	}
}

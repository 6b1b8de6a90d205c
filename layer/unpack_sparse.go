package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lade-oci/lade/internal/system"
)

// Sparse entries (GNU tar --sparse: the old GNU type 'S', or PAX records
// GNU.sparse.* in formats 0.0, 0.1 and 1.0) store only the data fragments of
// a file and a map of where they go. archive/tar expands them: reading the
// entry returns every hole as zeros, and its hole-aware copy is unexported.
// Copied like a regular file, a layer of a few hundred bytes could declare a
// 1 TiB file and make unpack write 1 TiB of zeros.
//
// So sparse entries are copied hole-aware: every holeBlockSize block of the
// content, aligned to file offsets, that is all zeros is skipped with a seek
// instead of written, and a trailing hole is made by truncating to the
// logical size. The file reads back identical (holes read as zeros) and uses
// disk blocks only for its data. Regular entries keep the plain copy.
//
// The holes still cost CPU: archive/tar zero-fills them and each block is
// compared with zeros (about 28 GB/s together: 0.3 s for 8 GiB), and with
// Digests set every logical byte is hashed too (about 1.6 GB/s with SHA-NI:
// 5 s for 8 GiB). To bound that work, the sparse entries of one layer may
// total maxSparseLayerSize logical bytes; the entry that would exceed it
// fails the unpack before its file is created (errSparseLimit). The budget
// is per layer, not per entry, so many entries cannot multiply it.
const (
	// maxSparseLayerSize is the logical size the sparse entries of one
	// layer may total: 64 GiB, at most about 3 s of zero-filling per layer
	// (40 s of hashing with digests, as bundle unpack does). It refuses
	// only what umoci, which writes sparse files densely, could not unpack
	// on most machines either.
	maxSparseLayerSize = 64 << 30
	// holeBlockSize is the granularity of holes: the usual filesystem
	// block size. A block holding any non-zero byte is written whole.
	holeBlockSize = 4 << 10
	// denseHoleBlock is the granularity of holes in regular (non-sparse)
	// entries: only whole, aligned 1 MiB blocks of zeros become holes, so
	// ordinary files (zero padding of binaries included) stay dense while
	// a layer of a few KiB that decompresses to gigabytes of zeros (zstd
	// packs 1 GiB of zeros into 33 KiB) cannot fill the disk.
	denseHoleBlock = 1 << 20
)

// errSparseLimit is wrapped by the error for a sparse entry that would take
// the layer's sparse files past maxSparseLayerSize.
var errSparseLimit = errors.New("sparse file too large")

// zeroBlock is what content blocks are compared with.
var zeroBlock [denseHoleBlock]byte

// paxGNUSparse prefixes the PAX records of GNU sparse formats 0.0 to 1.0.
const paxGNUSparse = "GNU.sparse."

// isSparse reports whether hdr is a GNU sparse entry of any format. Unknown
// GNU.sparse versions (which archive/tar returns unexpanded) count too: the
// hole-aware copy is correct for any content.
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, paxGNUSparse) {
			return true
		}
	}
	return false
}

// reserveSparse charges the logical size of a sparse entry to the layer's
// budget, or refuses the entry.
func (u *unpacker) reserveSparse(hdr *tar.Header) error {
	if hdr.Size < 0 || hdr.Size > maxSparseLayerSize-u.sparseSize {
		return fmt.Errorf("%w: logical size %d bytes, the sparse files of one layer may total %d bytes (%d already used)",
			errSparseLimit, hdr.Size, int64(maxSparseLayerSize), u.sparseSize)
	}
	u.sparseSize += hdr.Size
	return nil
}

// copySparse copies the content of a sparse entry to the empty file f,
// seeking over all-zero blocks. It returns the logical size copied.
func (u *unpacker) copySparse(f *system.File, content *contentStream) (int64, error) {
	return u.copyHoles(f, content, holeBlockSize, true)
}

// copyHoles copies content to the empty file f, seeking over every
// all-zero block of block bytes aligned to file offsets (and over a shorter
// all-zero block at the end when partial). It returns the logical size
// copied. Every piece of content but the last is a whole number of blocks
// (pieceSize is a multiple of block), so blocks stay aligned.
func (u *unpacker) copyHoles(f *system.File, content *contentStream, block int, partial bool) (int64, error) {
	var n, hole int64 // hole: zeros skipped since the last write
	for {
		if err := u.ctx.Err(); err != nil {
			return n, fmt.Errorf("copy sparse content: %w", err)
		}
		piece, rerr := content.next()
		for b := piece; len(b) > 0; {
			z := zeroBlocks(b, block, partial)
			hole += int64(z)
			b = b[z:]
			d := dataBlocks(b, block, partial)
			if d == 0 {
				continue
			}
			if hole > 0 {
				if _, err := f.Seek(hole, io.SeekCurrent); err != nil {
					return n, err
				}
				hole = 0
			}
			if _, err := f.Write(b[:d]); err != nil {
				return n, err
			}
			b = b[d:]
		}
		n += int64(len(piece))
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return n, rerr
		}
	}
	if hole > 0 {
		if err := f.Truncate(n); err != nil {
			return n, err
		}
	}
	return n, nil
}

// zeroBlocks returns the length of the leading all-zero blocks of b; a
// final block shorter than block counts only when partial is set.
func zeroBlocks(b []byte, block int, partial bool) int {
	n := 0
	for n < len(b) {
		e := min(n+block, len(b))
		if e-n < block && !partial || !bytes.Equal(b[n:e], zeroBlock[:e-n]) {
			break
		}
		n = e
	}
	return n
}

// dataBlocks returns the length of the leading blocks of b that are not all
// zeros. A block of data usually differs from zeros in its first bytes, so
// checking it is cheap.
func dataBlocks(b []byte, block int, partial bool) int {
	n := 0
	for n < len(b) {
		e := min(n+block, len(b))
		if (e-n == block || partial) && bytes.Equal(b[n:e], zeroBlock[:e-n]) {
			break
		}
		n = e
	}
	return n
}

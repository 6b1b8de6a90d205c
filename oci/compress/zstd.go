package compress

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// zstdDecoderConcurrency lets block decoding run ahead of the consumer on a
// second core without piling up memory.
const zstdDecoderConcurrency = 2

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// zstdAlgorithm compresses at the encoder speed level, or at the library
// default when zstdLevel (the level as the user gave it) is 0.
type zstdAlgorithm struct {
	level     zstd.EncoderLevel
	zstdLevel int
}

func (zstdAlgorithm) Name() string            { return "zstd" }
func (zstdAlgorithm) MediaTypeSuffix() string { return "zstd" }
func (z zstdAlgorithm) Level() int            { return z.zstdLevel }

func (z zstdAlgorithm) Compress(w io.Writer) (io.WriteCloser, error) {
	var opts []zstd.EOption
	if z.zstdLevel != 0 {
		opts = append(opts, zstd.WithEncoderLevel(z.level))
	}
	zw, err := zstd.NewWriter(w, opts...)
	if err != nil {
		return nil, fmt.Errorf("create zstd writer: %w", err)
	}
	return zw, nil
}

func (zstdAlgorithm) Decompress(r io.Reader) (io.ReadCloser, error) {
	return newZstdReader(r, zstdDecoderConcurrency)
}

// decompressInline decodes blocks synchronously, in the reading goroutine.
func (zstdAlgorithm) decompressInline(r io.Reader) (io.ReadCloser, error) {
	return newZstdReader(r, 1)
}

func newZstdReader(r io.Reader, concurrency int) (io.ReadCloser, error) {
	cr := &headReader{r: r}
	dec, err := zstd.NewReader(cr, zstd.WithDecoderConcurrency(concurrency))
	if err != nil {
		return nil, fmt.Errorf("create zstd reader: %w", err)
	}
	return &zstdReader{src: cr, dec: dec}, nil
}

// zstdReader decodes frames until the input ends or stops looking like
// zstd; data after at least one frame is trailing junk, drained with a
// warning.
type zstdReader struct {
	src *headReader
	dec *zstd.Decoder
	err error
}

func (z *zstdReader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n, err := z.dec.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		z.err = io.EOF
	case errors.Is(err, zstd.ErrMagicMismatch) && bytes.Equal(z.src.head, zstdMagic):
		// The stream began with a frame (a corrupt frame fails otherwise)
		// and what follows the frames is not another frame.
		z.err = drainTrailing(z.src, "zstd")
		if z.err == nil {
			z.err = io.EOF
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		z.err = fmt.Errorf("decompress zstd: truncated stream: %w", err)
	default:
		z.err = fmt.Errorf("decompress zstd: %w", err)
	}
	if n > 0 {
		return n, nil
	}
	return 0, z.err
}

func (z *zstdReader) Close() error {
	z.dec.Close()
	return nil
}

// headReader remembers the first bytes read through it.
type headReader struct {
	r    io.Reader
	head []byte
}

func (h *headReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if missing := len(zstdMagic) - len(h.head); missing > 0 {
		h.head = append(h.head, p[:min(n, missing)]...)
	}
	return n, err
}

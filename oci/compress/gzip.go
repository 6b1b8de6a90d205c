package compress

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"runtime"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/pgzip"
)

const (
	// gzipBlockSize is the parallel compression block, 1 MiB like umoci
	// (and Docker), so identical content gives identical digests.
	gzipBlockSize = 1 << 20
	// gzipReadBlock and gzipReadBlocks size the decompressor's read-ahead.
	gzipReadBlock  = 1 << 20
	gzipReadBlocks = 4
)

var gzipMagic = []byte{0x1f, 0x8b}

// gzipAlgorithm compresses at level (1-9), or at the library default
// (the same as umoci's) when level is 0.
type gzipAlgorithm struct{ level int }

func (gzipAlgorithm) Name() string            { return "gzip" }
func (gzipAlgorithm) MediaTypeSuffix() string { return "gzip" }
func (g gzipAlgorithm) Level() int            { return g.level }

func (g gzipAlgorithm) Compress(w io.Writer) (io.WriteCloser, error) {
	level := gzip.DefaultCompression
	if g.level != 0 {
		level = g.level
	}
	zw, err := pgzip.NewWriterLevel(w, level)
	if err != nil {
		return nil, fmt.Errorf("create gzip writer: %w", err)
	}
	if err := zw.SetConcurrency(gzipBlockSize, 2*runtime.NumCPU()); err != nil {
		return nil, fmt.Errorf("set gzip concurrency: %w", err)
	}
	return zw, nil
}

func (gzipAlgorithm) Decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(endMarker{r}, 1<<16)
	zr, err := pgzip.NewReaderN(br, gzipReadBlock, gzipReadBlocks)
	if err != nil {
		return nil, fmt.Errorf("read gzip header: %w", gzipErr(err))
	}
	zr.Multistream(false)
	return &gzipReader{br: br, zr: zr}, nil
}

// errInputEnd is what the decoder sees at the end of the compressed input
// (endMarker), in place of io.EOF. The decoder reads one member at a time
// and never past its trailer, so any end of input it meets is a
// truncation; given an io.EOF where the 8-byte trailer (CRC32, ISIZE)
// should start, it would take it for the end of the member and never check
// the trailer.
var errInputEnd = errors.New("end of input")

// endMarker reports the end of r as errInputEnd. The decoder reads it
// through a *bufio.Reader (its fast path).
type endMarker struct{ r io.Reader }

func (e endMarker) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		err = errInputEnd
	}
	return n, err
}

// gzipErr words a decoder error: the input ending inside a member (in its
// header, deflate data or trailer) is a truncated stream.
func gzipErr(err error) error {
	if errors.Is(err, errInputEnd) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated stream: %w", io.ErrUnexpectedEOF)
	}
	return err
}

// decompressInline decodes in the reading goroutine (klauspost's inflate,
// the one pgzip runs in its goroutine).
func (gzipAlgorithm) decompressInline(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(endMarker{r}, 1<<16)
	zr, err := kgzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("read gzip header: %w", gzipErr(err))
	}
	zr.Multistream(false)
	return &gzipReader{br: br, zr: zr}, nil
}

// gzipMember is a gzip decoder that stops at the end of each member.
type gzipMember interface {
	io.ReadCloser
	Reset(r io.Reader) error
	Multistream(ok bool)
}

// gzipReader reads gzip members one at a time so that it can tell a next
// member (decoded) from trailing junk (drained with a warning).
type gzipReader struct {
	br  *bufio.Reader
	zr  gzipMember
	err error
}

func (g *gzipReader) Read(p []byte) (int, error) {
	for g.err == nil {
		n, err := g.zr.Read(p)
		switch {
		case err == nil || n > 0 && errors.Is(err, io.EOF):
			return n, nil
		case !errors.Is(err, io.EOF):
			g.err = fmt.Errorf("decompress gzip: %w", gzipErr(err))
		default:
			g.err = g.nextMember()
		}
	}
	return 0, g.err
}

// nextMember starts the next gzip member, or returns io.EOF after draining
// whatever non-gzip data follows.
func (g *gzipReader) nextMember() error {
	head, err := g.br.Peek(len(gzipMagic))
	if err != nil && !errors.Is(err, errInputEnd) {
		return fmt.Errorf("read after gzip member: %w", err)
	}
	if !bytes.Equal(head, gzipMagic) {
		if err := drainTrailing(endReader{g.br}, "gzip"); err != nil {
			return err
		}
		return io.EOF
	}
	if err := g.zr.Reset(g.br); err != nil {
		return fmt.Errorf("read gzip member header: %w", gzipErr(err))
	}
	g.zr.Multistream(false)
	return nil
}

// endReader turns errInputEnd back into io.EOF, for reads outside the
// decoder.
type endReader struct{ r io.Reader }

func (e endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, errInputEnd) {
		err = io.EOF
	}
	return n, err
}

func (g *gzipReader) Close() error {
	if err := g.zr.Close(); err != nil {
		return fmt.Errorf("close gzip reader: %w", err)
	}
	return nil
}

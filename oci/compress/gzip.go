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
	return &gzipReader{in: bufioInput{br}, zr: zr}, nil
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
// header, deflate data or trailer) is a truncated stream. A bare io.EOF,
// which a bytesInput's end gives in a header (before the first one, or in
// a name or comment field), is the same.
func gzipErr(err error) error {
	if errors.Is(err, errInputEnd) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("truncated stream: %w", io.ErrUnexpectedEOF)
	}
	return err
}

// decompressInline decodes in the reading goroutine (klauspost's inflate,
// the one pgzip runs in its goroutine). Given a *bytes.Reader (a blob in
// memory or mapped), the decoder reads it directly: klauspost's inflate
// has a loop specialised for it whose per-byte read is inlined, ~20% less
// CPU than through a *bufio.Reader.
func (gzipAlgorithm) decompressInline(r io.Reader) (io.ReadCloser, error) {
	var in memberInput
	if b, ok := r.(*bytes.Reader); ok {
		in = bytesInput{b}
	} else {
		in = bufioInput{bufio.NewReaderSize(endMarker{r}, 1<<16)}
	}
	zr, err := kgzip.NewReader(in.decoderInput())
	if err != nil {
		return nil, fmt.Errorf("read gzip header: %w", gzipErr(err))
	}
	zr.Multistream(false)
	return &gzipReader{in: in, zr: zr}, nil
}

func (gzipAlgorithm) decodesFasterFromMemory() bool { return true }

// memberInput is the compressed stream under a gzipReader: what its
// decoder reads, a look at what follows a member, and the rest of the
// stream, to drain.
type memberInput interface {
	decoderInput() io.Reader
	// peek returns the next n bytes without consuming them, or fewer and
	// an error (io.EOF at the end of the input).
	peek(n int) ([]byte, error)
	// rest reads the rest of the input, with io.EOF at its end.
	rest() io.Reader
}

// bufioInput reads a stream through a *bufio.Reader over endMarker.
type bufioInput struct{ br *bufio.Reader }

func (b bufioInput) decoderInput() io.Reader { return b.br }
func (b bufioInput) rest() io.Reader         { return endReader{b.br} }

func (b bufioInput) peek(n int) ([]byte, error) {
	head, err := b.br.Peek(n)
	if errors.Is(err, errInputEnd) {
		err = io.EOF
	}
	return head, err
}

// bytesInput reads a stream that is all in memory, with a plain io.EOF at
// its end. That is safe with klauspost's gzip.Reader (pgzip's, which needs
// endMarker, is not used here): it reports an io.EOF inside a member's data
// or trailer as io.ErrUnexpectedEOF, and gzipErr words the bare io.EOF of
// a cut header as the truncation it is.
type bytesInput struct{ r *bytes.Reader }

func (b bytesInput) decoderInput() io.Reader { return b.r }
func (b bytesInput) rest() io.Reader         { return b.r }

func (b bytesInput) peek(n int) ([]byte, error) {
	buf := make([]byte, n)
	k, err := b.r.ReadAt(buf, b.r.Size()-int64(b.r.Len()))
	return buf[:k], err
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
	in  memberInput
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
	head, err := g.in.peek(len(gzipMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read after gzip member: %w", err)
	}
	if !bytes.Equal(head, gzipMagic) {
		if err := drainTrailing(g.in.rest(), "gzip"); err != nil {
			return err
		}
		return io.EOF
	}
	if err := g.zr.Reset(g.in.decoderInput()); err != nil {
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

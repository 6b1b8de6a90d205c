package layer

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/opencontainers/go-digest"
)

// The applier spends its time in syscalls; tar parsing, copying file
// contents out of the stream and hashing them happen ahead of it, in a
// parser goroutine of their own, so the two overlap on two cores (a third
// core decompresses upstream).
const (
	// pieceSize is the most content one buffer carries: files up to it
	// travel whole, bigger ones in pieces of this size. Every piece but a
	// file's last is whole, so pieces start at file offsets that are
	// multiples of every hole block size (holeBlockSize, denseHoleBlock).
	pieceSize = denseHoleBlock
	// parseAhead bounds the file content read ahead of the applier.
	parseAhead = 4 << 20
)

// parsed is one tar entry read ahead of the applier, or the error that
// ended the stream (err, hdr nil).
type parsed struct {
	hdr     *tar.Header
	content *content // regular files: their data
	err     error
}

// content is the data of one regular file entry: whole in first, or first
// and then the pieces of rest (closed after the last piece).
type content struct {
	first piece
	rest  chan piece
	// sum is the sha256 of the data (when the parser hashes); it is set
	// before the last piece is sent.
	sum digest.Digest
}

// piece is a buffer of file content, or the read error that cut it short.
type piece struct {
	b   []byte
	err error
}

// entryReader reads a tar stream in its own goroutine, ahead of one
// consumer: the parser.
type entryReader struct {
	items  chan parsed
	stop   chan struct{}
	done   chan struct{}
	budget *byteBudget
	free   [len(pieceSizes)]chan []byte // free buffers of each size
	hash   hash.Hash                    // nil: contents are not hashed
	// trailing is the number of bytes after the tar end (set before items
	// is closed).
	trailing int64
}

var errParserStopped = errors.New("parser stopped")

// startParser parses r in a new goroutine; the consumer must call stop
// when it is done with the items, and must not touch r before stop
// returns. With hash set, every regular file's content is hashed.
func startParser(ctx context.Context, r io.Reader, hashContent bool) *entryReader {
	p := &entryReader{
		items:  make(chan parsed, 64),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		budget: newByteBudget(parseAhead),
	}
	for c, size := range pieceSizes {
		p.free[c] = make(chan []byte, parseAhead/size)
	}
	if hashContent {
		p.hash = sha256.New()
	}
	go p.run(ctx, r)
	return p
}

func (p *entryReader) run(ctx context.Context, r io.Reader) {
	defer close(p.done)
	defer close(p.items)
	err := readLayer(ctx, r, p.entry, func(n int64) { p.trailing = n })
	if err != nil && !errors.Is(err, errParserStopped) {
		select {
		case p.items <- parsed{err: err}:
		case <-p.stop:
		}
	}
}

// send hands an item to the consumer.
func (p *entryReader) send(it parsed) error {
	select {
	case p.items <- it:
		return nil
	case <-p.stop:
		return errParserStopped
	}
}

// entry reads one entry's content (regular files) and sends it on.
func (p *entryReader) entry(hdr *tar.Header, r io.Reader) error {
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
	default:
		return p.send(parsed{hdr: hdr})
	}
	c := &content{}
	if p.hash != nil {
		p.hash.Reset()
	}
	// The first piece goes with the header; a file that does not fit in
	// it streams the rest as it is read.
	size := hdr.Size
	b, err := p.read(r, size)
	if err != nil {
		return err
	}
	c.first = b
	if b.err != nil || len(b.b) < pieceSize {
		c.sum = p.sum()
		return p.send(parsed{hdr: hdr, content: c})
	}
	c.rest = make(chan piece, parseAhead/pieceSize)
	if err := p.send(parsed{hdr: hdr, content: c}); err != nil {
		return err
	}
	defer close(c.rest)
	for {
		size -= int64(len(b.b))
		b, err = p.read(r, size)
		if err != nil {
			return err
		}
		if b.err != nil || len(b.b) < pieceSize {
			c.sum = p.sum()
		}
		if len(b.b) > 0 || b.err != nil {
			select {
			case c.rest <- b:
			case <-p.stop:
				return errParserStopped
			}
		}
		if b.err != nil || len(b.b) < pieceSize {
			return nil
		}
	}
}

// read reads the next piece of content (up to pieceSize bytes; fewer only
// at its end) of an entry with left bytes to go, hashing it. A read error
// travels in the piece: the consumer reports it for the file it was
// writing.
func (p *entryReader) read(r io.Reader, left int64) (piece, error) {
	if left <= 0 {
		// Nothing should be left, but check, as the applier would.
		var one [1]byte
		if n, err := io.ReadFull(r, one[:]); n > 0 || err != nil && !errors.Is(err, io.EOF) {
			return piece{err: fmt.Errorf("read content: more than the header's %d bytes (%w)", left, err)}, nil
		}
		return piece{}, nil
	}
	class := pieceClass(left)
	if err := p.budget.acquire(int64(pieceSizes[class]), p.stop); err != nil {
		return piece{}, err
	}
	buf := p.buffer(class)
	n, err := io.ReadFull(r, buf[:min(int64(len(buf)), left)])
	if p.hash != nil {
		p.hash.Write(buf[:n])
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // the header promised more
	}
	if err != nil {
		err = fmt.Errorf("read content: %w", err)
	}
	return piece{b: buf[:n], err: err}, nil
}

func (p *entryReader) sum() digest.Digest {
	if p.hash == nil {
		return ""
	}
	return digest.NewDigest(digest.SHA256, p.hash)
}

// Piece buffers come in three sizes, so that a small file does not hold a
// whole piece of the budget. Each size has a free list as long as the
// budget allows of it, so no more buffers are ever allocated than the
// budget can hold of each size, and none waits for the garbage collector.
var pieceSizes = [...]int{16 << 10, 256 << 10, pieceSize}

// pieceClass returns the size class of the smallest buffer for n bytes
// (the largest for more than pieceSize).
func pieceClass(n int64) int {
	for c, size := range pieceSizes {
		if n <= int64(size) {
			return c
		}
	}
	return len(pieceSizes) - 1
}

// buffer returns a free buffer of class c, or a new one.
func (p *entryReader) buffer(c int) []byte {
	select {
	case b := <-p.free[c]:
		return b
	default:
		return make([]byte, pieceSizes[c])
	}
}

// release gives a consumed piece's buffer back.
func (p *entryReader) release(b []byte) {
	if cap(b) == 0 {
		return
	}
	c := pieceClass(int64(cap(b)))
	select {
	case p.free[c] <- b[:cap(b)]:
	default: // not reached: the budget bounds the buffers of each size
	}
	p.budget.release(int64(cap(b)))
}

// close stops the parser and waits for it to exit; buffers still queued
// are dropped with the items.
func (p *entryReader) close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

// stream returns the content of c as a source of pieces for the applier.
func (p *entryReader) stream(c *content) *contentStream {
	return &contentStream{p: p, c: c}
}

// contentStream hands a file's pieces to the applier in order, giving each
// buffer back once the next is asked for (or at drain).
type contentStream struct {
	p     *entryReader
	c     *content
	cur   []byte
	first bool // first piece handed out
	end   bool
	owned bool // a writer took it over
}

// next returns the next piece of content, io.EOF after the last.
func (s *contentStream) next() ([]byte, error) {
	if s.cur != nil {
		s.p.release(s.cur)
		s.cur = nil
	}
	if s.end {
		return nil, io.EOF
	}
	var b piece
	if !s.first {
		s.first = true
		b = s.c.first
		if s.c.rest == nil {
			s.end = true
		}
	} else {
		var ok bool
		if b, ok = <-s.c.rest; !ok {
			s.end = true
			return nil, io.EOF
		}
	}
	s.cur = b.b
	if b.err != nil {
		s.end = true
		return b.b, b.err
	}
	if len(b.b) == 0 && s.end {
		return nil, io.EOF
	}
	return b.b, nil
}

// drain consumes whatever the applier did not read and gives its buffers
// back.
func (s *contentStream) drain() error {
	for {
		_, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// digest returns the sha256 of the content once it has been read to its
// end ("" when the parser does not hash).
func (s *contentStream) digest() digest.Digest { return s.c.sum }

// byteBudget bounds the bytes one producer holds; the consumer gives them
// back.
type byteBudget struct {
	mu   sync.Mutex
	free int64
	wake chan struct{}
}

func newByteBudget(n int64) *byteBudget {
	return &byteBudget{free: n, wake: make(chan struct{})}
}

func (b *byteBudget) acquire(n int64, stop <-chan struct{}) error {
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return nil
		}
		wake := b.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-stop:
			return errParserStopped
		}
	}
}

func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	b.free += n
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

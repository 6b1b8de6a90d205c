package layer

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync/atomic"

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

// piece is file content (cut from a slab), or the read error that cut it
// short.
type piece struct {
	b   []byte
	s   *slab
	err error
}

// entryReader reads a tar stream in its own goroutine, ahead of one
// consumer: the parser.
type entryReader struct {
	ctx   context.Context // the parser gives up waiting when it is done
	items chan parsed
	stop  chan struct{}
	done  chan struct{}
	slabs chan *slab // free slabs; nil ones are still to be allocated
	cur   *slab      // the slab the parser is filling
	hash  hash.Hash  // nil: contents are not hashed
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
		ctx:   ctx,
		items: make(chan parsed, 64),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		slabs: make(chan *slab, parseAhead/pieceSize),
	}
	for range cap(p.slabs) {
		p.slabs <- nil
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
	case <-p.ctx.Done():
		return p.ctx.Err()
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
			case <-p.ctx.Done():
				return p.ctx.Err()
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
	buf, sl, err := p.alloc(int(min(left, pieceSize)))
	if err != nil {
		return piece{}, err
	}
	n, err := io.ReadFull(r, buf)
	if p.hash != nil {
		p.hash.Write(buf[:n])
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // the header promised more
	}
	if err != nil {
		err = fmt.Errorf("read content: %w", err)
	}
	return piece{b: buf[:n], s: sl, err: err}, nil
}

func (p *entryReader) sum() digest.Digest {
	if p.hash == nil {
		return ""
	}
	return digest.NewDigest(digest.SHA256, p.hash)
}

// File contents are cut from slabs of pieceSize bytes: a small file takes
// a slice of the slab being filled, a big file's every piece a slab of
// its own. A slab goes back to the free list when the parser has moved on
// from it and every piece cut from it was released, so the parser holds
// at most parseAhead bytes (parseAhead/pieceSize slabs), whatever the
// sizes of the files, and no slab waits for the garbage collector.
type slab struct {
	buf  []byte
	used int
	refs atomic.Int32 // pieces not yet released, plus one while the parser fills it
}

// alloc cuts n bytes (at most pieceSize) for the parser to fill.
func (p *entryReader) alloc(n int) ([]byte, *slab, error) {
	if s := p.cur; s != nil && len(s.buf)-s.used < n {
		p.cur = nil
		p.unref(s)
	}
	if p.cur == nil {
		var s *slab
		select {
		case s = <-p.slabs:
		case <-p.stop:
			return nil, nil, errParserStopped
		case <-p.ctx.Done():
			return nil, nil, p.ctx.Err()
		}
		if s == nil {
			s = &slab{buf: make([]byte, pieceSize)}
		}
		s.used = 0
		s.refs.Store(1)
		p.cur = s
	}
	s := p.cur
	b := s.buf[s.used : s.used+n : s.used+n]
	s.used += n
	s.refs.Add(1)
	return b, s, nil
}

// unref drops one reference to s, freeing it after the last.
func (p *entryReader) unref(s *slab) {
	if s != nil && s.refs.Add(-1) == 0 {
		p.slabs <- s // never blocks: there are as many places as slabs
	}
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
	cur   *slab // the slab of the piece last handed out
	first bool  // first piece handed out
	end   bool
	owned bool // a writer took it over
}

// next returns the next piece of content, io.EOF after the last.
func (s *contentStream) next() ([]byte, error) {
	if s.cur != nil {
		s.p.unref(s.cur)
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
	s.cur = b.s
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

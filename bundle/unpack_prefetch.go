package bundle

import (
	"errors"
	"io"
	"sync"

	"github.com/opencontainers/go-digest"
)

// Prefetch sizing: up to prefetchChunks chunks of prefetchChunkSize bytes
// of decompressed layer wait for the applier, so decompression (and the
// diff_id hash) runs on one core while tar application runs on another.
// The next layer is decompressed ahead into up to lookaheadChunks chunks
// (allocated as needed), so that decompression, the slowest stage, never
// stops at a layer boundary and uses the applier's idle time.
const (
	prefetchChunks    = 16
	lookaheadChunks   = 64
	prefetchChunkSize = 256 << 10
)

// errPrefetchClosed is the producer's error when the consumer gave up.
var errPrefetchClosed = errors.New("prefetch closed")

// prefetcher reads a stream in its own goroutine ahead of the consumer and
// hashes it with sha256 on the way. It is an io.ReadCloser for one
// consumer goroutine; Digest is valid once Read has returned io.EOF.
type prefetcher struct {
	chunks chan []byte // filled chunks, closed when the producer ends
	free   chan []byte // empty buffers, never more than max
	max    int         // buffers the producer may allocate
	hash   bool        // sha256 the stream (Digest)
	alloc  int         // buffers allocated so far (producer only)
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once

	// Written by the producer before done is closed.
	err error
	sum digest.Digest

	cur []byte // unread part of the chunk being consumed
	buf []byte // that chunk's whole buffer, recycled once consumed
}

// newPrefetcher starts reading open()'s stream in a new goroutine with
// prefetchChunks buffers. open runs in that goroutine too (a decompressor
// reads its header when created), and the closer it returns is closed there
// when the stream ends.
func newPrefetcher(open func() (io.ReadCloser, error)) *prefetcher {
	return newPrefetcherN(open, prefetchChunks)
}

// newPrefetcherN is newPrefetcher with up to chunks buffers, allocated as
// the producer gets ahead of the consumer.
func newPrefetcherN(open func() (io.ReadCloser, error), chunks int) *prefetcher {
	return startPrefetcher(open, chunks, true)
}

// newReadahead is newPrefetcherN without the hash: Digest stays empty.
func newReadahead(open func() (io.ReadCloser, error), chunks int) *prefetcher {
	return startPrefetcher(open, chunks, false)
}

func startPrefetcher(open func() (io.ReadCloser, error), chunks int, hash bool) *prefetcher {
	chunks = max(chunks, 1)
	p := &prefetcher{
		hash:   hash,
		chunks: make(chan []byte, chunks),
		free:   make(chan []byte, chunks),
		max:    chunks,
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go p.produce(open)
	return p
}

func (p *prefetcher) produce(open func() (io.ReadCloser, error)) {
	defer close(p.done)
	defer close(p.chunks)
	r, err := open()
	if err != nil {
		p.err = err
		return
	}
	var digester digest.Digester
	if p.hash {
		digester = digest.SHA256.Digester()
	}
	err = p.pump(r, digester)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		p.err = err
		return
	}
	if digester != nil {
		p.sum = digester.Digest()
	}
}

// pump copies r into chunks (hashing them if digester is set) until EOF,
// an error or stop.
func (p *prefetcher) pump(r io.Reader, digester digest.Digester) error {
	for {
		buf, err := p.buffer()
		if err != nil {
			return err
		}
		n, err := io.ReadFull(r, buf[:cap(buf)])
		if n > 0 {
			if digester != nil {
				digester.Hash().Write(buf[:n])
			}
			select {
			case p.chunks <- buf[:n]:
			case <-p.stop:
				return errPrefetchClosed
			}
		}
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil
		case err != nil:
			return err
		}
	}
}

// buffer returns a free buffer, allocating one while under max.
func (p *prefetcher) buffer() ([]byte, error) {
	select {
	case buf := <-p.free:
		return buf, nil
	default:
	}
	if p.alloc < p.max {
		p.alloc++
		return make([]byte, prefetchChunkSize), nil
	}
	select {
	case buf := <-p.free:
		return buf, nil
	case <-p.stop:
		return nil, errPrefetchClosed
	}
}

// Read returns prefetched bytes; at the end of the stream it returns the
// producer's error, or io.EOF.
func (p *prefetcher) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.buf != nil {
			p.free <- p.buf // cannot block: free has room for every buffer
			p.buf = nil
		}
		chunk, ok := <-p.chunks
		if !ok {
			<-p.done
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.cur, p.buf = chunk, chunk
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// Digest returns the sha256 of the whole stream; it is empty unless the
// stream was read to its end without error.
func (p *prefetcher) Digest() digest.Digest {
	select {
	case <-p.done:
		if p.err == nil && len(p.cur) == 0 && len(p.chunks) == 0 {
			return p.sum
		}
	default:
	}
	return ""
}

// Close stops the producer and waits for it to exit.
func (p *prefetcher) Close() error {
	p.once.Do(func() { close(p.stop) })
	<-p.done
	return nil
}

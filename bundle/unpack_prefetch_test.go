package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/opencontainers/go-digest"
)

func TestPrefetcher(t *testing.T) {
	data := make([]byte, prefetchChunks*prefetchChunkSize*2+12345)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rnd.Uint32())
	}
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(data) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data[:3*prefetchChunkSize+1])) },
		"empty":    func() io.Reader { return bytes.NewReader(nil) },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			want, _ := io.ReadAll(r())
			pf := newPrefetcher(func() (io.ReadCloser, error) { return io.NopCloser(r()), nil })
			defer pf.Close()
			if pf.Digest() != "" {
				t.Error("Digest before the end of the stream")
			}
			// Read in odd sizes, checking the content.
			got, err := io.ReadAll(iotest.HalfReader(pf))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, want %d (equal content)", len(got), len(want))
			}
			if d := pf.Digest(); d != digest.FromBytes(want) {
				t.Errorf("Digest = %s, want %s", d, digest.FromBytes(want))
			}
		})
	}
}

// TestPrefetcherDigestLastChunk checks the hash of a stream whose consumer
// read its last byte but never asked for more (so never saw io.EOF): the
// last chunk, used up but not yet handed back, is in the digest.
func TestPrefetcherDigestLastChunk(t *testing.T) {
	data := bytes.Repeat([]byte("last chunk "), prefetchChunkSize/4)
	pf := newPrefetcher(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	defer pf.Close()
	got := make([]byte, len(data))
	if _, err := io.ReadFull(pf, got); err != nil {
		t.Fatal(err)
	}
	<-pf.done
	if d := pf.Digest(); d != digest.FromBytes(data) {
		t.Errorf("Digest = %s, want %s", d, digest.FromBytes(data))
	}
	if d := pf.Digest(); d != digest.FromBytes(data) {
		t.Errorf("second Digest = %s, want %s", d, digest.FromBytes(data))
	}
}

func TestPrefetcherErrors(t *testing.T) {
	boom := errors.New("boom")
	t.Run("open", func(t *testing.T) {
		pf := newPrefetcher(func() (io.ReadCloser, error) { return nil, boom })
		defer pf.Close()
		if _, err := io.ReadAll(pf); !errors.Is(err, boom) {
			t.Errorf("read: %v, want boom", err)
		}
		if pf.Digest() != "" {
			t.Error("Digest after an error")
		}
	})
	t.Run("read after data", func(t *testing.T) {
		src := io.MultiReader(bytes.NewReader(make([]byte, prefetchChunkSize+10)), iotest.ErrReader(boom))
		pf := newPrefetcher(func() (io.ReadCloser, error) { return io.NopCloser(src), nil })
		defer pf.Close()
		got, err := io.ReadAll(pf)
		if !errors.Is(err, boom) || len(got) < prefetchChunkSize {
			t.Errorf("read %d bytes, %v; want at least a chunk then boom", len(got), err)
		}
	})
	// A truncated compressed stream ends with its own (wrapped)
	// io.ErrUnexpectedEOF: that is an error, not the end of the stream
	// (io.ReadFull's use of the same value made it look like one).
	for _, n := range []int{10, prefetchChunkSize + 10} {
		t.Run(fmt.Sprintf("unexpected EOF after %d bytes", n), func(t *testing.T) {
			truncated := fmt.Errorf("decompress gzip: truncated stream: %w", io.ErrUnexpectedEOF)
			src := io.MultiReader(bytes.NewReader(make([]byte, n)), iotest.ErrReader(truncated))
			pf := newPrefetcher(func() (io.ReadCloser, error) { return io.NopCloser(src), nil })
			defer pf.Close()
			if _, err := io.ReadAll(pf); !errors.Is(err, truncated) {
				t.Errorf("read: %v, want the truncation error", err)
			}
			if pf.Digest() != "" {
				t.Error("Digest after a truncated stream")
			}
		})
	}
	t.Run("close error", func(t *testing.T) {
		pf := newPrefetcher(func() (io.ReadCloser, error) {
			return struct {
				io.Reader
				io.Closer
			}{bytes.NewReader([]byte("abc")), closerFunc(func() error { return boom })}, nil
		})
		defer pf.Close()
		if _, err := io.ReadAll(pf); !errors.Is(err, boom) {
			t.Errorf("read: %v, want the close error", err)
		}
	})
	t.Run("early close", func(t *testing.T) {
		// The consumer stops after one byte of an endless stream: Close
		// must stop the producer and return.
		closed := make(chan struct{})
		pf := newPrefetcher(func() (io.ReadCloser, error) {
			return struct {
				io.Reader
				io.Closer
			}{zeros{}, closerFunc(func() error { close(closed); return nil })}, nil
		})
		if _, err := pf.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		pf.Close()
		<-closed
	})
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestPrefetcherBounds checks that a producer never allocates more than its
// chunk budget however far ahead it runs, and that a read-ahead (no hash)
// delivers the stream unchanged with no digest.
func TestPrefetcherBounds(t *testing.T) {
	for _, chunks := range []int{1, 3, lookaheadChunks} {
		pf := newPrefetcherN(func() (io.ReadCloser, error) { return io.NopCloser(zeros{}), nil }, chunks)
		// Let the producer fill its budget, then check it stopped there.
		for len(pf.chunks) < chunks {
			runtime.Gosched()
		}
		if got := len(pf.chunks); got != chunks {
			t.Errorf("chunks %d: %d buffered", chunks, got)
		}
		pf.Close()
		if pf.alloc > chunks {
			t.Errorf("chunks %d: allocated %d buffers", chunks, pf.alloc)
		}
	}
	data := bytes.Repeat([]byte("read-ahead "), 3*prefetchChunkSize/11)
	ra := newReadahead(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, 2)
	defer ra.Close()
	got, err := io.ReadAll(ra)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read-ahead: %d bytes, %v; want %d bytes", len(got), err, len(data))
	}
	if ra.Digest() != "" {
		t.Errorf("read-ahead has a digest %s", ra.Digest())
	}
}

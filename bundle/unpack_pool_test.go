package bundle

import (
	"bytes"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
)

// randomBytes returns n pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	rnd := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rnd.Uint32())
	}
	return b
}

// TestChunkPoolLayers runs streams through one shared pool as
// extractLayers does (the current one promoted, the next one reading
// ahead) and checks content and digests, that the pool never hands out
// more buffers than its budget, and that every token comes back: a pool
// that leaked would hang a later layer, so many layers are run.
func TestChunkPoolLayers(t *testing.T) {
	tests := []struct {
		name          string
		layers        int
		size          int
		cur, next, of int
	}{
		{"many small layers", 40, prefetchChunkSize/3 + 1, 2, 3, 5},
		{"layers larger than the budget", 6, 7*prefetchChunkSize + 99, 2, 4, 6},
		{"empty layers", 5, 0, 1, 1, 2},
		{"budget of the bundle", 3, 2 * (prefetchChunks + lookaheadChunks) * prefetchChunkSize / 3, prefetchChunks, lookaheadChunks, prefetchChunks + lookaheadChunks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := newChunkPool(tt.of)
			data := make([][]byte, tt.layers)
			open := func(i, chunks int) *prefetcher {
				data[i] = randomBytes(tt.size, uint64(i))
				return startPrefetcher(func() (io.ReadCloser, error) {
					return io.NopCloser(bytes.NewReader(data[i])), nil
				}, chunks, true, pool)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				var next *prefetcher
				for i := range tt.layers {
					cur := next
					if cur == nil {
						cur = open(i, tt.cur)
					}
					cur.setLimit(tt.cur)
					next = nil
					if i+1 < tt.layers {
						next = open(i+1, tt.next)
						// Let the read-ahead take what it can first.
						runtime.Gosched()
					}
					got, err := io.ReadAll(cur)
					cur.Close()
					if err != nil || !bytes.Equal(got, data[i]) {
						t.Errorf("layer %d: read %d bytes, %v; want %d bytes", i, len(got), err, len(data[i]))
					}
					if d := cur.Digest(); d != digest.FromBytes(data[i]) {
						t.Errorf("layer %d: digest %s, want %s", i, d, digest.FromBytes(data[i]))
					}
					if n := len(pool.ch); n > tt.of {
						t.Errorf("layer %d: %d tokens in a pool of %d", i, n, tt.of)
					}
				}
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("layers stalled: the pool lost buffers or a stream starved")
			}
			if n := len(pool.ch); n != tt.of {
				t.Errorf("%d tokens back in a pool of %d", n, tt.of)
			}
		})
	}
}

// TestChunkPoolPromote checks that a read-ahead that filled its whole
// budget gives buffers back as it is read once its limit is lowered, so
// that the next stream can start reading ahead.
func TestChunkPoolPromote(t *testing.T) {
	pool := newChunkPool(8)
	ahead := startPrefetcher(func() (io.ReadCloser, error) { return io.NopCloser(zeros{}), nil }, 8, false, pool)
	defer ahead.Close()
	for len(ahead.chunks) < 8 {
		runtime.Gosched()
	}
	if len(pool.ch) != 0 {
		t.Fatalf("read-ahead left %d tokens, want 0", len(pool.ch))
	}
	ahead.setLimit(2)
	buf := make([]byte, prefetchChunkSize)
	for range 8 {
		if _, err := io.ReadFull(ahead, buf); err != nil {
			t.Fatal(err)
		}
	}
	// Reading returns each consumed buffer while more than 2 are held.
	deadline := time.Now().Add(10 * time.Second)
	for ahead.budget.held.Load() > 2 && time.Now().Before(deadline) {
		if _, err := io.ReadFull(ahead, buf); err != nil {
			t.Fatal(err)
		}
	}
	if held := ahead.budget.held.Load(); held > 2 {
		t.Fatalf("promoted stream still holds %d buffers, want at most 2", held)
	}
	next := startPrefetcher(func() (io.ReadCloser, error) { return io.NopCloser(zeros{}), nil }, 8, false, pool)
	defer next.Close()
	got := make([]byte, 3*prefetchChunkSize)
	if _, err := io.ReadFull(next, got); err != nil {
		t.Fatalf("next stream: %v", err)
	}
	ahead.Close()
	next.Close()
	if len(pool.ch) != 8 {
		t.Errorf("%d tokens back in a pool of 8", len(pool.ch))
	}
}

// TestPrefetcherCloseUnread checks that Close giving unread chunks back to
// the pool does not make a partly read stream look read to its end.
func TestPrefetcherCloseUnread(t *testing.T) {
	data := randomBytes(3*prefetchChunkSize, 3)
	pool := newChunkPool(4)
	pf := startPrefetcher(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, 4, true, pool)
	<-pf.done // the whole stream is hashed and waits in chunks
	if _, err := io.ReadFull(pf, make([]byte, prefetchChunkSize)); err != nil {
		t.Fatal(err)
	}
	pf.Close()
	if d := pf.Digest(); d != "" {
		t.Errorf("Digest after closing a partly read stream = %s, want none", d)
	}
	if len(pool.ch) != 4 {
		t.Errorf("%d tokens back in a pool of 4", len(pool.ch))
	}
}

package imagecopy_test

import (
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

// block is what the large test layers repeat.
var block = func() []byte {
	b := make([]byte, 16<<10)
	x := byte(1)
	for i := range b {
		b[i] = x
		x = x*31 + 7
	}
	return b
}()

// pattern is an endless repetition of block.
type pattern struct{ off int }

func (p *pattern) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c := copy(b[n:], block[p.off:])
		n += c
		p.off = (p.off + c) % len(block)
	}
	return n, nil
}

func streamOf(size int64) func() io.Reader {
	return func() io.Reader { return io.LimitReader(&pattern{}, size) }
}

// heapPeak samples HeapInuse until stop is closed and returns the largest
// value seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestLargeLayerBoundedMemory streams a 1 GiB layer (and recompresses a
// 256 MiB one through a temporary file): the heap must not grow with the
// layer's size.
func TestLargeLayerBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 1.25 GiB")
	}
	for _, tc := range []struct {
		size        int64
		mediaType   string
		compression transport.LayerCompression
	}{
		{1 << 30, mediatype.LayerGzip, transport.PreserveCompression},
		{256 << 20, mediatype.Layer, transport.Compress},
	} {
		// The digest of the stream, computed once.
		h := digest.SHA256.Digester()
		if _, err := io.Copy(h.Hash(), streamOf(tc.size)()); err != nil {
			t.Fatal(err)
		}
		src := imagecopytest.NewSource("")
		layer := ispec.Descriptor{MediaType: tc.mediaType, Digest: h.Digest(), Size: tc.size}
		src.PutStream(layer.Digest, streamOf(tc.size))
		cfg := src.Add(mediatype.Config, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["`+h.Digest().String()+`"]}}`))
		src.SetTop(src.AddJSON(mediatype.Manifest, ispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediatype.Manifest,
			Config: cfg, Layers: []ispec.Descriptor{layer}}))
		dst := imagecopytest.NewDestination("")
		dst.Discard = true
		dst.Compression = tc.compression

		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := make(chan struct{})
		peak := heapPeak(stop)
		var wg sync.WaitGroup
		var res imagecopy.Result
		wg.Go(func() { res = copyOK(t, src, dst, imagecopy.Options{}) })
		wg.Wait()
		close(stop)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)

		growth := int64(<-peak) - int64(before.HeapInuse)
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("%d MiB layer: heap in use grew by %d KiB at most, %d KiB allocated in all", tc.size>>20, growth>>10, allocated>>10)
		if growth > 64<<20 {
			t.Errorf("%d MiB layer: heap in use grew by %d MiB", tc.size>>20, growth>>20)
		}
		if allocated > 64<<20 {
			t.Errorf("%d MiB layer: %d MiB allocated: the layer is buffered", tc.size>>20, allocated>>20)
		}
		if res.Stats.Copied != 2 {
			t.Errorf("stats %+v", res.Stats)
		}
		if tc.compression == transport.PreserveCompression {
			if n, ok := dst.Size(layer.Digest); !ok || n != tc.size {
				t.Errorf("layer stored with %d bytes", n)
			}
		}
	}
}

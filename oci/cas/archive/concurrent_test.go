package archive

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"
)

// TestConcurrentReaders reads many blobs at once, in small interleaved
// chunks, from one engine: positional reads must not share an offset.
func TestConcurrentReaders(t *testing.T) {
	entries := []entry{file("oci-layout", okLayout), file("index.json", okIndex)}
	var blobs []string
	for i := range 16 {
		b := strings.Repeat(fmt.Sprintf("blob %d|", i), 3000+i*97)
		blobs = append(blobs, b)
		entries = append(entries, file(blobName(b), b))
	}
	e := mustOpen(t, writeTar(t, entries...))
	var wg sync.WaitGroup
	errs := make(chan error, len(blobs)*4)
	for range 4 {
		for _, b := range blobs {
			wg.Go(func() {
				rc, err := e.GetBlob(t.Context(), digest.FromString(b))
				if err != nil {
					errs <- err
					return
				}
				defer rc.Close()
				var got bytes.Buffer
				buf := make([]byte, 37) // small reads interleave the goroutines
				if _, err := io.CopyBuffer(&got, struct{ io.Reader }{rc}, buf); err != nil {
					errs <- err
					return
				}
				if got.String() != b {
					errs <- fmt.Errorf("blob of %d bytes read back as %d bytes", len(b), got.Len())
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

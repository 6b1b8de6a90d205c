package casext

import (
	"testing"
	"time"
)

// TestGCWaitsForConcurrentWriter: a second engine on the same layout stores
// an image and only then tags it. GC on the first engine must wait until the
// writer closes, and must then keep the new image.
func TestGCWaitsForConcurrentWriter(t *testing.T) {
	path := newDirLayout(t)
	writer := openDir(t, path)
	collector := openDir(t, path)
	ctx := t.Context()

	img := putImage(t, writer, "fresh layer") // stored, not yet referenced
	junk := putRaw(t, collector, "x", []byte("junk"))

	type result struct {
		stats GCStats
		err   error
	}
	done := make(chan result, 1)
	go func() {
		stats, err := collector.GC(ctx)
		done <- result{stats, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("GC finished while a writer had the layout open: %+v, %v", r.stats, r.err)
	case <-time.After(300 * time.Millisecond):
	}

	if err := writer.UpdateReference(ctx, "fresh", img.manifest); err != nil {
		t.Fatal(err)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("GC still blocked after the writer closed")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.stats.BlobsRemoved != 1 || r.stats.BytesRemoved != junk.Size {
		t.Errorf("stats = %+v, want only the junk blob removed", r.stats)
	}
	for _, d := range append(img.layers, img.manifest, img.config) {
		if _, err := collector.StatBlob(ctx, d.Digest); err != nil {
			t.Errorf("blob %s of the concurrently written image was removed: %v", d.Digest, err)
		}
	}
}

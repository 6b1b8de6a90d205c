package casext

import (
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestGCDryRun(t *testing.T) {
	e := newTestEngine(t)
	ctx := t.Context()
	kept := putImage(t, e, "shared", "k1")
	if err := e.UpdateReference(ctx, "kept", putIndex(t, e, kept.manifest)); err != nil {
		t.Fatal(err)
	}
	gone := putImage(t, e, "shared", "gone")
	junk := putRaw(t, e, "x", []byte("junk"))
	unreachable := []ispec.Descriptor{gone.manifest, gone.config, gone.layers[1], junk}
	var want []digest.Digest
	var wantBytes int64
	for _, d := range unreachable {
		want = append(want, d.Digest)
		wantBytes += d.Size
	}
	slices.Sort(want)
	before := listBlobs(t, e)

	blobs, stats, err := e.GCDryRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []digest.Digest
	var gotBytes int64
	for _, b := range blobs {
		got = append(got, b.Digest)
		gotBytes += b.Size
	}
	if !slices.Equal(got, want) {
		t.Errorf("dry run lists %v, want %v (sorted)", got, want)
	}
	if stats.BlobsRemoved != len(want) || stats.BytesRemoved != wantBytes || gotBytes != wantBytes {
		t.Errorf("stats = %+v, sizes sum %d, want %d blobs, %d bytes", stats, gotBytes, len(want), wantBytes)
	}
	if after := listBlobs(t, e); !slices.Equal(after, before) {
		t.Errorf("dry run changed the blobs: %v -> %v", before, after)
	}

	// GC removes exactly what the dry run listed.
	gcStats, err := e.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if gcStats != stats {
		t.Errorf("GC stats %+v differ from the dry run's %+v", gcStats, stats)
	}
	if blobs, _, err := e.GCDryRun(ctx); err != nil || len(blobs) != 0 {
		t.Errorf("dry run after GC = %v, %v", blobs, err)
	}
}

func TestGCDryRunRefusesBrokenLayout(t *testing.T) {
	e := newTestEngine(t)
	ctx := t.Context()
	img := putImage(t, e, "a")
	if err := e.UpdateReference(ctx, "a", img.manifest); err != nil {
		t.Fatal(err)
	}
	putRaw(t, e, "x", []byte("junk"))
	if err := e.DeleteBlob(ctx, img.manifest.Digest); err != nil {
		t.Fatal(err)
	}
	if blobs, _, err := e.GCDryRun(ctx); err == nil {
		t.Errorf("dry run of a layout with a missing manifest listed %v", blobs)
	}
}

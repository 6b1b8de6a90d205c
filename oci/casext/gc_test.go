package casext

import (
	"slices"
	"testing"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func listBlobs(t *testing.T, e Engine) []digest.Digest {
	t.Helper()
	ds, err := e.ListBlobs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ds)
	return ds
}

func TestGC(t *testing.T) {
	e := newTestEngine(t)
	ctx := t.Context()

	// Reachable: a tagged image, an untagged top-level entry, nested
	// indexes, and a Docker v2s2 manifest's config and layers.
	tagged := putImage(t, e, "t1", "t2")
	untagged := putImage(t, e, "u1")
	deep := putImage(t, e, "d1")
	nested := putIndex(t, e, putIndex(t, e, putIndex(t, e, deep.manifest)))
	dcfg := putRaw(t, e, mediatype.DockerConfig, []byte(`{"os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))
	dlayer := putRaw(t, e, mediatype.DockerLayerGzip, []byte("docker layer"))
	dm := putJSON(t, e, mediatype.DockerManifest, ispec.Manifest{Versioned: specsVersioned(), MediaType: mediatype.DockerManifest, Config: dcfg, Layers: []ispec.Descriptor{dlayer}})
	if err := e.UpdateReference(ctx, "tagged", tagged.manifest); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateReference(ctx, "nested", nested); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateReference(ctx, "docker", dm); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateIndex(ctx, func(idx *ispec.Index) error {
		idx.Manifests = append(idx.Manifests, untagged.manifest)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	keep := listBlobs(t, e)

	// Unreachable: a removed tag's image (minus what it shares) and junk.
	gone := putImage(t, e, "t1", "gone")
	junk := putRaw(t, e, "x", []byte("junk"))
	unreachable := []ispec.Descriptor{gone.manifest, gone.config, gone.layers[1], junk}
	var wantBytes int64
	for _, d := range unreachable {
		wantBytes += d.Size
	}

	stats, err := e.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.BlobsRemoved != len(unreachable) || stats.BytesRemoved != wantBytes {
		t.Errorf("stats = %+v, want %d blobs / %d bytes", stats, len(unreachable), wantBytes)
	}
	if got := listBlobs(t, e); !slices.Equal(got, keep) {
		t.Errorf("after gc blobs = %v\nwant %v", got, keep)
	}
	for _, d := range []ispec.Descriptor{dcfg, dlayer, deep.layers[0], untagged.config} {
		if _, err := e.StatBlob(ctx, d.Digest); err != nil {
			t.Errorf("reachable blob %s removed: %v", d.Digest, err)
		}
	}

	// A second run removes nothing.
	if stats, err := e.GC(ctx); err != nil || stats.BlobsRemoved != 0 {
		t.Errorf("second gc: %+v, %v", stats, err)
	}
}

// TestGCRefusesBrokenGraph: when a reachable manifest cannot be read, its
// children cannot be discovered, so GC must delete nothing.
func TestGCRefusesBrokenGraph(t *testing.T) {
	e, layout := newDirEngine(t)
	ctx := t.Context()
	img := putImage(t, e, "l")
	if err := e.UpdateReference(ctx, "t", img.manifest); err != nil {
		t.Fatal(err)
	}
	plant(t, layout, img.manifest.Digest, []byte("corrupted manifest bytes"))
	before := listBlobs(t, e)
	if _, err := e.GC(ctx); err == nil {
		t.Fatal("GC succeeded on a corrupt reachable manifest")
	}
	if got := listBlobs(t, e); !slices.Equal(got, before) {
		t.Errorf("GC deleted blobs after failing")
	}
}

package casext

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/lade-oci/lade/oci/cas/castest"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func specsVersioned() specs.Versioned { return specs.Versioned{SchemaVersion: 2} }

// putRaw stores b and returns its descriptor with media type mt.
func putRaw(t *testing.T, e Engine, mt string, b []byte) ispec.Descriptor {
	t.Helper()
	d, n, err := e.PutBlob(t.Context(), bytes.NewReader(b))
	if err != nil {
		t.Fatalf("put blob: %v", err)
	}
	return ispec.Descriptor{MediaType: mt, Digest: d, Size: n}
}

// putJSON stores v as JSON and returns its descriptor with media type mt.
func putJSON(t *testing.T, e Engine, mt string, v any) ispec.Descriptor {
	t.Helper()
	d, n, err := e.PutBlobJSON(t.Context(), v)
	if err != nil {
		t.Fatalf("put json blob: %v", err)
	}
	return ispec.Descriptor{MediaType: mt, Digest: d, Size: n}
}

// image is a stored test image: manifest, config and layer descriptors.
type image struct {
	manifest ispec.Descriptor
	config   ispec.Descriptor
	layers   []ispec.Descriptor
}

// putImage stores an OCI image with the given layer contents (stored
// uncompressed) and a config whose diff_ids match them.
func putImage(t *testing.T, e Engine, layers ...string) image {
	t.Helper()
	var img image
	cfg := ispec.Image{
		Platform: ispec.Platform{OS: "linux", Architecture: "amd64"},
		RootFS:   ispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	for _, l := range layers {
		desc := putRaw(t, e, ispec.MediaTypeImageLayer, []byte(l))
		img.layers = append(img.layers, desc)
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, desc.Digest)
	}
	img.config = putJSON(t, e, ispec.MediaTypeImageConfig, cfg)
	m := ispec.Manifest{
		Versioned: specsVersioned(),
		MediaType: ispec.MediaTypeImageManifest,
		Config:    img.config,
		Layers:    append([]ispec.Descriptor{}, img.layers...),
	}
	img.manifest = putJSON(t, e, ispec.MediaTypeImageManifest, m)
	return img
}

// putIndex stores an OCI index of the given descriptors.
func putIndex(t *testing.T, e Engine, descs ...ispec.Descriptor) ispec.Descriptor {
	t.Helper()
	idx := ispec.Index{Versioned: specsVersioned(), MediaType: ispec.MediaTypeImageIndex, Manifests: descs}
	return putJSON(t, e, ispec.MediaTypeImageIndex, idx)
}

// newTestEngine returns an empty in-memory engine, closed at cleanup.
func newTestEngine(t *testing.T) Engine {
	t.Helper()
	e := NewEngine(castest.NewMemory())
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// newDirLayout creates an empty layout on disk and returns its path.
func newDirLayout(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "layout")
	if err := dir.Create(t.Context(), path); err != nil {
		t.Fatalf("create layout: %v", err)
	}
	return path
}

// openDir opens the layout at path, closed at cleanup.
func openDir(t *testing.T, path string) Engine {
	t.Helper()
	e, err := dir.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("open layout: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return NewEngine(e)
}

// newDirEngine returns an engine on a new layout on disk, and its path.
func newDirEngine(t *testing.T) (Engine, string) {
	t.Helper()
	path := newDirLayout(t)
	return openDir(t, path), path
}

// plant writes content as the blob file of digest d, behind the engine's
// back: it lets tests store corrupt blobs.
func plant(t *testing.T, layout string, d digest.Digest, content []byte) {
	t.Helper()
	p := filepath.Join(layout, "blobs", d.Algorithm().String(), d.Encoded())
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatalf("plant blob: %v", err)
	}
}

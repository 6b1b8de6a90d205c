package bundle

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

// testLayer is one layer of a test image: an uncompressed tar stream and
// how to store it.
type testLayer struct {
	tar    []byte
	alg    compress.Algorithm // nil means gzip
	diffID digest.Digest      // overrides the real diff_id when set
}

// testImage is an image written to a fresh layout by buildImage.
type testImage struct {
	layout string
	engine casext.Engine
	path   casext.DescriptorPath
	layers []ispec.Descriptor
}

// buildImage writes a layout holding one image made of layers, tagged
// "test"; edit may change the config before it is stored.
func buildImage(t *testing.T, edit func(*ispec.Image), layers ...testLayer) *testImage {
	t.Helper()
	ctx := t.Context()
	layout := filepath.Join(t.TempDir(), "layout")
	if err := dir.Create(ctx, layout); err != nil {
		t.Fatal(err)
	}
	cas, err := dir.Open(ctx, layout)
	if err != nil {
		t.Fatal(err)
	}
	engine := casext.NewEngine(cas)
	t.Cleanup(func() { _ = engine.Close() })

	img := ispec.Image{
		Platform: ispec.Platform{OS: "linux", Architecture: runtime.GOARCH},
		Config:   ispec.ImageConfig{Env: []string{"PATH=/bin"}, Cmd: []string{"/bin/sh"}},
		RootFS:   ispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	ti := &testImage{layout: layout, engine: engine}
	for _, l := range layers {
		desc := putLayer(ctx, t, engine, l)
		ti.layers = append(ti.layers, desc)
		d := l.diffID
		if d == "" {
			d = digest.FromBytes(l.tar)
		}
		img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, d)
	}
	if edit != nil {
		edit(&img)
	}
	cfgDigest, cfgSize, err := engine.PutBlobJSON(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	manifest := ispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageManifest,
		Config:    ispec.Descriptor{MediaType: ispec.MediaTypeImageConfig, Digest: cfgDigest, Size: cfgSize},
		Layers:    ti.layers,
	}
	mDigest, mSize, err := engine.PutBlobJSON(ctx, manifest)
	if err != nil {
		t.Fatal(err)
	}
	desc := ispec.Descriptor{MediaType: ispec.MediaTypeImageManifest, Digest: mDigest, Size: mSize}
	if err := engine.UpdateReference(ctx, "test", desc); err != nil {
		t.Fatal(err)
	}
	if ti.path, err = engine.ResolveOne(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	return ti
}

// putLayer compresses and stores one layer.
func putLayer(ctx context.Context, t *testing.T, engine casext.Engine, l testLayer) ispec.Descriptor {
	t.Helper()
	alg := l.alg
	if alg == nil {
		alg = compress.Gzip
	}
	var buf bytes.Buffer
	w, err := alg.Compress(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(l.tar); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, n, err := engine.PutBlob(ctx, &buf)
	if err != nil {
		t.Fatal(err)
	}
	mt := ispec.MediaTypeImageLayer
	if s := alg.MediaTypeSuffix(); s != "" {
		mt += "+" + s
	}
	return ispec.Descriptor{MediaType: mt, Digest: d, Size: n}
}

// corruptBlob flips one byte in the middle of a stored blob.
func (ti *testImage) corruptBlob(t *testing.T, d digest.Digest) {
	t.Helper()
	p := filepath.Join(ti.layout, "blobs", d.Algorithm().String(), d.Encoded())
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// listDir returns the names in dir (nil if dir does not exist).
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package copytest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Small writes testimage.Small (three layers: gzip, gzip, uncompressed)
// into the layout path under tag and returns what it wrote.
func Small(t testing.TB, path, tag string) *testimage.Result {
	t.Helper()
	res, err := testimage.Small().Write(context.Background(), path, tag)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Multi writes two images of different architectures (tags "amd64" and
// "arm64") into the layout path and an image index of both tagged "idx";
// it returns the index's descriptor.
func Multi(t testing.TB, path string) ispec.Descriptor {
	t.Helper()
	ctx := context.Background()
	for _, arch := range []string{"amd64", "arm64"} {
		b := testimage.Small()
		b.Architecture = arch
		if _, err := b.Write(ctx, path, arch); err != nil {
			t.Fatal(err)
		}
	}
	engine, err := dir.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	e := casext.NewEngine(engine)
	var entries []ispec.Descriptor
	for _, tag := range []string{"amd64", "arm64"} {
		d, err := e.IndexEntry(ctx, tag, false)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, d)
	}
	idx, err := casext.NewIndex(entries, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := e.PutIndexBlob(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateReference(ctx, "idx", desc); err != nil {
		t.Fatal(err)
	}
	return desc
}

// Image is what Read finds behind a source's top manifest.
type Image struct {
	Manifest       ispec.Descriptor
	ManifestBytes  []byte
	Config         ispec.Descriptor
	ConfigBytes    []byte
	Layers         []ispec.Descriptor
	DiffIDs        []string
	Architecture   string
	ManifestParsed ispec.Manifest
}

// Read resolves src (an image, not an index) and reads its manifest and
// config.
func Read(t testing.TB, src transport.Source) Image {
	t.Helper()
	ctx := context.Background()
	top, err := src.Resolve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := transport.ReadManifest(ctx, src, top)
	if err != nil {
		t.Fatal(err)
	}
	var m ispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	craw, err := transport.ReadManifest(ctx, src, m.Config)
	if err != nil {
		t.Fatal(err)
	}
	var cfg ispec.Image
	if err := json.Unmarshal(craw, &cfg); err != nil {
		t.Fatal(err)
	}
	img := Image{Manifest: top, ManifestBytes: raw, Config: m.Config, ConfigBytes: craw, Layers: m.Layers,
		Architecture: cfg.Architecture, ManifestParsed: m}
	for _, d := range cfg.RootFS.DiffIDs {
		img.DiffIDs = append(img.DiffIDs, d.String())
	}
	return img
}

// MustParse parses an image name.
func MustParse(t testing.TB, s string) transport.Name {
	t.Helper()
	n, err := transport.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

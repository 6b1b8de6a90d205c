package imagecopy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

// A destination that decompresses (docker-archive:) gets each layer
// uncompressed, under its diff_id.
func TestDecompress(t *testing.T) {
	for _, tc := range []struct {
		docker      bool
		compression string
		want        string
	}{
		{false, "gzip", mediatype.Layer},
		{false, "zstd", mediatype.Layer},
		{true, "gzip", mediatype.DockerLayer},
	} {
		src, img := source(t, imagecopytest.ImageSpec{Docker: tc.docker, Compression: tc.compression})
		dst := imagecopytest.NewDestination("")
		dst.Compression = transport.Decompress
		res := copyOK(t, src, dst, imagecopy.Options{})
		m := decodeManifest(t, res.Manifest)
		for i, l := range m.Layers {
			if l.MediaType != tc.want || l.Digest != img.DiffIDs[i] || l.Size != int64(len(img.Tars[i])) {
				t.Errorf("%s: layer %d is %s %s %d, want %s %s %d", tc.compression, i, l.MediaType, l.Digest, l.Size,
					tc.want, img.DiffIDs[i], len(img.Tars[i]))
			}
			if got, _ := dst.Blob(l.Digest); !bytes.Equal(got, img.Tars[i]) {
				t.Errorf("layer %d stored is not the uncompressed tar", i)
			}
		}
		if m.Config.Digest != img.Config.Digest {
			t.Errorf("config changed")
		}
	}
}

// A layer that does not decompress to its diff_id is refused.
func TestDecompressDiffIDMismatch(t *testing.T) {
	src := imagecopytest.NewSource("")
	img := src.AddImage(imagecopytest.ImageSpec{Layers: 1})
	var cfg ispec.Image
	if err := json.Unmarshal(img.ConfigRaw, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.RootFS.DiffIDs[0] = digest.FromString("something else")
	m := decodeManifest(t, img.Raw)
	m.Config = src.AddJSON(mediatype.Config, cfg)
	src.SetTop(src.AddJSON(mediatype.Manifest, m))
	dst := imagecopytest.NewDestination("")
	dst.Compression = transport.Decompress
	_, err := copyImage(t, src, dst, imagecopy.Options{})
	if !errors.Is(err, cas.ErrDigestMismatch) || !strings.Contains(err.Error(), "diff_id") {
		t.Errorf("err = %v", err)
	}
	if _, ok := dst.Blob(img.DiffIDs[0]); ok {
		t.Error("mismatching layer stored")
	}
	notCommitted(t, dst)
}

// A destination that compresses gets uncompressed layers gzip-compressed
// and keeps compressed ones.
func TestCompressUncompressed(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{Compression: "none", Annotations: map[string]string{"a": "b"}})
	dst := imagecopytest.NewDestination("")
	dst.Compression = transport.Compress
	res := copyOK(t, src, dst, imagecopy.Options{})
	m := decodeManifest(t, res.Manifest)
	for i, l := range m.Layers {
		if l.MediaType != mediatype.LayerGzip || l.Digest == img.Layers[i].Digest {
			t.Errorf("layer %d: %s %s", i, l.MediaType, l.Digest)
		}
		if got := decompressed(t, dst, l, compress.Gzip); !bytes.Equal(got, img.Tars[i]) {
			t.Errorf("layer %d does not decompress to the tar", i)
		}
	}
	if m.Annotations["a"] != "b" {
		t.Errorf("manifest annotations lost: %s", res.Manifest)
	}
	if res.Stats.Copied != 3 {
		t.Errorf("stats %+v", res.Stats)
	}

	// Compressed layers are kept as they are.
	src, img = source(t, imagecopytest.ImageSpec{Compression: "zstd"})
	dst = imagecopytest.NewDestination("")
	dst.Compression = transport.Compress
	if res := copyOK(t, src, dst, imagecopy.Options{}); !bytes.Equal(res.Manifest, img.Raw) {
		t.Errorf("compressed layers changed: %s", res.Manifest)
	}
}

func TestRecompress(t *testing.T) {
	zstd9, err := compress.WithLevel(compress.Zstd, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from string
		alg  compress.Algorithm
		want string
	}{
		{"gzip", zstd9, mediatype.LayerZstd},
		{"none", compress.Zstd, mediatype.LayerZstd},
		{"zstd", compress.Gzip, mediatype.LayerGzip},
	} {
		src, img := source(t, imagecopytest.ImageSpec{Compression: tc.from})
		dst := imagecopytest.NewDestination("")
		dst.Compression = transport.Compress
		res := copyOK(t, src, dst, imagecopy.Options{Compression: tc.alg})
		m := decodeManifest(t, res.Manifest)
		for i, l := range m.Layers {
			if l.MediaType != tc.want {
				t.Errorf("%s -> %s: layer %d is %s", tc.from, tc.alg.Name(), i, l.MediaType)
			}
			if got := decompressed(t, dst, l, tc.alg); !bytes.Equal(got, img.Tars[i]) {
				t.Errorf("%s -> %s: layer %d does not decompress to the tar", tc.from, tc.alg.Name(), i)
			}
		}
	}

	// A layer already in the format asked for is kept (the level does not
	// matter), as skopeo does.
	src, img := source(t, imagecopytest.ImageSpec{})
	gzip9, _ := compress.WithLevel(compress.Gzip, 9)
	dst := imagecopytest.NewDestination("")
	dst.Compression = transport.Compress
	if res := copyOK(t, src, dst, imagecopy.Options{Compression: gzip9}); !bytes.Equal(res.Manifest, img.Raw) {
		t.Errorf("gzip layers recompressed for gzip")
	}

	// A destination that keeps layers (dir:) ignores the compression
	// format unless told to compress (--dest-compress).
	dst = imagecopytest.NewDestination("")
	if res := copyOK(t, src, dst, imagecopy.Options{Compression: compress.Zstd}); !bytes.Equal(res.Manifest, img.Raw) {
		t.Errorf("dir-like destination recompressed without --dest-compress")
	}
}

func TestLayerCompressionOverride(t *testing.T) {
	comp, decomp := transport.Compress, transport.Decompress
	// --dest-compress for a destination that keeps layers.
	src, img := source(t, imagecopytest.ImageSpec{Compression: "none"})
	dst := imagecopytest.NewDestination("")
	res := copyOK(t, src, dst, imagecopy.Options{LayerCompression: &comp, Compression: compress.Zstd})
	if m := decodeManifest(t, res.Manifest); m.Layers[0].MediaType != mediatype.LayerZstd {
		t.Errorf("--dest-compress: %s", res.Manifest)
	}
	// --dest-decompress.
	src, img = source(t, imagecopytest.ImageSpec{})
	dst = imagecopytest.NewDestination("")
	res = copyOK(t, src, dst, imagecopy.Options{LayerCompression: &decomp})
	if m := decodeManifest(t, res.Manifest); m.Layers[0].Digest != img.DiffIDs[0] {
		t.Errorf("--dest-decompress: %s", res.Manifest)
	}
	// Ignored by a destination with a compression of its own.
	dst = imagecopytest.NewDestination("")
	dst.Compression = transport.Compress
	if res := copyOK(t, src, dst, imagecopy.Options{LayerCompression: &decomp}); !bytes.Equal(res.Manifest, img.Raw) {
		t.Errorf("override applied to a compressing destination: %s", res.Manifest)
	}
}

func TestPreserveDigests(t *testing.T) {
	// What a destination merely prefers is not done (skopeo): uncompressed
	// layers stay uncompressed in a compressing destination, compressed
	// ones compressed in a decompressing one.
	for _, tc := range []struct {
		compression string
		dst         transport.LayerCompression
	}{{"none", transport.Compress}, {"gzip", transport.Decompress}} {
		src, img := source(t, imagecopytest.ImageSpec{Compression: tc.compression})
		dst := imagecopytest.NewDestination("")
		dst.Compression = tc.dst
		res := copyOK(t, src, dst, imagecopy.Options{PreserveDigests: true})
		if res.Descriptor.Digest != img.Manifest.Digest {
			t.Errorf("%s layers: digest changed under --preserve-digests", tc.compression)
		}
	}

	// What would change the digest is refused before anything is written.
	src, _ := source(t, imagecopytest.ImageSpec{Compression: "none"})
	docker := imagecopytest.NewDestination("")
	docker.Types = []string{mediatype.DockerManifest}
	compressing := imagecopytest.NewDestination("")
	compressing.Compression = transport.Compress
	for name, tc := range map[string]struct {
		dst  *imagecopytest.Destination
		opts imagecopy.Options
	}{
		"--format":               {imagecopytest.NewDestination(""), imagecopy.Options{Format: imagecopy.FormatV2S2}},
		"destination type":       {docker, imagecopy.Options{}},
		"--dest-compress-format": {compressing, imagecopy.Options{Compression: compress.Gzip}},
	} {
		tc.opts.PreserveDigests = true
		_, err := copyImage(t, src, tc.dst, tc.opts)
		if err == nil || !strings.Contains(err.Error(), "--preserve-digests") && !strings.Contains(err.Error(), "destination takes") {
			t.Errorf("%s: err = %v", name, err)
		}
		if has, puts, _ := tc.dst.Counts(); has+puts != 0 {
			t.Errorf("%s: destination used before the refusal", name)
		}
		notCommitted(t, tc.dst)
	}
}

package imagecopy_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

// dockerJSON is a v2s2 manifest as skopeo 1.9.3 writes it when converting
// an OCI image (field order included), for config and layers.
func dockerJSON(config ispec.Descriptor, layerType string, layers []ispec.Descriptor) string {
	var ls []string
	for _, l := range layers {
		ls = append(ls, fmt.Sprintf(`{"mediaType":%q,"size":%d,"digest":%q}`, layerType, l.Size, l.Digest))
	}
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":%q},"layers":[%s]}`,
		config.Size, config.Digest, strings.Join(ls, ","))
}

// ociJSON is an OCI manifest as skopeo writes it when converting a v2s2
// image.
func ociJSON(config ispec.Descriptor, layerType string, layers []ispec.Descriptor) string {
	var ls []string
	for _, l := range layers {
		ls = append(ls, fmt.Sprintf(`{"mediaType":%q,"digest":%q,"size":%d}`, layerType, l.Digest, l.Size))
	}
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[%s]}`,
		config.Digest, config.Size, strings.Join(ls, ","))
}

func TestConvertOCIToV2S2(t *testing.T) {
	for _, tc := range []struct{ compression, layerType string }{
		{"gzip", mediatype.DockerLayerGzip},
		{"none", mediatype.DockerLayer},
	} {
		src, img := source(t, imagecopytest.ImageSpec{Compression: tc.compression, Annotations: map[string]string{"a": "b"}})
		dst := imagecopytest.NewDestination("")
		res := copyOK(t, src, dst, imagecopy.Options{Format: imagecopy.FormatV2S2})
		want := dockerJSON(img.Config, tc.layerType, img.Layers)
		if string(res.Manifest) != want {
			t.Errorf("%s: converted manifest\n%s\nwant\n%s", tc.compression, res.Manifest, want)
		}
		if res.Descriptor.MediaType != mediatype.DockerManifest {
			t.Errorf("committed as %s", res.Descriptor.MediaType)
		}
		if got, _ := dst.Blob(img.Config.Digest); !bytes.Equal(got, img.ConfigRaw) {
			t.Errorf("config bytes changed")
		}
	}
}

func TestConvertV2S2ToOCI(t *testing.T) {
	for _, tc := range []struct{ compression, layerType string }{
		{"gzip", mediatype.LayerGzip},
		{"none", mediatype.Layer},
	} {
		src, img := source(t, imagecopytest.ImageSpec{Docker: true, Compression: tc.compression})
		dst := imagecopytest.NewDestination("")
		res := copyOK(t, src, dst, imagecopy.Options{Format: imagecopy.FormatOCI})
		if want := ociJSON(img.Config, tc.layerType, img.Layers); string(res.Manifest) != want {
			t.Errorf("%s: converted manifest\n%s\nwant\n%s", tc.compression, res.Manifest, want)
		}
		if got, _ := dst.Blob(img.Config.Digest); !bytes.Equal(got, img.ConfigRaw) {
			t.Errorf("config bytes changed")
		}
	}
}

// Converting to the format the image already has changes nothing.
func TestConvertToSameFormat(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{Docker: true})
	res := copyOK(t, src, imagecopytest.NewDestination(""), imagecopy.Options{Format: imagecopy.FormatV2S2})
	if !bytes.Equal(res.Manifest, img.Raw) {
		t.Errorf("manifest rewritten: %s", res.Manifest)
	}
}

func TestConvertIndex(t *testing.T) {
	for _, docker := range []bool{false, true} {
		src, images, _, _ := multiArch(t, docker)
		dst := imagecopytest.NewDestination("")
		format, childType, indexType := imagecopy.FormatV2S2, mediatype.DockerManifest, mediatype.DockerManifestList
		if docker {
			format, childType, indexType = imagecopy.FormatOCI, mediatype.Manifest, mediatype.Index
		}
		res := copyOK(t, src, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchAll, Format: format})
		if res.Descriptor.MediaType != indexType {
			t.Errorf("index committed as %s", res.Descriptor.MediaType)
		}
		idx := decodeIndex(t, res.Manifest)
		manifests := dst.Manifests()
		var entries []string
		for i, e := range idx.Manifests {
			raw, ok := manifests[e.Digest]
			if !ok || digest.FromBytes(raw) != e.Digest || int64(len(raw)) != e.Size {
				t.Fatalf("entry %d (%s) not written as described", i, e.Digest)
			}
			m := decodeManifest(t, raw)
			if e.MediaType != childType || m.MediaType != childType {
				t.Errorf("entry %d: %s / %s, want %s", i, e.MediaType, m.MediaType, childType)
			}
			if m.Config.Digest != images[i].Config.Digest {
				t.Errorf("entry %d: config changed", i)
			}
			p := images[i].Manifest.Platform
			variant := ""
			if p.Variant != "" {
				variant = fmt.Sprintf(`,"variant":%q`, p.Variant)
			}
			if docker {
				entries = append(entries, fmt.Sprintf(`{"mediaType":%q,"digest":%q,"size":%d,"platform":{"architecture":%q,"os":%q%s}}`,
					childType, e.Digest, e.Size, p.Architecture, p.OS, variant))
			} else {
				entries = append(entries, fmt.Sprintf(`{"mediaType":%q,"size":%d,"digest":%q,"platform":{"architecture":%q,"os":%q%s}}`,
					childType, e.Size, e.Digest, p.Architecture, p.OS, variant))
			}
		}
		want := fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"manifests":[%s]}`, indexType, strings.Join(entries, ","))
		if string(res.Manifest) != want {
			t.Errorf("docker=%v: index\n%s\nwant\n%s", docker, res.Manifest, want)
		}
	}
}

// customImage returns a source whose top image has one layer of media
// type layerType, in a manifest of type manifestType.
func customImage(t *testing.T, manifestType, layerType string) (*imagecopytest.Source, ispec.Descriptor) {
	t.Helper()
	src := imagecopytest.NewSource("")
	layer := src.Add(layerType, []byte("not really a layer, never decompressed"))
	cfgType := mediatype.Config
	if manifestType == mediatype.DockerManifest {
		cfgType = mediatype.DockerConfig
	}
	cfg := src.Add(cfgType, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}`))
	var m any = ispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: manifestType, Config: cfg, Layers: []ispec.Descriptor{layer}}
	if manifestType == mediatype.DockerManifest {
		m = imagecopytest.DockerManifest(cfg, []ispec.Descriptor{layer})
	}
	src.SetTop(src.AddJSON(manifestType, m))
	return src, layer
}

func TestConvertLayerTypes(t *testing.T) {
	tests := []struct {
		from, layer string
		format      imagecopy.Format
		want        string
	}{
		{mediatype.Manifest, mediatype.LayerNonDistributableGzip, imagecopy.FormatV2S2, mediatype.DockerForeignLayerGzip},
		{mediatype.Manifest, mediatype.LayerNonDistributable, imagecopy.FormatV2S2, "application/vnd.docker.image.rootfs.foreign.diff.tar"},
		{mediatype.DockerManifest, mediatype.DockerForeignLayerGzip, imagecopy.FormatOCI, mediatype.LayerNonDistributableGzip},
		{mediatype.DockerManifest, "application/vnd.docker.image.rootfs.foreign.diff.tar", imagecopy.FormatOCI, mediatype.LayerNonDistributable},
		{mediatype.DockerManifest, mediatype.DockerLayerGzip, imagecopy.FormatOCI, mediatype.LayerGzip},
		{mediatype.Manifest, mediatype.LayerGzip, imagecopy.FormatV2S2, mediatype.DockerLayerGzip},
	}
	for _, tc := range tests {
		src, layer := customImage(t, tc.from, tc.layer)
		res := copyOK(t, src, imagecopytest.NewDestination(""), imagecopy.Options{Format: tc.format})
		m := decodeManifest(t, res.Manifest)
		if got := m.Layers[0]; got.MediaType != tc.want || got.Digest != layer.Digest {
			t.Errorf("%s -> %s: layer %s %s, want %s", tc.layer, tc.format, got.MediaType, got.Digest, tc.want)
		}
	}
}

// Conversions v2s2 cannot hold fail before anything is written.
func TestConvertRefusals(t *testing.T) {
	zstd, _ := source(t, imagecopytest.ImageSpec{Compression: "zstd"})
	gzipImage, _ := customImage(t, mediatype.Manifest, mediatype.LayerGzip)
	art := imagecopytest.NewSource("")
	blob := art.Add("application/vnd.example.thing", []byte("x"))
	cfg := art.Add("application/vnd.example.config+json", []byte("{}"))
	art.SetTop(art.AddJSON(mediatype.Manifest, ispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediatype.Manifest,
		Config: cfg, Layers: []ispec.Descriptor{blob}}))
	withSubject := imagecopytest.NewSource("")
	img := withSubject.AddImage(imagecopytest.ImageSpec{})
	m := decodeManifest(t, img.Raw)
	m.Subject = &ispec.Descriptor{MediaType: mediatype.Manifest, Digest: digest.FromString("other"), Size: 5}
	withSubject.SetTop(withSubject.AddJSON(mediatype.Manifest, m))

	for name, tc := range map[string]struct {
		src  *imagecopytest.Source
		opts imagecopy.Options
		want string
	}{
		"zstd layer":     {zstd, imagecopy.Options{Format: imagecopy.FormatV2S2}, "zstd-compressed layers cannot be stored"},
		"zstd requested": {gzipImage, imagecopy.Options{Format: imagecopy.FormatV2S2, Compression: compressZstd(t)}, ""},
		"artifact":       {art, imagecopy.Options{Format: imagecopy.FormatV2S2}, "artifact"},
		"subject":        {withSubject, imagecopy.Options{Format: imagecopy.FormatV2S2}, "subject"},
	} {
		dst := imagecopytest.NewDestination("")
		if name == "zstd requested" {
			dst.Compression = transport.Compress
			tc.want = "zstd-compressed layers cannot be stored"
		}
		_, err := copyImage(t, tc.src, dst, tc.opts)
		if !errors.Is(err, transport.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
		if has, puts, _ := dst.Counts(); puts != 0 || has != 0 {
			t.Errorf("%s: %d Has and %d PutBlob calls before the refusal", name, has, puts)
		}
		notCommitted(t, dst)
	}
}

// A destination that takes other manifest types gets the image converted
// to the first type it lists, without --format.
func TestConvertForDestination(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{})
	dst := imagecopytest.NewDestination("")
	dst.Types = []string{mediatype.DockerManifest}
	res := copyOK(t, src, dst, imagecopy.Options{})
	if string(res.Manifest) != dockerJSON(img.Config, mediatype.DockerLayerGzip, img.Layers) {
		t.Errorf("not converted for the destination: %s", res.Manifest)
	}

	src, img = source(t, imagecopytest.ImageSpec{Docker: true})
	dst = imagecopytest.NewDestination("")
	dst.Types = []string{mediatype.Manifest, mediatype.Index}
	res = copyOK(t, src, dst, imagecopy.Options{})
	if string(res.Manifest) != ociJSON(img.Config, mediatype.LayerGzip, img.Layers) {
		t.Errorf("not converted for the destination: %s", res.Manifest)
	}

	// A destination that lists both families prefers its first one: it
	// converts to it, except under --preserve-digests, where it takes the
	// source's type as it is (skopeo into an oci: layout).
	src, img = source(t, imagecopytest.ImageSpec{Docker: true})
	dst = imagecopytest.NewDestination("")
	dst.Types = []string{mediatype.Manifest, mediatype.DockerManifest}
	if res := copyOK(t, src, dst, imagecopy.Options{}); string(res.Manifest) != ociJSON(img.Config, mediatype.LayerGzip, img.Layers) {
		t.Errorf("not converted to the destination's first family: %s", res.Manifest)
	}
	dst = imagecopytest.NewDestination("")
	dst.Types = []string{mediatype.Manifest, mediatype.DockerManifest}
	if res := copyOK(t, src, dst, imagecopy.Options{PreserveDigests: true}); !bytes.Equal(res.Manifest, img.Raw) {
		t.Errorf("converted under --preserve-digests although the destination takes v2s2")
	}
	dst = imagecopytest.NewDestination("")
	dst.Types = []string{mediatype.DockerManifest, mediatype.Manifest}
	if res := copyOK(t, src, dst, imagecopy.Options{}); !bytes.Equal(res.Manifest, img.Raw) {
		t.Errorf("converted although v2s2 is the destination's first type")
	}
}

func TestFormatNotAccepted(t *testing.T) {
	src, _ := source(t, imagecopytest.ImageSpec{})
	dst := imagecopytest.NewDestination("")
	dst.Types = []string{mediatype.Manifest, mediatype.Index}
	_, err := copyImage(t, src, dst, imagecopy.Options{Format: imagecopy.FormatV2S2})
	if !errors.Is(err, transport.ErrUnsupported) || !strings.Contains(err.Error(), mediatype.DockerManifest) {
		t.Errorf("err = %v", err)
	}
	notCommitted(t, dst)

	// An index into a destination that takes no index at all (--all).
	isrc, _, _, _ := multiArch(t, false)
	dst = imagecopytest.NewDestination("")
	dst.Types = []string{mediatype.DockerManifest}
	if _, err := copyImage(t, isrc, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchAll}); !errors.Is(err, transport.ErrUnsupported) {
		t.Errorf("index into a single-image destination: %v", err)
	}
}

package casext

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	dockerManifestJSON = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},` +
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3,"digest":"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}`
	dockerListJSON = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",` +
		`"manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":7,"digest":"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",` +
		`"platform":{"architecture":"arm","os":"linux","variant":"v7","features":["sse4"]}}]}`
)

func TestFromDescriptorParses(t *testing.T) {
	e := newTestEngine(t)
	img := putImage(t, e, "layer-a")
	idx := putIndex(t, e, img.manifest)
	descBlob := putJSON(t, e, mediatype.Descriptor, img.manifest)
	dm := putRaw(t, e, mediatype.DockerManifest, []byte(dockerManifestJSON))
	dl := putRaw(t, e, mediatype.DockerManifestList, []byte(dockerListJSON))
	empty := putRaw(t, e, mediatype.EmptyJSON, []byte("{}"))

	t.Run("index", func(t *testing.T) {
		b := fromDesc(t, e, idx)
		data, ok := b.Data.(*ispec.Index)
		if !ok || len(data.Manifests) != 1 || data.Manifests[0].Digest != img.manifest.Digest {
			t.Errorf("Data = %#v", b.Data)
		}
	})
	t.Run("manifest", func(t *testing.T) {
		b := fromDesc(t, e, img.manifest)
		data, ok := b.Data.(*ispec.Manifest)
		if !ok || data.Config.Digest != img.config.Digest || len(data.Layers) != 1 {
			t.Errorf("Data = %#v", b.Data)
		}
		if digest.FromBytes(b.Raw) != img.manifest.Digest {
			t.Errorf("Raw is not the exact blob")
		}
	})
	t.Run("config", func(t *testing.T) {
		b := fromDesc(t, e, img.config)
		data, ok := b.Data.(*ispec.Image)
		if !ok || data.OS != "linux" || len(data.RootFS.DiffIDs) != 1 {
			t.Errorf("Data = %#v", b.Data)
		}
	})
	t.Run("descriptor", func(t *testing.T) {
		b := fromDesc(t, e, descBlob)
		if data, ok := b.Data.(*ispec.Descriptor); !ok || data.Digest != img.manifest.Digest {
			t.Errorf("Data = %#v", b.Data)
		}
	})
	t.Run("docker manifest", func(t *testing.T) {
		b := fromDesc(t, e, dm)
		data, ok := b.Data.(*ispec.Manifest)
		if !ok || data.Config.MediaType != mediatype.DockerConfig || len(data.Layers) != 1 || data.Layers[0].Size != 3 {
			t.Errorf("Data = %#v", b.Data)
		}
	})
	t.Run("docker manifest list", func(t *testing.T) {
		b := fromDesc(t, e, dl)
		data, ok := b.Data.(*ispec.Index)
		if !ok || len(data.Manifests) != 1 || data.Manifests[0].Platform == nil || data.Manifests[0].Platform.Variant != "v7" {
			t.Errorf("Data = %#v", b.Data)
		}
	})
	t.Run("empty json", func(t *testing.T) {
		b := fromDesc(t, e, empty)
		if b.Data != nil || string(b.Raw) != "{}" {
			t.Errorf("Data = %#v, Raw = %q", b.Data, b.Raw)
		}
	})
	t.Run("unknown type is a leaf and is not read", func(t *testing.T) {
		missing := ispec.Descriptor{MediaType: mediatype.LayerGzip, Digest: digest.FromString("absent"), Size: 1 << 40}
		b := fromDesc(t, e, missing)
		if b.Data != nil || b.Raw != nil {
			t.Errorf("Data = %#v, Raw = %q", b.Data, b.Raw)
		}
	})
	t.Run("unknown type with embedded data", func(t *testing.T) {
		data := []byte("payload")
		d := ispec.Descriptor{MediaType: "application/x-thing", Digest: digest.FromBytes(data), Size: 7, Data: data}
		if b := fromDesc(t, e, d); string(b.Raw) != "payload" {
			t.Errorf("Raw = %q", b.Raw)
		}
	})
}

func fromDesc(t *testing.T, e Engine, d ispec.Descriptor) *Blob {
	t.Helper()
	b, err := e.FromDescriptor(t.Context(), d)
	if err != nil {
		t.Fatalf("FromDescriptor: %v", err)
	}
	return b
}

func TestFromDescriptorRefuses(t *testing.T) {
	e, layout := newDirEngine(t)
	put := func(mt, s string) ispec.Descriptor { return putRaw(t, e, mt, []byte(s)) }
	oversized := digest.FromString("big")
	plant(t, layout, oversized, bytes.Repeat([]byte(" "), 10)) // never read: refused by size first

	tests := []struct {
		name string
		desc ispec.Descriptor
		msg  string
	}{
		{"index with config", put(mediatype.Index, `{"schemaVersion":2,"manifests":[],"config":{}}`), `"config"`},
		{"index with layers", put(mediatype.Index, `{"schemaVersion":2,"manifests":[],"layers":[]}`), `"layers"`},
		{"index with null config", put(mediatype.Index, `{"schemaVersion":2,"manifests":[],"config":null}`), `"config"`},
		{"manifest with manifests", put(mediatype.Manifest, `{"schemaVersion":2,"config":{},"layers":[],"manifests":[]}`), `"manifests"`},
		{"docker list with layers", put(mediatype.DockerManifestList, `{"schemaVersion":2,"manifests":[],"layers":[]}`), `"layers"`},
		{"manifest claiming index type", put(mediatype.Manifest, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":{},"layers":[]}`), "does not match"},
		{"index claiming manifest type", put(mediatype.Index, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}`), "does not match"},
		{"index with cased field", put(mediatype.Index, `{"schemaVersion":2,"manifests":[],"Layers":[]}`), `"layers"`},
		{"manifest is not json", put(mediatype.Manifest, `not json`), "decode"},
		{"manifest is null", put(mediatype.Manifest, `null`), "null"},
		{"config is an array", put(mediatype.Config, `[1,2]`), "decode"},
		{"manifest with trailing garbage", put(mediatype.Manifest, `{"schemaVersion":2} x`), "decode"},
		{"manifest schemaVersion 1", put(mediatype.Manifest, `{"schemaVersion":1,"config":{},"layers":[]}`), "unsupported schemaVersion 1 (want 2)"},
		{"manifest schemaVersion 3", put(mediatype.Manifest, `{"schemaVersion":3,"config":{},"layers":[]}`), "unsupported schemaVersion 3 (want 2)"},
		{"manifest without schemaVersion", put(mediatype.Manifest, `{"config":{},"layers":[]}`), "has no schemaVersion (want 2)"},
		{"manifest schemaVersion string", put(mediatype.Manifest, `{"schemaVersion":"2","config":{},"layers":[]}`), "decode"},
		{"docker manifest schemaVersion 1", put(mediatype.DockerManifest, `{"schemaVersion":1,"config":{},"layers":[]}`), "unsupported schemaVersion 1"},
		{"index schemaVersion 1", put(mediatype.Index, `{"schemaVersion":1,"manifests":[]}`), "unsupported schemaVersion 1 (want 2)"},
		{"docker list without schemaVersion", put(mediatype.DockerManifestList, `{"manifests":[]}`), "has no schemaVersion"},
		{"oversized manifest", ispec.Descriptor{MediaType: mediatype.Manifest, Digest: oversized, Size: MaxManifestSize + 1}, "limit"},
		{"oversized config", ispec.Descriptor{MediaType: mediatype.Config, Digest: oversized, Size: MaxConfigSize + 1}, "limit"},
		{"negative size", ispec.Descriptor{MediaType: mediatype.Manifest, Digest: oversized, Size: -5}, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.FromDescriptor(t.Context(), tc.desc)
			if err == nil {
				t.Fatalf("accepted")
			}
			if !errors.Is(err, cas.ErrInvalid) {
				t.Errorf("error %v is not cas.ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), tc.desc.Digest.String()) {
				t.Errorf("error %q should mention %q and the digest", err, tc.msg)
			}
		})
	}
}

// TestFromDescriptorCapDoesNotTrustDescriptor: a blob larger than the cap
// described as small is cut off at the described size by verification.
func TestFromDescriptorCapDoesNotTrustDescriptor(t *testing.T) {
	e := newTestEngine(t)
	big := putRaw(t, e, mediatype.Manifest, bytes.Repeat([]byte(" "), 4096))
	big.Size = 10
	if _, err := e.FromDescriptor(t.Context(), big); !isMismatch(err) {
		t.Errorf("error = %v, want a size mismatch", err)
	}
}

func TestHasParser(t *testing.T) {
	for _, mt := range []string{mediatype.Index, mediatype.Manifest, mediatype.Config, mediatype.Descriptor, mediatype.EmptyJSON, mediatype.DockerManifest, mediatype.DockerManifestList, mediatype.DockerConfig} {
		if !HasParser(mt) {
			t.Errorf("HasParser(%q) = false", mt)
		}
	}
	for _, mt := range []string{mediatype.LayerGzip, "", "application/json"} {
		if HasParser(mt) {
			t.Errorf("HasParser(%q) = true", mt)
		}
	}
}

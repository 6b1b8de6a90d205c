package casext

import (
	"testing"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// FuzzFromDescriptor feeds arbitrary documents to every parser through
// embedded data (so no store is involved): it must never panic, and what it
// accepts must have the Go shape of its media type.
func FuzzFromDescriptor(f *testing.F) {
	f.Add(`{"schemaVersion":2,"manifests":[]}`, uint8(0))
	f.Add(dockerManifestJSON, uint8(3))
	f.Add(dockerListJSON, uint8(1))
	f.Add(`{"schemaVersion":2,"config":{},"layers":[],"manifests":[]}`, uint8(2))
	f.Add(`{"rootfs":{"diff_ids":["sha256:x"]}}`, uint8(4))
	f.Add(`null`, uint8(6))
	types := []string{mediatype.Index, mediatype.DockerManifestList, mediatype.Manifest, mediatype.DockerManifest,
		mediatype.Config, mediatype.DockerConfig, mediatype.Descriptor, mediatype.EmptyJSON}
	e := NewEngine(nil) // never touched: embedded data is served from the descriptor
	f.Fuzz(func(t *testing.T, doc string, which uint8) {
		mt := types[int(which)%len(types)]
		data := []byte(doc)
		desc := ispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(data), Size: int64(len(data)), Data: data}
		blob, err := e.FromDescriptor(t.Context(), desc)
		if err != nil {
			return
		}
		ok := false
		switch blob.Data.(type) {
		case *ispec.Index:
			ok = mediatype.IsIndex(mt)
		case *ispec.Manifest:
			ok = mediatype.IsManifest(mt)
		case *ispec.Image:
			ok = mediatype.IsConfig(mt)
		case *ispec.Descriptor:
			ok = mt == mediatype.Descriptor
		case nil:
			ok = mt == mediatype.EmptyJSON && doc == "{}"
		}
		if !ok {
			t.Fatalf("%s accepted as %T", mt, blob.Data)
		}
	})
}

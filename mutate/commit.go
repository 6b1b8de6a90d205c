package mutate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// Commit writes the config blob, then the manifest, then rewrites every
// parent index on the path (bottom-up) so that the descriptor of its child
// on the path carries the new digest and size. Every other field of a
// rewritten descriptor (platform, annotations, artifactType, urls) is kept;
// an embedded data field is dropped because it would be stale. An index
// stays an index; its other children are untouched.
//
// An image read in Docker v2s2 form is written in OCI form: OCI manifest
// and config media types, each Docker layer type replaced by its OCI
// equivalent (same digest), and a Docker manifest list on the path becomes
// an OCI index (its other entries are kept as they are). This is logged at
// info level.
//
// Every JSON key of the config, manifest and rewritten indexes that the
// image-spec structs do not model is written back where its object still
// exists (see the package documentation and mergeUnknown for the exact
// rules); keys the conversion replaces by design (media types) are not.
//
// It returns the new path; the caller tags its Root(). The mutator then
// works on the new path. An unmodified mutator writes nothing and returns
// its current path.
func (m *Mutator) Commit(ctx context.Context) (casext.DescriptorPath, error) {
	if !m.dirty {
		return m.Path(), nil
	}
	m.convertToOCI(ctx)
	config := copyImage(*m.config)
	if config.RootFS.DiffIDs == nil {
		config.RootFS.DiffIDs = []digest.Digest{} // required array, never null
	}
	cfgRaw, err := encodeMerged(m.rawConfig, config, imageShape())
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("write config: %w", err)
	}
	cfgDesc, err := m.putJSON(ctx, ispec.MediaTypeImageConfig, cfgRaw)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("write config: %w", err)
	}
	manifest := copyManifest(*m.manifest)
	manifest.Config = retarget(manifest.Config, cfgDesc)
	if manifest.Layers == nil {
		manifest.Layers = []ispec.Descriptor{} // required array, never null
	}

	manRaw, err := encodeMerged(m.rawManifest, manifest, manifestShape())
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("write manifest: %w", err)
	}
	manDesc, err := m.putJSON(ctx, ispec.MediaTypeImageManifest, manRaw)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("write manifest: %w", err)
	}

	old := m.path.Walk
	walk := cas.CloneDescriptors(old)
	last := len(walk) - 1
	walk[last] = retarget(walk[last], manDesc)
	if m.platformChanged && walk[last].Platform != nil {
		// An index entry's platform describes the image's config: keep it
		// in step when Set changed the config's platform fields. Otherwise
		// leave it alone (an index often says more, e.g. a variant the
		// config leaves out).
		walk[last].Platform = configPlatform(config)
	}
	for i := last - 1; i >= 0; i-- {
		parent, err := m.rewriteParent(ctx, old[i], old[i+1], walk[i+1])
		if err != nil {
			return casext.DescriptorPath{}, err
		}
		walk[i] = parent
	}

	m.manifest.Config = manifest.Config
	m.rawManifest, m.rawConfig = manRaw, cfgRaw
	m.path = casext.DescriptorPath{Walk: walk}
	m.dirty = false
	m.platformChanged = false
	return m.Path(), nil
}

// retarget returns a copy of d pointing at the blob described by to (media
// type, digest, size), keeping d's other fields and dropping stale data.
func retarget(d, to ispec.Descriptor) ispec.Descriptor {
	d = cas.CloneDescriptor(d)
	d.MediaType, d.Digest, d.Size = to.MediaType, to.Digest, to.Size
	d.Data = nil
	return d
}

// rewriteParent stores a copy of the index parent in which every entry equal
// to oldChild points at newChild instead, and returns parent retargeted at
// the stored copy.
func (m *Mutator) rewriteParent(ctx context.Context, parent, oldChild, newChild ispec.Descriptor) (ispec.Descriptor, error) {
	if !mediatype.IsIndex(parent.MediaType) {
		return ispec.Descriptor{}, fmt.Errorf("rewrite parent %s: %q: %w", parent.Digest, parent.MediaType, ErrUnsupported)
	}
	blob, err := m.engine.FromDescriptor(ctx, parent)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("read index %s: %w", parent.Digest, err)
	}
	src, ok := blob.Data.(*ispec.Index)
	if !ok || src == nil {
		return ispec.Descriptor{}, fmt.Errorf("read index %s: parsed as %T: %w", parent.Digest, blob.Data, ErrUnsupported)
	}
	index := *src
	index.Manifests = cas.CloneDescriptors(src.Manifests)
	found := false
	for i, d := range index.Manifests {
		if descriptorEqual(d, oldChild) {
			nd := retarget(d, newChild)
			if newChild.Platform != nil {
				nd.Platform = cas.ClonePlatform(newChild.Platform)
			}
			index.Manifests[i] = nd
			found = true
		}
	}
	if !found {
		return ispec.Descriptor{}, fmt.Errorf("rewrite index %s: child %s not found", parent.Digest, oldChild.Digest)
	}
	mt := parent.MediaType
	if mediatype.IsDocker(mt) {
		// A Docker manifest list now holding an OCI manifest: store it as
		// the equivalent OCI index.
		mt = mediatype.ToOCI(mt)
		index.MediaType = mt
		slog.Default().InfoContext(ctx, "converted manifest list from Docker to OCI index", "index", parent.Digest)
	}
	raw, err := encodeMerged(blob.Raw, index, indexShape())
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("write index: %w", err)
	}
	desc, err := m.putJSON(ctx, mt, raw)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("write index: %w", err)
	}
	return retarget(parent, desc), nil
}

// descriptorEqual reports whether a and b describe the same entry; nil and
// empty collections compare equal (JSON does not tell them apart).
func descriptorEqual(a, b ispec.Descriptor) bool {
	return a.MediaType == b.MediaType && a.Digest == b.Digest && a.Size == b.Size &&
		a.ArtifactType == b.ArtifactType &&
		slices.Equal(a.URLs, b.URLs) && maps.Equal(a.Annotations, b.Annotations) &&
		bytes.Equal(a.Data, b.Data) && platformEqual(a.Platform, b.Platform)
}

func platformEqual(a, b *ispec.Platform) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.OS == b.OS && a.Architecture == b.Architecture && a.Variant == b.Variant &&
		a.OSVersion == b.OSVersion && slices.Equal(a.OSFeatures, b.OSFeatures)
}

// configPlatform is the platform an index entry for an image with config
// img should carry.
func configPlatform(img ispec.Image) *ispec.Platform {
	return &ispec.Platform{
		OS:           img.OS,
		Architecture: img.Architecture,
		Variant:      img.Variant,
		OSVersion:    img.OSVersion,
		OSFeatures:   slices.Clone(img.OSFeatures),
	}
}

// encodeMerged encodes v and puts back the keys of prev (the document v was
// read from) that v's type does not model: see mergeUnknown.
func encodeMerged(prev []byte, v any, s *shape) (json.RawMessage, error) {
	next, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return mergeUnknown(prev, next, s)
}

// putJSON stores the JSON document raw (encoded like every lade JSON blob:
// compact, HTML-escaped, one trailing newline) and returns its descriptor.
// For raw = json.Marshal(v) the blob is byte-identical to PutBlobJSON(v).
func (m *Mutator) putJSON(ctx context.Context, mediaType string, raw json.RawMessage) (ispec.Descriptor, error) {
	d, size, err := m.engine.PutBlobJSON(ctx, raw)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	return ispec.Descriptor{MediaType: mediaType, Digest: d, Size: size}, nil
}

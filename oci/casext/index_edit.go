package casext

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Index editing errors.
var (
	// ErrNotIndex: the tag being edited does not point at an OCI image index.
	ErrNotIndex = errors.New("not an OCI image index")
	// ErrSourceIsIndex: a source tag is an index of several images and was
	// not asked to be added as a nested index.
	ErrSourceIsIndex = errors.New("source is a multi-image index")
	// ErrBadSource: a source is neither an image manifest nor an index, or
	// its configuration names no platform.
	ErrBadSource = errors.New("invalid index source")
	// ErrDuplicatePlatform: two entries of an index would have the same
	// platform (or, for entries without a platform, the same digest).
	ErrDuplicatePlatform = errors.New("duplicate platform")
	// ErrIndexEmpty: an edit would leave an index without entries.
	ErrIndexEmpty = errors.New("index would have no entries")
)

// IndexEntry returns the index entry for the image tagged refname: the
// descriptor of the manifest it resolves to (see ResolvePlatform without a
// platform; a tag on an index with one image gives that image), without
// annotations, and with the platform (os, architecture, variant, os.version,
// os.features) of its image configuration.
//
// A tag on an index of several images is ErrSourceIsIndex wrapping the
// ErrTagAmbiguous error, unless nested is true: then the entry is the
// index itself, without a platform. A tag that is not an image manifest or
// index, or an image whose configuration names no os or architecture, is
// ErrBadSource.
func (e Engine) IndexEntry(ctx context.Context, refname string, nested bool) (ispec.Descriptor, error) {
	root, err := e.taggedRoot(ctx, refname)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("resolve source: %w", err)
	}
	if nested && mediatype.IsIndex(root.MediaType) {
		return entryOf(root, nil), nil
	}
	path, err := e.ResolvePlatform(ctx, refname, nil)
	if errors.Is(err, ErrTagAmbiguous) && mediatype.IsIndex(root.MediaType) {
		return ispec.Descriptor{}, fmt.Errorf("resolve source: %w: %w", ErrSourceIsIndex, err)
	}
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("resolve source: %w", err)
	}
	target := path.Descriptor()
	if !mediatype.IsManifest(target.MediaType) {
		return ispec.Descriptor{}, fmt.Errorf("resolve source %s: %w: %s is a %q, not an image manifest or index",
			refname, ErrBadSource, target.Digest, target.MediaType)
	}
	p, err := e.ConfigPlatform(ctx, target)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("resolve source %s: %w", refname, err)
	}
	return entryOf(target, p), nil
}

// taggedRoot returns the one top-level index.json entry tagged refname.
func (e Engine) taggedRoot(ctx context.Context, refname string) (ispec.Descriptor, error) {
	if err := checkRefName(refname); err != nil {
		return ispec.Descriptor{}, err
	}
	idx, err := e.GetIndex(ctx)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("read index.json: %w", err)
	}
	return taggedEntry(idx.Manifests, refname)
}

// entryOf is d without annotations or embedded data, with platform p.
func entryOf(d ispec.Descriptor, p *ispec.Platform) ispec.Descriptor {
	return ispec.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size, ArtifactType: d.ArtifactType, Platform: p}
}

// ConfigPlatform returns the platform named by the image configuration of
// the manifest desc: os, architecture, variant, os.version and os.features.
// A configuration without os or architecture is ErrBadSource.
func (e Engine) ConfigPlatform(ctx context.Context, desc ispec.Descriptor) (*ispec.Platform, error) {
	blob, err := e.FromDescriptor(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("read platform of %s: %w", desc.Digest, err)
	}
	m, ok := blob.Data.(*ispec.Manifest)
	if !ok || !mediatype.IsConfig(m.Config.MediaType) {
		return nil, fmt.Errorf("read platform of %s: %w: no image configuration", desc.Digest, ErrBadSource)
	}
	cfg, err := e.FromDescriptor(ctx, m.Config)
	if err != nil {
		return nil, fmt.Errorf("read platform of %s: %w", desc.Digest, err)
	}
	img, ok := cfg.Data.(*ispec.Image)
	if !ok || img.OS == "" || img.Architecture == "" {
		return nil, fmt.Errorf("read platform of %s: %w: configuration names no os and architecture", desc.Digest, ErrBadSource)
	}
	p := img.Platform
	p.OSFeatures = slices.Clone(p.OSFeatures)
	return &p, nil
}

// NewIndex returns an OCI image index (schemaVersion 2, mediaType set)
// listing entries in order, with a copy of annotations (nil or empty means
// none). Two entries with the same platform (see SamePlatform), or two
// entries without a platform and the same digest, are ErrDuplicatePlatform
// unless allowDuplicates. No entries is ErrIndexEmpty.
func NewIndex(entries []ispec.Descriptor, annotations map[string]string, allowDuplicates bool) (ispec.Index, error) {
	if len(entries) == 0 {
		return ispec.Index{}, fmt.Errorf("create index: %w", ErrIndexEmpty)
	}
	if !allowDuplicates {
		for i, a := range entries {
			for _, b := range entries[:i] {
				if sameEntry(a, b) {
					return ispec.Index{}, fmt.Errorf("create index: %w: %s", ErrDuplicatePlatform, describeEntry(a))
				}
			}
		}
	}
	idx := ispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageIndex,
		Manifests: slices.Clone(entries),
	}
	if len(annotations) > 0 {
		idx.Annotations = maps.Clone(annotations)
	}
	return idx, nil
}

// sameEntry reports whether a and b take the same slot of an index: the
// same platform, or no platform and the same digest.
func sameEntry(a, b ispec.Descriptor) bool {
	if a.Platform == nil && b.Platform == nil {
		return a.Digest == b.Digest
	}
	return SamePlatform(a.Platform, b.Platform)
}

// describeEntry names an entry in errors: its platform, or its digest.
func describeEntry(d ispec.Descriptor) string {
	if d.Platform == nil {
		return "entry " + d.Digest.String()
	}
	return PlatformString(d.Platform)
}

package casext

import (
	"context"
	"fmt"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Size caps applied before a JSON blob is read: a descriptor (or blob)
// larger than its cap is refused without decoding anything.
const (
	// MaxManifestSize caps indexes, manifests (OCI and Docker) and
	// descriptor blobs.
	MaxManifestSize = 8 << 20
	// MaxConfigSize caps image configurations.
	MaxConfigSize = 32 << 20
)

// Blob is a parsed blob. Data is one of *ispec.Index, *ispec.Manifest,
// *ispec.Image, *ispec.Descriptor, or nil when the media type has no parser
// (layers, empty JSON, anything unknown). Docker manifests and manifest lists
// are parsed into the ispec.Manifest and ispec.Index shapes, for walking.
//
// Raw holds the exact verified bytes of parsed blobs (and of unparsed blobs
// with embedded data); it is nil for unparsed blobs read from the store,
// which FromDescriptor does not read at all.
type Blob struct {
	Descriptor ispec.Descriptor
	Data       any
	Raw        []byte
}

// parser decodes one family of media types.
type parser struct {
	max   int64
	parse func(mt string, raw []byte) (any, error)
}

var parsers = map[string]parser{
	mediatype.Index:              {max: MaxManifestSize, parse: parseIndex},
	mediatype.DockerManifestList: {max: MaxManifestSize, parse: parseIndex},
	mediatype.Manifest:           {max: MaxManifestSize, parse: parseManifest},
	mediatype.DockerManifest:     {max: MaxManifestSize, parse: parseManifest},
	mediatype.Config:             {max: MaxConfigSize, parse: parseConfig},
	mediatype.DockerConfig:       {max: MaxConfigSize, parse: parseConfig},
	mediatype.Descriptor:         {max: MaxManifestSize, parse: parseDescriptor},
	mediatype.EmptyJSON:          {max: int64(len(emptyJSON)), parse: parseEmpty},
}

// HasParser reports whether FromDescriptor decodes blobs of media type mt.
func HasParser(mt string) bool {
	_, ok := parsers[mt]
	return ok
}

// FromDescriptor reads, verifies and parses the blob desc describes, by
// media type (see Blob). Blobs of a media type without a parser are not read:
// they come back with Data == nil. Oversized blobs, blobs that fail
// verification and documents that fail the CVE-2021-41190 checks (a
// mediaType field disagreeing with desc, an index with config or layers, a
// manifest with manifests) are refused.
func (e Engine) FromDescriptor(ctx context.Context, desc ispec.Descriptor) (*Blob, error) {
	if err := checkDescriptor(desc); err != nil {
		return nil, fmt.Errorf("parse blob: %w", err)
	}
	p, ok := parsers[desc.MediaType]
	if !ok {
		blob := &Blob{Descriptor: desc}
		if desc.Data != nil {
			if err := verifyData(desc); err != nil {
				return nil, fmt.Errorf("parse blob %s: %w", desc.Digest, err)
			}
			blob.Raw = desc.Data
		}
		return blob, nil
	}
	if desc.Size > p.max {
		return nil, fmt.Errorf("parse blob %s: %w: %s of %d bytes exceeds the %d byte limit",
			desc.Digest, cas.ErrInvalid, desc.MediaType, desc.Size, p.max)
	}
	raw, err := e.readAll(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("parse blob: %w", err)
	}
	data, err := p.parse(desc.MediaType, raw)
	if err != nil {
		return nil, fmt.Errorf("parse blob %s: %w", desc.Digest, err)
	}
	return &Blob{Descriptor: desc, Data: data, Raw: raw}, nil
}

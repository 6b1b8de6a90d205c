package imagecopy

import (
	"bytes"
	"encoding/json"
	"fmt"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// Docker schema 1 media types, which lade refuses.
const (
	dockerSchema1       = "application/vnd.docker.distribution.manifest.v1+json"
	dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
)

// document is a verified manifest or index read from the source.
type document struct {
	desc     ispec.Descriptor // media type filled in from the document when the source left it out
	raw      []byte
	index    *ispec.Index    // set for an index or manifest list
	manifest *ispec.Manifest // set for an image manifest (OCI or Docker)
}

// probe is what parseDocument looks at before decoding a document whole.
type probe struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     *string         `json:"mediaType"`
	Config        json.RawMessage `json:"config"`
	Layers        json.RawMessage `json:"layers"`
	Manifests     json.RawMessage `json:"manifests"`
}

// parseDocument decodes raw, the verified content of desc. It refuses
// Docker schema 1, media types it does not copy, and documents whose own
// mediaType or fields disagree with what they claim to be (the
// CVE-2021-41190 checks).
func parseDocument(desc ispec.Descriptor, raw []byte) (*document, error) {
	if desc.MediaType == dockerSchema1 || desc.MediaType == dockerSchema1Signed {
		return nil, schema1Error(desc)
	}
	var p probe
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, fmt.Errorf("parse %s: %w: document is null", desc.Digest, cas.ErrInvalid)
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("parse %s: %w: %w", desc.Digest, cas.ErrInvalid, err)
	}
	if p.SchemaVersion == 1 {
		return nil, schema1Error(desc)
	}
	mt := desc.MediaType
	switch {
	case p.MediaType != nil && mt == "":
		mt = *p.MediaType
	case p.MediaType != nil && *p.MediaType != mt:
		return nil, fmt.Errorf("parse %s: %w: document mediaType %q does not match descriptor mediaType %q",
			desc.Digest, cas.ErrInvalid, *p.MediaType, mt)
	case mt == "" && p.Manifests != nil:
		mt = mediatype.Index // OCI allows leaving mediaType out
	case mt == "" && p.Config != nil:
		mt = mediatype.Manifest
	}
	doc := &document{desc: desc, raw: raw}
	doc.desc.MediaType = mt
	switch {
	case mediatype.IsIndex(mt):
		if p.Config != nil || p.Layers != nil {
			return nil, fmt.Errorf("parse %s: %w: %s must not have config or layers", desc.Digest, cas.ErrInvalid, mt)
		}
		doc.index = new(ispec.Index)
		if err := json.Unmarshal(raw, doc.index); err != nil {
			return nil, fmt.Errorf("parse %s: %w: %w", desc.Digest, cas.ErrInvalid, err)
		}
	case mediatype.IsManifest(mt):
		if p.Manifests != nil {
			return nil, fmt.Errorf("parse %s: %w: %s must not have manifests", desc.Digest, cas.ErrInvalid, mt)
		}
		doc.manifest = new(ispec.Manifest)
		if err := json.Unmarshal(raw, doc.manifest); err != nil {
			return nil, fmt.Errorf("parse %s: %w: %w", desc.Digest, cas.ErrInvalid, err)
		}
		if err := checkManifest(doc.manifest); err != nil {
			return nil, fmt.Errorf("parse %s: %w", desc.Digest, err)
		}
	default:
		return nil, fmt.Errorf("parse %s: media type %q is %w (want an OCI or Docker v2 schema 2 manifest or index)",
			desc.Digest, mt, transport.ErrUnsupported)
	}
	return doc, nil
}

// checkManifest refuses descriptors that cannot be copied: a malformed
// digest or a negative size.
func checkManifest(m *ispec.Manifest) error {
	for _, d := range append([]ispec.Descriptor{m.Config}, m.Layers...) {
		if err := d.Digest.Validate(); err != nil {
			return fmt.Errorf("%w: descriptor digest %q: %w", cas.ErrInvalid, string(d.Digest), err)
		}
		if d.Size < 0 {
			return fmt.Errorf("%w: descriptor %s has negative size %d", cas.ErrInvalid, d.Digest, d.Size)
		}
	}
	return nil
}

func schema1Error(desc ispec.Descriptor) error {
	return fmt.Errorf("read %s: Docker schema 1 manifests are %w by lade (push the image again with a current tool to get schema 2)",
		desc.Digest, transport.ErrUnsupported)
}

// platformOf names the platform of an index entry for messages.
func platformOf(d ispec.Descriptor) string {
	if d.Platform == nil {
		return "no platform"
	}
	return formatPlatform(*d.Platform)
}

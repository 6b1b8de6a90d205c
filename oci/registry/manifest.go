package registry

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// readCapped reads a manifest body of the announced size (-1 when the
// registry did not say), refusing one larger than
// transport.MaxManifestSize before and while reading it.
func readCapped(r io.Reader, size int64) ([]byte, error) {
	if size > transport.MaxManifestSize {
		return nil, fmt.Errorf("manifest of %d bytes is over the limit of %d bytes", size, transport.MaxManifestSize)
	}
	raw, err := io.ReadAll(io.LimitReader(r, transport.MaxManifestSize+1))
	if err != nil {
		return nil, mapError(err)
	}
	if len(raw) > transport.MaxManifestSize {
		return nil, fmt.Errorf("manifest is over the limit of %d bytes", transport.MaxManifestSize)
	}
	if size >= 0 && int64(len(raw)) != size {
		return nil, fmt.Errorf("%w: manifest is %d bytes, the registry announced %d", cas.ErrDigestMismatch, len(raw), size)
	}
	return raw, nil
}

// checkDigest checks raw against want (the digest asked for, or the one
// the registry announced).
func checkDigest(raw []byte, want digest.Digest) error {
	if err := want.Validate(); err != nil {
		return fmt.Errorf("%w: invalid digest %q: %w", cas.ErrDigestMismatch, want, err)
	}
	if got := want.Algorithm().FromBytes(raw); got != want {
		return fmt.Errorf("%w: content is %s, expected %s", cas.ErrDigestMismatch, got, want)
	}
	return nil
}

// manifestProbe holds the fields the media type checks look at.
type manifestProbe struct {
	MediaType *string         `json:"mediaType"`
	Config    json.RawMessage `json:"config"`
	Layers    json.RawMessage `json:"layers"`
	Manifests json.RawMessage `json:"manifests"`
}

// checkMediaType refuses a manifest whose type (the Content-Type it was
// served with, or its descriptor's) is not one lade asked for, whose own
// mediaType field says something else, or which carries the fields of the
// other kind (an index with layers, a manifest with manifests: the
// ambiguity of CVE-2021-41190).
func checkMediaType(raw []byte, mt string) error {
	if !isManifestType(mt) {
		return fmt.Errorf("registry sent media type %q, which is not a manifest or index type lade asked for", mt)
	}
	var p manifestProbe
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("parse %s: invalid JSON", mt)
	}
	if p.MediaType != nil && *p.MediaType != mt {
		return fmt.Errorf("manifest says its media type is %q but was served as %q", *p.MediaType, mt)
	}
	if mediatype.IsIndex(mt) && (p.Config != nil || p.Layers != nil) {
		return fmt.Errorf("%s must not have config or layers", mt)
	}
	if mediatype.IsManifest(mt) && p.Manifests != nil {
		return fmt.Errorf("%s must not have manifests", mt)
	}
	return nil
}

package casext

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/lade-oci/lade/oci/cas"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// probe captures the fields of a document that the CVE-2021-41190 checks
// look at. encoding/json matches keys case-insensitively, so a differently
// cased field is caught too.
type probe struct {
	SchemaVersion *int            `json:"schemaVersion"`
	MediaType     *string         `json:"mediaType"`
	Config        json.RawMessage `json:"config"`
	Layers        json.RawMessage `json:"layers"`
	Manifests     json.RawMessage `json:"manifests"`
}

// checkDocument rejects a document (an index or a manifest) whose
// schemaVersion is not 2 (the only version of the OCI and Docker v2
// formats), whose own mediaType disagrees with the descriptor's (an absent
// mediaType is accepted: umoci 0.4.7 omitted it), or that carries any of
// the forbidden fields.
func checkDocument(mt string, raw []byte, forbidden ...string) error {
	if err := notNull(mt, raw); err != nil {
		return err
	}
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("%w: decode %s: %w", cas.ErrInvalid, mt, err)
	}
	switch {
	case p.SchemaVersion == nil:
		return fmt.Errorf("%w: %s has no schemaVersion (want 2)", cas.ErrInvalid, mt)
	case *p.SchemaVersion != 2:
		return fmt.Errorf("%w: %s has unsupported schemaVersion %d (want 2)", cas.ErrInvalid, mt, *p.SchemaVersion)
	}
	if p.MediaType != nil && *p.MediaType != mt {
		return fmt.Errorf("%w: document mediaType %q does not match descriptor mediaType %q", cas.ErrInvalid, *p.MediaType, mt)
	}
	present := map[string]bool{"config": p.Config != nil, "layers": p.Layers != nil, "manifests": p.Manifests != nil}
	for _, f := range forbidden {
		if present[f] {
			return fmt.Errorf("%w: %s must not have a %q field", cas.ErrInvalid, mt, f)
		}
	}
	return nil
}

// notNull refuses a bare null document.
func notNull(mt string, raw []byte) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return fmt.Errorf("%w: decode %s: document is null", cas.ErrInvalid, mt)
	}
	return nil
}

// decode unmarshals raw into v, refusing a bare null document.
func decode(mt string, raw []byte, v any) error {
	if err := notNull(mt, raw); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: decode %s: %w", cas.ErrInvalid, mt, err)
	}
	return nil
}

func parseIndex(mt string, raw []byte) (any, error) {
	if err := checkDocument(mt, raw, "config", "layers"); err != nil {
		return nil, err
	}
	var idx ispec.Index
	if err := decode(mt, raw, &idx); err != nil {
		return nil, err
	}
	return &idx, nil
}

func parseManifest(mt string, raw []byte) (any, error) {
	if err := checkDocument(mt, raw, "manifests"); err != nil {
		return nil, err
	}
	var m ispec.Manifest
	if err := decode(mt, raw, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func parseConfig(mt string, raw []byte) (any, error) {
	var img ispec.Image
	if err := decode(mt, raw, &img); err != nil {
		return nil, err
	}
	return &img, nil
}

func parseDescriptor(mt string, raw []byte) (any, error) {
	var d ispec.Descriptor
	if err := decode(mt, raw, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// parseEmpty accepts the empty JSON blob, whose content GetVerifiedBlob
// already pinned to "{}". It has no Go shape.
func parseEmpty(string, []byte) (any, error) {
	return nil, nil
}

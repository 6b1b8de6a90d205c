package dirimage

import (
	"encoding/json"
	"fmt"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The files of a dir: directory.
const (
	versionFile  = "version"
	manifestFile = "manifest.json"
	// version is what skopeo 1.9 writes into versionFile.
	version = "Directory Transport Version: 1.1\n"
)

// blobFile is the file name of a config or layer blob.
func blobFile(d digest.Digest) string { return d.Encoded() }

// instanceFile is the file name of an index's instance manifest.
func instanceFile(d digest.Digest) string { return d.Encoded() + ".manifest.json" }

// isManifestType reports whether mt names a manifest or an index, stored
// as "<hex>.manifest.json" when it is not the top one.
func isManifestType(mt string) bool {
	return mediatype.IsManifest(mt) || mediatype.IsIndex(mt)
}

// manifestType returns the media type of the manifest or index raw: its
// mediaType field, or, without one, an OCI index when it has "manifests"
// and an OCI manifest when it has "config" (as skopeo guesses).
func manifestType(raw []byte) (string, error) {
	var m struct {
		SchemaVersion int              `json:"schemaVersion"`
		MediaType     string           `json:"mediaType"`
		Config        *json.RawMessage `json:"config"`
		Manifests     *json.RawMessage `json:"manifests"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("parse %s: %w", manifestFile, err)
	}
	switch {
	case m.MediaType != "":
		return m.MediaType, nil
	case m.SchemaVersion == 1:
		return "", fmt.Errorf("%s is a Docker schema 1 manifest: %w", manifestFile, transport.ErrUnsupported)
	case m.Manifests != nil:
		return ispec.MediaTypeImageIndex, nil
	case m.Config != nil:
		return ispec.MediaTypeImageManifest, nil
	}
	return "", fmt.Errorf("%s is neither an image manifest nor an index", manifestFile)
}

package mutate

import (
	"context"
	"log/slog"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// convertToOCI rewrites the cached manifest of an image read in Docker v2s2
// form into OCI form, ahead of Commit writing it: the manifest mediaType and
// every layer descriptor's media type become their OCI equivalents
// (mediatype.ToOCI; the digests stay, the blobs are the same bytes). The
// config descriptor gets the OCI config type when Commit stores the config.
// Converting twice is a no-op.
func (m *Mutator) convertToOCI(ctx context.Context) {
	if !m.docker {
		return
	}
	m.manifest.MediaType = mediatype.Manifest
	for i := range m.manifest.Layers {
		m.manifest.Layers[i].MediaType = mediatype.ToOCI(m.manifest.Layers[i].MediaType)
	}
	m.docker = false
	slog.Default().InfoContext(ctx, "converted image from Docker v2s2 to OCI",
		"manifest", m.path.Descriptor().Digest)
}

// hasDockerLayer reports whether any layer descriptor has a Docker media type.
func (m *Mutator) hasDockerLayer() bool {
	for _, l := range m.manifest.Layers {
		if mediatype.IsDocker(l.MediaType) {
			return true
		}
	}
	return false
}

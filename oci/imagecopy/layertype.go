package imagecopy

import (
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// dockerForeignLayer is Docker's uncompressed foreign layer type, which
// oci/casext/mediatype does not list.
const dockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar"

// family is a manifest format: the media types of a manifest, its index,
// its config and its layers.
type family int

const (
	keepFamily   family = iota // no conversion: every document keeps its types
	ociFamily                  // OCI image-spec
	dockerFamily               // Docker v2 schema 2
)

func (f family) String() string {
	switch f {
	case ociFamily:
		return "OCI"
	case dockerFamily:
		return "Docker v2s2"
	}
	return "source format"
}

// familyOf returns the family of a manifest or index media type.
func familyOf(mt string) family {
	if mt == mediatype.DockerManifest || mt == mediatype.DockerManifestList {
		return dockerFamily
	}
	return ociFamily
}

// manifestType and indexType are the media types of family f.
func (f family) manifestType() string {
	if f == dockerFamily {
		return mediatype.DockerManifest
	}
	return mediatype.Manifest
}

func (f family) indexType() string {
	if f == dockerFamily {
		return mediatype.DockerManifestList
	}
	return mediatype.Index
}

// layerKind is what a layer media type says about its blob.
type layerKind struct {
	compression string // "", "gzip", "zstd", ...
	nondist     bool   // non-distributable (OCI) or foreign (Docker)
}

// layerKindOf classifies a layer media type; ok is false for anything
// that is not a layer type lade knows (the blob is then copied as it is).
func layerKindOf(mt string) (layerKind, bool) {
	if mt == dockerForeignLayer {
		return layerKind{nondist: true}, true
	}
	suffix, ok := mediatype.LayerCompression(mt)
	if !ok {
		return layerKind{}, false
	}
	return layerKind{compression: suffix, nondist: mediatype.IsNonDistributable(mt)}, true
}

// layerType returns the media type of a layer of kind k in family f.
// Docker v2s2 has no zstd layer type (skopeo refuses it too).
func layerType(f family, k layerKind) (string, error) {
	if f != dockerFamily {
		if k.nondist {
			if k.compression == "" {
				return mediatype.LayerNonDistributable, nil
			}
			return mediatype.LayerNonDistributable + "+" + k.compression, nil
		}
		return mediatype.LayerType(k.compression), nil
	}
	switch {
	case k.compression == mediatype.CompressionNone && !k.nondist:
		return mediatype.DockerLayer, nil
	case k.compression == mediatype.CompressionNone:
		return dockerForeignLayer, nil
	case k.compression == mediatype.CompressionGzip && !k.nondist:
		return mediatype.DockerLayerGzip, nil
	case k.compression == mediatype.CompressionGzip:
		return mediatype.DockerForeignLayerGzip, nil
	}
	return "", fmt.Errorf("%s-compressed layers cannot be stored in a Docker v2s2 manifest (use --format oci, or another --dest-compress-format): %w",
		k.compression, transport.ErrUnsupported)
}

// configType returns the config media type for family f, keeping a
// config type that is not an image config (an artifact) as it is.
func configType(f family, mt string) string {
	if !mediatype.IsConfig(mt) {
		return mt
	}
	if f == dockerFamily {
		return mediatype.DockerConfig
	}
	return mediatype.Config
}

// acceptedString lists media types for messages.
func acceptedString(types []string) string {
	return strings.Join(types, ", ")
}

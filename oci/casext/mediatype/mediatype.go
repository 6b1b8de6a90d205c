package mediatype

import ispec "github.com/opencontainers/image-spec/specs-go/v1"

// OCI media types (re-exported from image-spec so callers need one import).
const (
	Descriptor = ispec.MediaTypeDescriptor
	Index      = ispec.MediaTypeImageIndex
	Manifest   = ispec.MediaTypeImageManifest
	Config     = ispec.MediaTypeImageConfig
	EmptyJSON  = ispec.MediaTypeEmptyJSON

	Layer                     = ispec.MediaTypeImageLayer
	LayerGzip                 = ispec.MediaTypeImageLayerGzip
	LayerZstd                 = ispec.MediaTypeImageLayerZstd
	LayerNonDistributable     = ispec.MediaTypeImageLayerNonDistributable     // deprecated by image-spec, still found in the wild
	LayerNonDistributableGzip = ispec.MediaTypeImageLayerNonDistributableGzip // deprecated by image-spec, still found in the wild
	LayerNonDistributableZstd = ispec.MediaTypeImageLayerNonDistributableZstd // deprecated by image-spec, still found in the wild
)

// Docker (image manifest v2 schema 2) media types.
const (
	DockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	DockerConfig       = "application/vnd.docker.container.image.v1+json"

	DockerLayer            = "application/vnd.docker.image.rootfs.diff.tar"
	DockerLayerGzip        = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	DockerLayerZstd        = "application/vnd.docker.image.rootfs.diff.tar.zstd"
	DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
	DockerForeignLayerZstd = "application/vnd.docker.image.rootfs.foreign.diff.tar.zstd"
)

// Compression suffixes of layer media types, as returned by LayerCompression.
const (
	CompressionNone = ""
	CompressionGzip = "gzip"
	CompressionZstd = "zstd"
)

// IsIndex reports whether mt is an OCI image index or a Docker manifest list.
func IsIndex(mt string) bool {
	return mt == Index || mt == DockerManifestList
}

// IsManifest reports whether mt is an OCI image manifest or a Docker v2
// schema 2 manifest.
func IsManifest(mt string) bool {
	return mt == Manifest || mt == DockerManifest
}

// IsConfig reports whether mt is an OCI or Docker image configuration.
func IsConfig(mt string) bool {
	return mt == Config || mt == DockerConfig
}

// IsDocker reports whether mt is one of the Docker media types above.
func IsDocker(mt string) bool {
	switch mt {
	case DockerManifest, DockerManifestList, DockerConfig:
		return true
	}
	_, ok := dockerLayers[mt]
	return ok
}

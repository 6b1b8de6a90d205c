package mediatype

import "strings"

// dockerLayers maps Docker layer media types to their compression suffix.
var dockerLayers = map[string]string{
	DockerLayer:            CompressionNone,
	DockerLayerGzip:        CompressionGzip,
	DockerLayerZstd:        CompressionZstd,
	DockerForeignLayerGzip: CompressionGzip,
	DockerForeignLayerZstd: CompressionZstd,
}

// ociLayerBases are the OCI layer types without a "+suffix".
var ociLayerBases = []string{Layer, LayerNonDistributable}

// LayerCompression splits a layer media type into its compression suffix:
// "" for an uncompressed layer, "gzip", "zstd", or whatever other suffix an
// OCI layer type carries after "+" (callers reject suffixes they cannot
// decompress). ok is false when mt is not a layer media type at all.
func LayerCompression(mt string) (suffix string, ok bool) {
	if s, ok := dockerLayers[mt]; ok {
		return s, true
	}
	for _, base := range ociLayerBases {
		if mt == base {
			return CompressionNone, true
		}
		if s, found := strings.CutPrefix(mt, base+"+"); found && s != "" {
			return s, true
		}
	}
	return "", false
}

// IsLayer reports whether mt is an OCI layer type (distributable or not, any
// compression suffix) or a Docker layer type.
func IsLayer(mt string) bool {
	_, ok := LayerCompression(mt)
	return ok
}

// IsNonDistributable reports whether mt is a layer that must not be pushed
// to registries: an OCI non-distributable layer or a Docker foreign layer.
func IsNonDistributable(mt string) bool {
	switch mt {
	case DockerForeignLayerGzip, DockerForeignLayerZstd:
		return true
	}
	return mt == LayerNonDistributable || strings.HasPrefix(mt, LayerNonDistributable+"+")
}

// LayerType returns the OCI (distributable) layer media type for a
// compression suffix: Layer for "", Layer+"+"+suffix otherwise.
func LayerType(suffix string) string {
	if suffix == CompressionNone {
		return Layer
	}
	return Layer + "+" + suffix
}

package mediatype

// ociEquivalents maps every Docker media type to the OCI media type that
// describes the same bytes: the JSON schemas of a v2s2 manifest, a manifest
// list and an image config are compatible with their OCI counterparts, and
// a layer blob is the same tar stream whatever its descriptor says. Foreign
// layers become OCI non-distributable layers (deprecated by image-spec, but
// the only OCI type that keeps "do not push this blob").
var ociEquivalents = map[string]string{
	DockerManifest:         Manifest,
	DockerManifestList:     Index,
	DockerConfig:           Config,
	DockerLayer:            Layer,
	DockerLayerGzip:        LayerGzip,
	DockerLayerZstd:        LayerZstd,
	DockerForeignLayerGzip: LayerNonDistributableGzip,
	DockerForeignLayerZstd: LayerNonDistributableZstd,
}

// ToOCI returns the OCI media type equivalent to mt: the mapped type for a
// Docker media type, mt itself for anything else (OCI types included), so
// it can be applied blindly to every descriptor of an image being
// converted.
func ToOCI(mt string) string {
	if oci, ok := ociEquivalents[mt]; ok {
		return oci
	}
	return mt
}

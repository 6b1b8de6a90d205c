package archive

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxLegacyConfigSize caps an image config, as casext does when parsing one.
const maxLegacyConfigSize = 32 << 20

// digestNamed returns the hex of a member named as Docker and skopeo name
// the config ("<64 lowercase hex>.json"): the config's digest, which is
// checked. ok is false for any other name.
func digestNamed(base string) (hex string, ok bool) {
	hex, ok = strings.CutSuffix(base, ".json")
	if !ok || len(hex) != 64 {
		return "", false
	}
	for i := range len(hex) {
		if c := hex[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return hex, true
}

// image synthesizes the Docker v2s2 manifest of one manifest.json entry,
// registering its config, layers and manifest as blobs.
func (l *legacyReader) image(ent legacyEntry) (legacyImage, error) {
	config, diffIDs, err := l.config(ent.Config)
	if err != nil {
		return legacyImage{}, err
	}
	layers := *ent.Layers
	if len(diffIDs) != len(layers) {
		return legacyImage{}, fmt.Errorf("config %q lists %d diff_ids for %d layers", ent.Config, len(diffIDs), len(layers))
	}
	manifest := ispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: manifestMediaType,
		Config:    config,
		Layers:    make([]ispec.Descriptor, 0, len(layers)),
	}
	for i, name := range layers {
		desc, err := l.layer(name)
		if err != nil {
			return legacyImage{}, err
		}
		// An uncompressed layer's digest is its diff_id; for a compressed
		// one, unpack checks the diff_id of the decompressed stream.
		if desc.MediaType == mediatype.DockerLayer && desc.Digest != diffIDs[i] {
			return legacyImage{}, fmt.Errorf("layer %d (%q) has digest %s, but the config's diff_id is %s",
				i+1, name, desc.Digest, diffIDs[i])
		}
		manifest.Layers = append(manifest.Layers, desc)
	}
	data, err := json.Marshal(manifest)
	if err != nil {
		return legacyImage{}, fmt.Errorf("encode manifest: %w", err)
	}
	d := digest.FromBytes(data)
	l.blobs[d] = member{name: "synthesized manifest of " + ent.Config, size: int64(len(data)), mem: data}
	return legacyImage{
		manifest: ispec.Descriptor{MediaType: manifestMediaType, Digest: d, Size: int64(len(data))},
		config:   config.Digest,
	}, nil
}

// config reads, hashes and parses the config member name, returning its
// descriptor and diff_ids.
func (l *legacyReader) config(name string) (ispec.Descriptor, []digest.Digest, error) {
	m, err := l.resolve(name)
	if err != nil {
		return ispec.Descriptor{}, nil, err
	}
	data, err := l.e.readMember(&m, maxLegacyConfigSize)
	if err != nil {
		return ispec.Descriptor{}, nil, fmt.Errorf("config: %w", err)
	}
	d := digest.FromBytes(data)
	if hex, ok := digestNamed(path.Base(name)); ok && hex != d.Encoded() {
		return ispec.Descriptor{}, nil, fmt.Errorf("config %q has digest %s, not the one its name gives", name, d)
	}
	var cfg struct {
		RootFS struct {
			DiffIDs []digest.Digest `json:"diff_ids"`
		} `json:"rootfs"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return ispec.Descriptor{}, nil, fmt.Errorf("config %q: invalid JSON: %w", name, err)
	}
	l.blobs[d] = m
	return ispec.Descriptor{MediaType: mediatype.DockerConfig, Digest: d, Size: m.size}, cfg.RootFS.DiffIDs, nil
}

// layer hashes the layer member name and returns its descriptor, whose
// media type follows the content's compression magic.
func (l *legacyReader) layer(name string) (ispec.Descriptor, error) {
	m, err := l.resolve(name)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	h, err := l.hash(m)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	mt := mediatype.DockerLayer
	switch h.compression {
	case "gzip":
		mt = mediatype.DockerLayerGzip
	case "zstd":
		mt = mediatype.DockerLayerZstd
	}
	l.blobs[h.digest] = m
	return ispec.Descriptor{MediaType: mt, Digest: h.digest, Size: m.size}, nil
}

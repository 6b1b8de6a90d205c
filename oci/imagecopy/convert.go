package imagecopy

import (
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// Docker v2 schema 2 documents, with their fields in the order Docker
// (and skopeo) write them, so that a conversion gives the same bytes.
type dockerDescriptor struct {
	MediaType string        `json:"mediaType"`
	Size      int64         `json:"size"`
	Digest    digest.Digest `json:"digest"`
	URLs      []string      `json:"urls,omitempty"`
}

type dockerManifest struct {
	SchemaVersion int                `json:"schemaVersion"`
	MediaType     string             `json:"mediaType"`
	Config        dockerDescriptor   `json:"config"`
	Layers        []dockerDescriptor `json:"layers"`
}

type dockerPlatform struct {
	Architecture string   `json:"architecture"`
	OS           string   `json:"os"`
	OSVersion    string   `json:"os.version,omitempty"`
	OSFeatures   []string `json:"os.features,omitempty"`
	Variant      string   `json:"variant,omitempty"`
}

type dockerListEntry struct {
	dockerDescriptor
	Platform dockerPlatform `json:"platform"`
}

type dockerList struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	Manifests     []dockerListEntry `json:"manifests"`
}

func toDocker(d ispec.Descriptor) dockerDescriptor {
	return dockerDescriptor{MediaType: d.MediaType, Size: d.Size, Digest: d.Digest, URLs: d.URLs}
}

// buildManifest returns the manifest to write for src in family f, with
// config and layers (already carrying their media types for f). The
// source's own bytes are kept when neither the format nor a layer changes.
//
// An OCI manifest keeps its annotations, subject and artifact type when it
// stays OCI (fields the image-spec structs do not model are lost, as with
// skopeo). Converting it to Docker v2s2 drops its annotations, as skopeo
// does, and is refused for an artifact (artifactType, a config that is not
// an image config) or a manifest with a subject, which v2s2 cannot carry.
func buildManifest(src *document, f family, config ispec.Descriptor, layers []ispec.Descriptor, layersChanged bool) (ispec.Descriptor, []byte, error) {
	srcFamily := familyOf(src.desc.MediaType)
	if f == keepFamily {
		f = srcFamily
	}
	if f == srcFamily && !layersChanged {
		return src.desc, src.raw, nil
	}
	var v any
	switch f {
	case ociFamily:
		m := *src.manifest
		m.SchemaVersion = 2
		m.MediaType = mediatype.Manifest
		m.Config, m.Layers = config, layers
		v = m
	default:
		if err := dockerConvertible(src); err != nil {
			return ispec.Descriptor{}, nil, err
		}
		dm := dockerManifest{SchemaVersion: 2, MediaType: mediatype.DockerManifest, Config: toDocker(config),
			Layers: make([]dockerDescriptor, len(layers))}
		for i, l := range layers {
			dm.Layers[i] = toDocker(l)
		}
		v = dm
	}
	return marshal(f.manifestType(), v)
}

// buildIndex returns the index to write for src in family f, whose
// entries now describe children (same order). The source's bytes are kept
// when nothing changes. Converting to a Docker manifest list drops
// annotations, and is refused for an index with a subject or an artifact
// type; an entry without a platform gets an empty one.
func buildIndex(src *document, f family, children []ispec.Descriptor) (ispec.Descriptor, []byte, error) {
	srcFamily := familyOf(src.desc.MediaType)
	if f == keepFamily {
		f = srcFamily
	}
	changed := f != srcFamily
	entries := make([]ispec.Descriptor, len(children))
	for i, child := range children {
		e := src.index.Manifests[i]
		if e.MediaType != child.MediaType || e.Digest != child.Digest || e.Size != child.Size {
			changed = true
		}
		e.MediaType, e.Digest, e.Size = child.MediaType, child.Digest, child.Size
		entries[i] = e
	}
	if !changed {
		return src.desc, src.raw, nil
	}
	var v any
	switch f {
	case ociFamily:
		idx := *src.index
		idx.SchemaVersion = 2
		idx.MediaType = mediatype.Index
		idx.Manifests = entries
		v = idx
	default:
		if src.index.Subject != nil || src.index.ArtifactType != "" {
			return ispec.Descriptor{}, nil, fmt.Errorf("convert %s to a Docker manifest list: its subject or artifact type cannot be kept: %w",
				src.desc.Digest, transport.ErrUnsupported)
		}
		dl := dockerList{SchemaVersion: 2, MediaType: mediatype.DockerManifestList, Manifests: make([]dockerListEntry, len(entries))}
		for i, e := range entries {
			if e.MediaType != mediatype.DockerManifest {
				return ispec.Descriptor{}, nil, fmt.Errorf("convert %s to a Docker manifest list: entry %s is a %s: %w",
					src.desc.Digest, e.Digest, e.MediaType, transport.ErrUnsupported)
			}
			dl.Manifests[i].dockerDescriptor = toDocker(e)
			if p := e.Platform; p != nil {
				dl.Manifests[i].Platform = dockerPlatform{Architecture: p.Architecture, OS: p.OS,
					OSVersion: p.OSVersion, OSFeatures: p.OSFeatures, Variant: p.Variant}
			}
		}
		v = dl
	}
	return marshal(f.indexType(), v)
}

// dockerConvertible refuses to convert to v2s2 an artifact (artifactType,
// a config that is not an image config) or a manifest with a subject,
// which v2s2 cannot carry.
func dockerConvertible(src *document) error {
	m := src.manifest
	switch {
	case m.ArtifactType != "" || !mediatype.IsConfig(m.Config.MediaType):
		return fmt.Errorf("convert %s to Docker v2s2: it is an artifact (config %s), not an image: %w",
			src.desc.Digest, m.Config.MediaType, transport.ErrUnsupported)
	case m.Subject != nil:
		return fmt.Errorf("convert %s to Docker v2s2: its subject (%s) cannot be kept: %w",
			src.desc.Digest, m.Subject.Digest, transport.ErrUnsupported)
	}
	return nil
}

func marshal(mt string, v any) (ispec.Descriptor, []byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return ispec.Descriptor{}, nil, fmt.Errorf("encode %s: %w", mt, err)
	}
	return ispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(raw), Size: int64(len(raw))}, raw, nil
}

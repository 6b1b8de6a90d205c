package imagecopytest

import (
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

var specsV2 = specs.Versioned{SchemaVersion: 2}

// DockerDescriptor is a descriptor as Docker writes it.
type DockerDescriptor struct {
	MediaType string        `json:"mediaType"`
	Size      int64         `json:"size"`
	Digest    digest.Digest `json:"digest"`
	URLs      []string      `json:"urls,omitempty"`
}

// DockerPlatform is a manifest list entry's platform.
type DockerPlatform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
}

type dockerManifest struct {
	SchemaVersion int                `json:"schemaVersion"`
	MediaType     string             `json:"mediaType"`
	Config        DockerDescriptor   `json:"config"`
	Layers        []DockerDescriptor `json:"layers"`
}

type dockerListEntry struct {
	DockerDescriptor
	Platform DockerPlatform `json:"platform"`
}

type dockerList struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	Manifests     []dockerListEntry `json:"manifests"`
}

func toDocker(d ispec.Descriptor) DockerDescriptor {
	return DockerDescriptor{MediaType: d.MediaType, Size: d.Size, Digest: d.Digest, URLs: d.URLs}
}

// DockerManifest returns a v2s2 manifest (to marshal) of config and
// layers, with the descriptors' media types as they are.
func DockerManifest(config ispec.Descriptor, layers []ispec.Descriptor) any {
	m := dockerManifest{SchemaVersion: 2, MediaType: mediatype.DockerManifest, Config: toDocker(config), Layers: []DockerDescriptor{}}
	for _, l := range layers {
		m.Layers = append(m.Layers, toDocker(l))
	}
	return m
}

// DockerList returns a manifest list (to marshal) of entries.
func DockerList(entries []ispec.Descriptor) any {
	l := dockerList{SchemaVersion: 2, MediaType: mediatype.DockerManifestList}
	for _, e := range entries {
		var p DockerPlatform
		if e.Platform != nil {
			p = DockerPlatform{Architecture: e.Platform.Architecture, OS: e.Platform.OS, Variant: e.Platform.Variant}
		}
		l.Manifests = append(l.Manifests, dockerListEntry{DockerDescriptor: toDocker(e), Platform: p})
	}
	return l
}

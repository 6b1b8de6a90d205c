package mutate

import (
	"maps"
	"slices"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
)

// The helpers below deep-copy image-spec values so that no slice, map or
// pointer is shared between the mutator's cache and its callers.

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func copyManifest(m ispec.Manifest) ispec.Manifest {
	m.Config = cas.CloneDescriptor(m.Config)
	m.Layers = cas.CloneDescriptors(m.Layers)
	if m.Subject != nil {
		s := cas.CloneDescriptor(*m.Subject)
		m.Subject = &s
	}
	m.Annotations = maps.Clone(m.Annotations)
	return m
}

func copyImageConfig(c ispec.ImageConfig) ispec.ImageConfig {
	c.ExposedPorts = maps.Clone(c.ExposedPorts)
	c.Env = slices.Clone(c.Env)
	c.Entrypoint = slices.Clone(c.Entrypoint)
	c.Cmd = slices.Clone(c.Cmd)
	c.Volumes = maps.Clone(c.Volumes)
	c.Labels = maps.Clone(c.Labels)
	return c
}

func copyHistory(h ispec.History) ispec.History {
	h.Created = copyTime(h.Created)
	return h
}

func copyImage(img ispec.Image) ispec.Image {
	img.Created = copyTime(img.Created)
	img.OSFeatures = slices.Clone(img.OSFeatures)
	img.Config = copyImageConfig(img.Config)
	img.RootFS.DiffIDs = slices.Clone(img.RootFS.DiffIDs)
	if img.History != nil {
		hs := make([]ispec.History, len(img.History))
		for i, h := range img.History {
			hs[i] = copyHistory(h)
		}
		img.History = hs
	}
	return img
}

package mutate

import (
	"maps"
	"slices"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
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

func copyPlatform(p *ispec.Platform) *ispec.Platform {
	if p == nil {
		return nil
	}
	c := *p
	c.OSFeatures = slices.Clone(p.OSFeatures)
	return &c
}

func copyDescriptor(d ispec.Descriptor) ispec.Descriptor {
	d.URLs = slices.Clone(d.URLs)
	d.Annotations = maps.Clone(d.Annotations)
	d.Data = slices.Clone(d.Data)
	d.Platform = copyPlatform(d.Platform)
	return d
}

func copyDescriptors(ds []ispec.Descriptor) []ispec.Descriptor {
	if ds == nil {
		return nil
	}
	out := make([]ispec.Descriptor, len(ds))
	for i, d := range ds {
		out[i] = copyDescriptor(d)
	}
	return out
}

func copyManifest(m ispec.Manifest) ispec.Manifest {
	m.Config = copyDescriptor(m.Config)
	m.Layers = copyDescriptors(m.Layers)
	if m.Subject != nil {
		s := copyDescriptor(*m.Subject)
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

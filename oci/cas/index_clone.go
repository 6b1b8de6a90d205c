package cas

import (
	"maps"
	"slices"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// CloneIndex returns a deep copy of idx: no slice, map or pointer of the
// result is shared with idx, so either can be changed without touching the
// other. Nil and empty stay as they are.
func CloneIndex(idx ispec.Index) ispec.Index {
	out := idx
	out.Manifests = CloneDescriptors(idx.Manifests)
	if idx.Subject != nil {
		s := CloneDescriptor(*idx.Subject)
		out.Subject = &s
	}
	out.Annotations = maps.Clone(idx.Annotations)
	return out
}

// CloneDescriptors returns a deep copy of ds (see CloneIndex).
func CloneDescriptors(ds []ispec.Descriptor) []ispec.Descriptor {
	if ds == nil {
		return nil
	}
	out := make([]ispec.Descriptor, len(ds))
	for i := range ds {
		out[i] = CloneDescriptor(ds[i])
	}
	return out
}

// CloneDescriptor returns a deep copy of d (see CloneIndex).
func CloneDescriptor(d ispec.Descriptor) ispec.Descriptor {
	d.URLs = slices.Clone(d.URLs)
	d.Annotations = maps.Clone(d.Annotations)
	d.Data = slices.Clone(d.Data)
	d.Platform = ClonePlatform(d.Platform)
	return d
}

// ClonePlatform returns a deep copy of p (nil for nil).
func ClonePlatform(p *ispec.Platform) *ispec.Platform {
	if p == nil {
		return nil
	}
	c := *p
	c.OSFeatures = slices.Clone(p.OSFeatures)
	return &c
}

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
	if idx.Manifests != nil {
		out.Manifests = make([]ispec.Descriptor, len(idx.Manifests))
		for i := range idx.Manifests {
			out.Manifests[i] = CloneDescriptor(idx.Manifests[i])
		}
	}
	if idx.Subject != nil {
		s := CloneDescriptor(*idx.Subject)
		out.Subject = &s
	}
	out.Annotations = maps.Clone(idx.Annotations)
	return out
}

// CloneDescriptor returns a deep copy of d (see CloneIndex).
func CloneDescriptor(d ispec.Descriptor) ispec.Descriptor {
	out := d
	out.URLs = slices.Clone(d.URLs)
	out.Annotations = maps.Clone(d.Annotations)
	out.Data = slices.Clone(d.Data)
	if d.Platform != nil {
		p := *d.Platform
		p.OSFeatures = slices.Clone(p.OSFeatures)
		out.Platform = &p
	}
	return out
}

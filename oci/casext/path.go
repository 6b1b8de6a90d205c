package casext

import (
	"slices"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// DescriptorPath is the chain of descriptors from a top-level index.json
// entry (Walk[0], which carries the tag annotation) down to a target
// (Walk[len-1]). Its JSON shape, {"descriptor_walk":[...]}, is written into
// umoci.json and must not change.
type DescriptorPath struct {
	Walk []ispec.Descriptor `json:"descriptor_walk"`
}

// Root returns the top-level descriptor of the path, or the zero Descriptor
// for an empty path.
func (p DescriptorPath) Root() ispec.Descriptor {
	if len(p.Walk) == 0 {
		return ispec.Descriptor{}
	}
	return p.Walk[0]
}

// Descriptor returns the target (last) descriptor of the path, or the zero
// Descriptor for an empty path.
func (p DescriptorPath) Descriptor() ispec.Descriptor {
	if len(p.Walk) == 0 {
		return ispec.Descriptor{}
	}
	return p.Walk[len(p.Walk)-1]
}

// Clone returns a copy of p whose Walk slice shares no memory with p's, so
// that appending to or editing either never affects the other. (Annotation
// maps and other reference fields inside the descriptors are still shared.)
func (p DescriptorPath) Clone() DescriptorPath {
	return DescriptorPath{Walk: slices.Clone(p.Walk)}
}

// child returns a new path extending p by d, in a freshly allocated slice:
// paths of siblings never alias each other.
func (p DescriptorPath) child(d ispec.Descriptor) DescriptorPath {
	walk := make([]ispec.Descriptor, len(p.Walk), len(p.Walk)+1)
	copy(walk, p.Walk)
	return DescriptorPath{Walk: append(walk, d)}
}

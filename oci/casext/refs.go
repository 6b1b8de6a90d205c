package casext

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// RefNameAnnotation is the annotation that carries a tag on a top-level
// index.json descriptor.
const RefNameAnnotation = ispec.AnnotationRefName

// Resolution errors, wrapped with the tag: "tag not found: NAME".
var (
	ErrTagNotFound  = errors.New("tag not found")
	ErrTagAmbiguous = errors.New("tag is ambiguous")
)

// refName returns the tag of a top-level descriptor, if any.
func refName(d ispec.Descriptor) (string, bool) {
	name, ok := d.Annotations[RefNameAnnotation]
	return name, ok
}

// ResolveReference returns every path from a top-level index.json entry
// tagged refname to a target: starting at each such entry (in index order)
// it walks depth-first through indexes (OCI, Docker manifest lists) and
// descriptor blobs; every other descriptor reached (an image manifest, or
// anything else, including blobs of unknown type) is a result and the walk
// stops there. Tags on nested index entries are ignored. An unknown tag
// gives no paths and no error.
func (e Engine) ResolveReference(ctx context.Context, refname string) ([]DescriptorPath, error) {
	if err := checkRefName(refname); err != nil {
		return nil, fmt.Errorf("resolve reference: %w", err)
	}
	idx, err := e.GetIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("resolve reference %s: %w", refname, err)
	}
	var paths []DescriptorPath
	collect := func(_ context.Context, path DescriptorPath) error {
		if mt := path.Descriptor().MediaType; mediatype.IsIndex(mt) || mt == mediatype.Descriptor {
			return nil
		}
		paths = append(paths, path.Clone())
		return ErrSkipDescriptor
	}
	w := newWalker(e, collect, false)
	for _, root := range idx.Manifests {
		if name, ok := refName(root); !ok || name != refname {
			continue
		}
		if err := w.walk(ctx, DescriptorPath{Walk: []ispec.Descriptor{root}}); err != nil {
			return nil, fmt.Errorf("resolve reference %s: %w", refname, err)
		}
	}
	return paths, nil
}

// ResolveOne resolves refname to exactly one path. No result is
// ErrTagNotFound, more than one is ErrTagAmbiguous (a multi-platform index
// does that), both wrapped with the tag.
func (e Engine) ResolveOne(ctx context.Context, refname string) (DescriptorPath, error) {
	paths, err := e.ResolveReference(ctx, refname)
	if err != nil {
		return DescriptorPath{}, err
	}
	switch len(paths) {
	case 0:
		return DescriptorPath{}, fmt.Errorf("%w: %s", ErrTagNotFound, refname)
	case 1:
		return paths[0], nil
	}
	return DescriptorPath{}, fmt.Errorf("%w: %s", ErrTagAmbiguous, refname)
}

// UpdateReference points refname at desc, under Engine.UpdateIndex: every
// top-level entry tagged refname is removed, then desc is appended with a
// copy of its annotations plus the tag annotation (so an updated tag moves to
// the end of index.json). desc itself is not modified.
func (e Engine) UpdateReference(ctx context.Context, refname string, desc ispec.Descriptor) error {
	if err := checkRefName(refname); err != nil {
		return fmt.Errorf("update reference: %w", err)
	}
	if err := checkDescriptor(desc); err != nil {
		return fmt.Errorf("update reference %s: %w", refname, err)
	}
	if desc.MediaType == "" {
		return fmt.Errorf("update reference %s: %w: descriptor %s has no media type", refname, cas.ErrInvalid, desc.Digest)
	}
	desc.Annotations = maps.Clone(desc.Annotations)
	if desc.Annotations == nil {
		desc.Annotations = map[string]string{}
	}
	desc.Annotations[RefNameAnnotation] = refname
	err := e.UpdateIndex(ctx, func(idx *ispec.Index) error {
		idx.Manifests = append(dropRef(idx.Manifests, refname), desc)
		return nil
	})
	if err != nil {
		return fmt.Errorf("update reference %s: %w", refname, err)
	}
	return nil
}

// DeleteReference removes every top-level entry tagged refname, under
// Engine.UpdateIndex. A tag that does not exist is not an error. Blobs are
// left for GC.
func (e Engine) DeleteReference(ctx context.Context, refname string) error {
	if err := checkRefName(refname); err != nil {
		return fmt.Errorf("delete reference: %w", err)
	}
	err := e.UpdateIndex(ctx, func(idx *ispec.Index) error {
		idx.Manifests = dropRef(idx.Manifests, refname)
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete reference %s: %w", refname, err)
	}
	return nil
}

// dropRef returns descs without the entries tagged refname, in a new slice.
func dropRef(descs []ispec.Descriptor, refname string) []ispec.Descriptor {
	out := make([]ispec.Descriptor, 0, len(descs)+1)
	for _, d := range descs {
		if name, ok := refName(d); ok && name == refname {
			continue
		}
		out = append(out, d)
	}
	return out
}

// ListReferences returns the tag of every top-level index.json entry, in
// index order. Entries without a tag are skipped; duplicates are kept.
func (e Engine) ListReferences(ctx context.Context) ([]string, error) {
	idx, err := e.GetIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("list references: %w", err)
	}
	names := make([]string, 0, len(idx.Manifests))
	for _, d := range idx.Manifests {
		if name, ok := refName(d); ok {
			names = append(names, name)
		}
	}
	return slices.Clip(names), nil
}

package casext

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// errIndexMoved is returned inside UpdateIndex when the tag no longer
// points at the index an edit started from; EditIndex retries.
var errIndexMoved = errors.New("tag moved during the edit")

// editAttempts bounds EditIndex's retries when concurrent writers keep
// moving the tag.
const editAttempts = 5

// TaggedIndex returns the top-level descriptor tagged refname and the
// index (OCI image index or Docker manifest list) it points at. A tag on
// anything else is ErrNotIndex; a missing tag is ErrTagNotFound.
func (e Engine) TaggedIndex(ctx context.Context, refname string) (ispec.Descriptor, *ispec.Index, error) {
	root, err := e.taggedRoot(ctx, refname)
	if err != nil {
		return ispec.Descriptor{}, nil, fmt.Errorf("read index %s: %w", refname, err)
	}
	if !mediatype.IsIndex(root.MediaType) {
		return ispec.Descriptor{}, nil, fmt.Errorf("read index %s: %w: the tag points at a %q", refname, ErrNotIndex, root.MediaType)
	}
	blob, err := e.FromDescriptor(ctx, root)
	if err != nil {
		return ispec.Descriptor{}, nil, fmt.Errorf("read index %s: %w", refname, err)
	}
	idx, ok := blob.Data.(*ispec.Index)
	if !ok {
		return ispec.Descriptor{}, nil, fmt.Errorf("read index %s: %w: unparsed %q", refname, ErrNotIndex, root.MediaType)
	}
	return root, idx, nil
}

// PutIndexBlob stores idx as a JSON blob (see PutBlobJSON) and returns its
// descriptor (OCI image index media type).
func (e Engine) PutIndexBlob(ctx context.Context, idx ispec.Index) (ispec.Descriptor, error) {
	d, n, err := e.PutBlobJSON(ctx, idx)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("put index: %w", err)
	}
	return ispec.Descriptor{MediaType: ispec.MediaTypeImageIndex, Digest: d, Size: n}, nil
}

// EditIndex rewrites the OCI image index tagged refname: it reads it, lets
// edit change a copy of it, stores the result and points the tag at it,
// keeping the annotations of the tag's entry. The tag is moved under
// index.json's lock and only if it still points at the index read (else the
// edit starts again from the new index, a few times): concurrent edits are
// never lost. The new entry goes to the end of index.json, as with
// UpdateReference. It returns the new index descriptor (with the tag).
// A Docker manifest list is ErrNotIndex: lade does not mix formats.
func (e Engine) EditIndex(ctx context.Context, refname string, edit func(*ispec.Index) error) (ispec.Descriptor, error) {
	for range editAttempts {
		root, idx, err := e.TaggedIndex(ctx, refname)
		if err != nil {
			return ispec.Descriptor{}, fmt.Errorf("edit index: %w", err)
		}
		if root.MediaType != ispec.MediaTypeImageIndex {
			return ispec.Descriptor{}, fmt.Errorf("edit index %s: %w: it is a %q", refname, ErrNotIndex, root.MediaType)
		}
		idx.Manifests = slices.Clone(idx.Manifests)
		if err := edit(idx); err != nil {
			return ispec.Descriptor{}, fmt.Errorf("edit index %s: %w", refname, err)
		}
		if len(idx.Manifests) == 0 {
			return ispec.Descriptor{}, fmt.Errorf("edit index %s: %w", refname, ErrIndexEmpty)
		}
		idx.MediaType = ispec.MediaTypeImageIndex
		idx.SchemaVersion = 2
		desc, err := e.PutIndexBlob(ctx, *idx)
		if err != nil {
			return ispec.Descriptor{}, fmt.Errorf("edit index %s: %w", refname, err)
		}
		desc.Annotations = maps.Clone(root.Annotations)
		err = e.UpdateIndex(ctx, func(top *ispec.Index) error {
			cur, err := taggedEntry(top.Manifests, refname)
			if err != nil || cur.Digest != root.Digest {
				return errIndexMoved
			}
			top.Manifests = append(dropRef(top.Manifests, refname), desc)
			return nil
		})
		if errors.Is(err, errIndexMoved) {
			continue
		}
		if err != nil {
			return ispec.Descriptor{}, fmt.Errorf("edit index %s: %w", refname, err)
		}
		return desc, nil
	}
	return ispec.Descriptor{}, fmt.Errorf("edit index %s: %w %d times", refname, errIndexMoved, editAttempts)
}

// taggedEntry returns the one entry of descs tagged refname: none is
// ErrTagNotFound, several ErrTagAmbiguous.
func taggedEntry(descs []ispec.Descriptor, refname string) (ispec.Descriptor, error) {
	var found []ispec.Descriptor
	for _, d := range descs {
		if name, ok := refName(d); ok && name == refname {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		return ispec.Descriptor{}, fmt.Errorf("%w: %s", ErrTagNotFound, refname)
	case 1:
		return found[0], nil
	}
	return ispec.Descriptor{}, fmt.Errorf("%w: %s (%d index.json entries carry it)", ErrTagAmbiguous, refname, len(found))
}

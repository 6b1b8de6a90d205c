package transport

import (
	"context"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// LayerCompression is what a destination wants done with layers whose
// compression it does not take as they are.
type LayerCompression int

const (
	// PreserveCompression stores layers as they come (dir:).
	PreserveCompression LayerCompression = iota
	// Compress stores uncompressed layers gzip-compressed and keeps
	// compressed ones (oci:, oci-archive:, docker://), as skopeo does.
	Compress
	// Decompress stores every layer uncompressed (docker-archive:).
	Decompress
)

// Destination writes one image (or index) under a name.
//
// The copy engine calls PutBlob and PutManifest for everything below the
// top manifest (in any order, from several goroutines at once), then
// Commit once with the top manifest, then Close. Until Commit succeeds
// nothing is visible under the name, and Close without a successful
// Commit leaves the destination as it was before the destination was
// opened (a layout may keep unreferenced blobs, which gc removes; an
// archive or a dir: directory is untouched).
type Destination interface {
	// Name returns the name the destination was opened with.
	Name() Name

	// ManifestTypes lists the manifest and index media types the
	// destination can store, the preferred one first within each kind; nil
	// means any. An image in another format is converted, or the copy
	// fails when conversion is not allowed.
	ManifestTypes() []string

	// LayerCompression says which compression the destination's layers
	// must have.
	LayerCompression() LayerCompression

	// Has reports whether the destination already holds the blob or
	// manifest desc (same digest; size checked where the destination can),
	// so the copy engine can skip it.
	Has(ctx context.Context, desc ispec.Descriptor) (bool, error)

	// PutBlob stores a config or layer blob read from r, whose digest and
	// size are desc's. The destination verifies the content while it
	// stores it: content that does not match desc fails with an error
	// matching cas.ErrDigestMismatch and nothing is stored under the digest.
	// Storing a blob the destination already has succeeds.
	PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error

	// PutManifest stores a manifest that is not the top one (an index's
	// child), by digest; raw are its exact bytes, matching desc.
	PutManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error

	// Commit stores the top manifest or index (raw, matching desc) and
	// points the name at it atomically: a tag, index.json entry, archive
	// or directory appears complete or not at all.
	Commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error

	// Close releases what the destination holds and, when Commit did not
	// succeed, discards what was staged.
	Close() error
}

// Mounter is implemented by registry destinations that can mount a blob
// from another repository of the same registry without transferring it.
type Mounter interface {
	// Mount makes desc available in the destination's repository from
	// repository fromRepo on the same registry. It returns false (and no
	// error) when the registry did not mount it, for instance because it
	// does not have it or does not allow it: the caller then copies it.
	Mount(ctx context.Context, desc ispec.Descriptor, fromRepo string) (bool, error)
}

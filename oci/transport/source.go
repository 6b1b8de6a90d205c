package transport

import (
	"context"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Source reads the image (or index) a name points at.
//
// A Source is opened by oci/transport/open and closed by its caller. Its
// methods may be called from several goroutines at once.
type Source interface {
	// Name returns the name the source was opened with.
	Name() Name

	// Resolve returns the descriptor of the manifest or index the name
	// points at: its media type, digest and size (the registry's or
	// index.json's word for them; Fetch checks the bytes against them).
	// A missing tag or image is an error matching ErrNotFound.
	Resolve(ctx context.Context) (ispec.Descriptor, error)

	// Fetch opens the content of desc: a manifest, an index, a config or a
	// layer reachable from Resolve's descriptor. The reader is verified:
	// reading past desc.Size, or reaching EOF with content that does not
	// hash to desc.Digest or is shorter than desc.Size, fails with an error
	// matching cas.ErrDigestMismatch. A missing blob matches ErrNotFound.
	// The caller closes the reader.
	Fetch(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error)

	// Close releases what the source holds (files, locks, connections).
	Close() error
}

// TagLister is implemented by sources that can list the tags of their
// repository (docker://, for inspect's RepoTags and list-tags).
type TagLister interface {
	// Tags returns every tag of the repository, following pagination.
	Tags(ctx context.Context) ([]string, error)
}

// Repository is implemented by registry sources and destinations: where
// the image lives, so that a destination on the same registry can mount a
// blob from the source's repository instead of copying it.
type Repository interface {
	// Repository returns the registry host ("HOST[:PORT]") and the
	// repository path in it.
	Repository() (registry, repository string)
}

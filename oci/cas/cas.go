package cas

import (
	"context"
	"errors"
	"io"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BlobAlgorithm is the only digest algorithm lade stores blobs under.
const BlobAlgorithm = digest.SHA256

// Sentinel errors. Backends wrap them; callers test with errors.Is.
var (
	// ErrNotExist is returned when a blob (or the layout itself) is missing.
	ErrNotExist = errors.New("does not exist")
	// ErrInvalid is returned for malformed input: a digest that is not a
	// valid sha256 digest, a malformed layout, a malformed index.json.
	ErrInvalid = errors.New("invalid")
	// ErrDigestMismatch is returned when blob content does not hash to the
	// digest (or size) it was requested or described by. It is the same
	// value as hardening.ErrDigestMismatch (hardening.ErrSizeMismatch wraps
	// it), so errors from the verifying reader match it.
	ErrDigestMismatch = hardening.ErrDigestMismatch
	// ErrSizeMismatch is returned when a blob is longer or shorter than the
	// size it was described by. It is hardening.ErrSizeMismatch and wraps
	// ErrDigestMismatch, so errors.Is(err, ErrDigestMismatch) holds for it.
	ErrSizeMismatch = hardening.ErrSizeMismatch
	// ErrReadOnly is returned by write methods of an engine opened on a
	// layout that cannot be written.
	ErrReadOnly = errors.New("layout is read-only")
)

// Engine is a content-addressable store holding blobs and one index.
//
// Every method that touches disk takes ctx first and stops early when it is
// cancelled. Implementations must be safe for use by several goroutines and
// by several processes working on the same layout at once.
type Engine interface {
	// PutBlob stores the content of r and returns its sha256 digest and size.
	// It is atomic (readers never see a partial blob) and idempotent (putting
	// content that already exists succeeds and changes nothing).
	PutBlob(ctx context.Context, r io.Reader) (digest.Digest, int64, error)

	// GetBlob opens the blob with digest d. The digest is validated before it
	// is turned into a path (ErrInvalid). A missing blob is ErrNotExist. The
	// caller closes the reader; reading to EOF or closing it after a full read
	// verifies the content against d and fails with ErrDigestMismatch.
	GetBlob(ctx context.Context, d digest.Digest) (io.ReadCloser, error)

	// StatBlob returns the size of the blob with digest d, or ErrNotExist.
	StatBlob(ctx context.Context, d digest.Digest) (int64, error)

	// DeleteBlob removes the blob with digest d. It is idempotent: deleting a
	// missing blob succeeds.
	DeleteBlob(ctx context.Context, d digest.Digest) error

	// ListBlobs returns the digests of every blob in the store, in no
	// particular order.
	ListBlobs(ctx context.Context) ([]digest.Digest, error)

	// GetIndex reads and parses index.json. A layout never written by
	// PutIndex returns an index with an empty (non-nil) Manifests slice.
	GetIndex(ctx context.Context) (ispec.Index, error)

	// PutIndex replaces index.json atomically. It does not lock: callers that
	// read, modify and write the index must use UpdateIndex instead.
	PutIndex(ctx context.Context, index ispec.Index) error

	// UpdateIndex reads index.json, calls fn on it and writes the result back
	// atomically, holding an exclusive inter-process lock for the whole
	// cycle. If fn returns an error nothing is written.
	UpdateIndex(ctx context.Context, fn func(*ispec.Index) error) error

	// LockExclusive waits until no other process has the layout open through
	// an Engine, and keeps every other process from opening it for writing
	// until Close. Garbage collection calls it so that it never deletes a
	// blob that a concurrent writer has stored but not yet referenced.
	LockExclusive(ctx context.Context) error

	// Clean removes temporary files left behind by dead processes. It must
	// only remove files that no live process is using.
	Clean(ctx context.Context) error

	// Close releases the engine's locks and temporary files. It is safe to
	// call more than once.
	Close() error
}

// Keeper is implemented by a backend whose DeleteBlob keeps some blobs
// (an image archive keeps the blobs Docker's manifest.json names). Keeps
// reports whether DeleteBlob(d) would keep d; garbage collection neither
// lists nor counts such blobs.
type Keeper interface {
	Keeps(ctx context.Context, d digest.Digest) bool
}

// VerifyingPutter is implemented by a backend that can check content
// against the digest and size it is expected to have while storing it, in
// the one pass that writes it (PutBlob alone hashes it to name it, so a
// caller that must verify would hash it twice).
type VerifyingPutter interface {
	// PutBlobVerified stores the content of r as blob d if it has digest d
	// and size bytes. Content that does not (shorter, longer or other
	// bytes) is not stored at all and the error matches ErrDigestMismatch;
	// at most size+1 bytes are read. It is atomic and idempotent like
	// PutBlob.
	PutBlobVerified(ctx context.Context, d digest.Digest, size int64, r io.Reader) error
}

package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/transport"
)

// Fetch opens desc: the manifest Resolve read from memory, another
// manifest by digest (size-capped, checked), or a blob verified while it
// streams. Read errors worth a whole-blob retry are marked
// transport.Transient.
func (s *source) Fetch(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	if desc.Size < 0 {
		return nil, fmt.Errorf("fetch %s from %s: invalid size %d", desc.Digest, s.repo.ref.Name(), desc.Size)
	}
	s.mu.Lock()
	top := s.top
	s.mu.Unlock()
	if top != nil && top.desc.Digest == desc.Digest {
		return hardening.NewVerifiedReader(io.NopCloser(bytes.NewReader(top.raw)), desc.Digest, desc.Size), nil
	}
	if isManifestType(desc.MediaType) {
		raw, err := fetchManifest(ctx, s.repo, desc)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(raw)), nil
	}
	nctx, note := withNotFoundNote(ctx)
	rc, err := s.repo.remote.Blobs().Fetch(nctx, desc)
	if err != nil {
		return nil, fmt.Errorf("fetch blob %s from %s: %w", desc.Digest, s.repo.ref.Name(), notFound(err, note, errcode.ErrorCodeBlobUnknown))
	}
	return &blobReader{hardening.NewVerifiedReader(rc, desc.Digest, desc.Size)}, nil
}

// fetchManifest reads the manifest desc by digest and checks it.
func fetchManifest(ctx context.Context, repo *repository, desc ispec.Descriptor) ([]byte, error) {
	if desc.Size < 0 || desc.Size > transport.MaxManifestSize {
		return nil, fmt.Errorf("fetch manifest %s from %s: size %d is over the limit of %d bytes", desc.Digest, repo.ref.Name(), desc.Size, transport.MaxManifestSize)
	}
	ctx, note := withNotFoundNote(ctx)
	rc, err := repo.remote.Manifests().Fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("fetch manifest %s from %s: %w", desc.Digest, repo.ref.Name(), notFound(err, note, errcode.ErrorCodeManifestUnknown))
	}
	defer rc.Close()
	raw, err := readCapped(rc, desc.Size)
	if err == nil {
		err = checkDigest(raw, desc.Digest)
	}
	if err == nil {
		err = checkMediaType(raw, desc.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch manifest %s from %s: %w", desc.Digest, repo.ref.Name(), err)
	}
	return raw, nil
}

// notFound is mapError with oras' "DIGEST: not found" worded as the
// registry's 404 answer that note kept ("manifest unknown: manifest
// unknown", "name unknown: ..."), or as code ("blob unknown") when the
// answer had none. It matches transport.ErrNotFound.
func notFound(err error, note *notFoundNote, code string) error {
	if errors.Is(err, errdef.ErrNotFound) {
		return note.err(code)
	}
	return mapError(err)
}

// blobReader marks the read errors of a blob stream (resets, truncation,
// stalls) transient; a digest mismatch stays what it is.
type blobReader struct{ rc io.ReadCloser }

func (b *blobReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	return n, markRead(err)
}

func (b *blobReader) Close() error { return markRead(b.rc.Close()) }

func markRead(err error) error {
	if err == nil || err == io.EOF || errors.Is(err, hardening.ErrDigestMismatch) ||
		!(transport.IsTransient(err) || networkTimeout(err)) {
		return err
	}
	return transport.Transient(err)
}

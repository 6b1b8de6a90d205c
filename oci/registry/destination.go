package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"oras.land/oras-go/v2/registry/remote/auth"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/transport"
)

// destination pushes an image to a registry. Its methods are safe for
// concurrent use. A registry cannot take a push back: Close after a
// failed or missing Commit leaves the blobs and child manifests already
// uploaded in the repository, untagged and unreferenced, as skopeo does
// (the registry's garbage collection removes them); the name itself is
// untouched until Commit.
type destination struct {
	name transport.Name
	repo *repository

	// The name's tag is resolved once (tagged), then follows this
	// destination's own Commits. When it already points at the image, Has
	// answers for that manifest without asking again and Commit leaves the
	// tag alone, so a push that finds everything in place costs one HEAD.
	// A copy that converts nothing asks Has for the top manifest before
	// pushing anything else, so what the tag was found pointing at is
	// acted on at once; otherwise the first manifest Has or the Commit
	// asks, as Commit alone did before.
	tagMu       sync.Mutex
	tagResolved bool
	tagAt       ispec.Descriptor
	tagOK       bool
}

var (
	_ transport.Destination = (*destination)(nil)
	_ transport.Mounter     = (*destination)(nil)
	_ transport.Repository  = (*destination)(nil)
)

// OpenDestination opens the docker:// image name for writing with opts'
// credentials, TLS and retry settings. It sends no request, except a
// probe of the scheme with opts.TLSVerify=false.
func OpenDestination(ctx context.Context, name transport.Name, opts transport.Options) (transport.Destination, error) {
	if name.Transport != transport.Docker || name.Ref == nil {
		return nil, fmt.Errorf("open %s: %w: not a docker:// name", name, transport.ErrUnsupported)
	}
	repo, err := openRepository(ctx, *name.Ref, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &destination{name: name, repo: repo}, nil
}

func (d *destination) Name() transport.Name { return d.name }

// ManifestTypes is nil: a registry stores OCI and Docker manifests and
// indexes alike.
func (d *destination) ManifestTypes() []string { return nil }

// LayerCompression is transport.Compress: registries get compressed
// layers, as skopeo pushes them.
func (d *destination) LayerCompression() transport.LayerCompression { return transport.Compress }

// Repository returns the registry ("docker.io" for Docker Hub) and the
// repository path.
func (d *destination) Repository() (string, string) {
	return d.repo.ref.Registry, d.repo.ref.Repository
}

// Has asks the registry (HEAD) whether it holds the blob or manifest desc
// with desc's size.
func (d *destination) Has(ctx context.Context, desc ispec.Descriptor) (bool, error) {
	store := d.repo.remote.Blobs()
	if isManifestType(desc.MediaType) {
		if d.tagged(ctx, desc) {
			return true, nil
		}
		store = d.repo.remote.Manifests()
	}
	got, err := store.Resolve(d.pushScope(ctx), desc.Digest.String())
	if errors.Is(err, errdef.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check %s in %s: %w", desc.Digest, d.repo.ref.Name(), mapError(err))
	}
	return got.Size == desc.Size, nil
}

// PutBlob uploads r (monolithic upload: POST, then one PUT with the
// digest). The content is verified while it is sent; on a mismatch the
// upload is aborted before the registry could complete it, and the error
// matches cas.ErrDigestMismatch. A failure to read r is returned as it
// is. An upload that fails on a 5xx, 408, 429, a reset or a stall is
// marked transport.Transient (a streamed body cannot be resent here; a
// *bytes.Reader is checked first and resent in place).
func (d *destination) PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error {
	if br, ok := r.(*bytes.Reader); ok && int64(br.Len()) == desc.Size {
		start := br.Size() - int64(br.Len())
		err := checkReader(br, desc)
		if err == nil {
			_, err = br.Seek(start, io.SeekStart)
		}
		if err == nil {
			err = mapError(d.repo.remote.Blobs().Push(ctx, desc, br))
		}
		if err != nil {
			return fmt.Errorf("push blob %s to %s: %w", desc.Digest, d.repo.ref.Name(), err)
		}
		return nil
	}
	vr := hardening.NewVerifiedReader(io.NopCloser(r), desc.Digest, desc.Size)
	body := &streamBody{r: vr}
	err := d.repo.remote.Blobs().Push(ctx, desc, body)
	switch {
	case body.err != nil:
		// The content did not match, or the source failed: that is the
		// cause, whatever the upload reported.
		err = body.err
	case err == nil && !body.eof:
		// Everything was sent but the end was not seen: verify it.
		err = vr.Close()
	case err != nil:
		err = mapError(err)
	}
	if err != nil {
		return fmt.Errorf("push blob %s to %s: %w", desc.Digest, d.repo.ref.Name(), err)
	}
	return nil
}

// checkReader reads r to its end and checks it against desc.
func checkReader(r io.Reader, desc ispec.Descriptor) error {
	vr := hardening.NewVerifiedReader(io.NopCloser(r), desc.Digest, desc.Size)
	if _, err := io.Copy(io.Discard, vr); err != nil {
		return err
	}
	return vr.Close()
}

// streamBody is a request body that remembers how reading it ended. It
// has no method but Read, so net/http streams it instead of guessing its
// length or rewinding it.
type streamBody struct {
	r   io.Reader
	err error // the first read error other than io.EOF
	eof bool
}

func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil && b.err == nil:
		b.err = err
	}
	return n, err
}

// PutManifest uploads a manifest by digest (an index's child).
func (d *destination) PutManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := d.pushManifest(ctx, desc, raw, desc.Digest.String()); err != nil {
		return fmt.Errorf("push manifest %s to %s: %w", desc.Digest, d.repo.ref.Name(), err)
	}
	return nil
}

// Commit uploads the top manifest or index under the name's tag, or by
// digest when the name has a digest (which must then be desc's).
func (d *destination) Commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	ref := d.repo.ref.Reference()
	if want := d.repo.ref.Digest; want != "" && want != desc.Digest {
		return fmt.Errorf("push manifest to %s: %w: the name asks for %s, the image is %s", d.name, cas.ErrDigestMismatch, want, desc.Digest)
	}
	if d.tagged(ctx, desc) {
		return nil
	}
	if err := d.pushManifest(ctx, desc, raw, ref); err != nil {
		return fmt.Errorf("push manifest %s to %s: %w", ref, d.repo.ref.Name(), err)
	}
	if d.repo.ref.Digest == "" {
		d.setTag(desc)
	}
	return nil
}

// tagged reports whether the name's tag already points at desc (same
// digest, size and media type), so that pushing the manifest again would
// change nothing: a HEAD instead of a PUT, which a registry answers much
// faster (it checks every blob of a pushed manifest). The tag is asked for
// once per destination; any failure to tell means no. A name by digest
// has no tag: no.
func (d *destination) tagged(ctx context.Context, desc ispec.Descriptor) bool {
	if d.repo.ref.Digest != "" {
		return false
	}
	d.tagMu.Lock()
	defer d.tagMu.Unlock()
	if !d.tagResolved {
		got, err := d.repo.remote.Manifests().Resolve(d.pushScope(ctx), d.repo.ref.Reference())
		d.tagResolved, d.tagAt, d.tagOK = true, got, err == nil
	}
	return d.tagOK && d.tagAt.Digest == desc.Digest && d.tagAt.Size == desc.Size && d.tagAt.MediaType == desc.MediaType
}

// setTag records that the name's tag now points at desc (Commit pushed it).
func (d *destination) setTag(desc ispec.Descriptor) {
	d.tagMu.Lock()
	d.tagResolved, d.tagAt, d.tagOK = true, desc, true
	d.tagMu.Unlock()
}

// pushManifest checks raw against desc and PUTs it under reference; the
// body is rewindable, so a 429 or 5xx is retried in place.
func (d *destination) pushManifest(ctx context.Context, desc ispec.Descriptor, raw []byte, reference string) error {
	if int64(len(raw)) != desc.Size {
		return fmt.Errorf("%w: manifest is %d bytes, descriptor says %d", cas.ErrDigestMismatch, len(raw), desc.Size)
	}
	if err := checkDigest(raw, desc.Digest); err != nil {
		return err
	}
	if len(raw) > transport.MaxManifestSize {
		return fmt.Errorf("manifest of %d bytes is over the limit of %d bytes", len(raw), transport.MaxManifestSize)
	}
	return mapError(d.repo.remote.PushReference(ctx, desc, bytes.NewReader(raw), reference))
}

// Close does nothing: connections stay pooled, and a registry cannot roll
// back what was uploaded (see destination).
func (d *destination) Close() error { return nil }

// pushScope asks for a token that can pull and push the destination
// repository even for the destination's reads (HEADs), so that one token
// serves the whole push instead of a pull token and then a push token.
func (d *destination) pushScope(ctx context.Context) context.Context {
	return auth.AppendRepositoryScope(ctx, d.repo.remote.Reference, auth.ActionPull, auth.ActionPush)
}

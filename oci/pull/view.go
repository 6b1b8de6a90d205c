package pull

import (
	"context"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
)

// view is the cas.Engine a Session hands out: the layout, read-only, with
// an index that holds the image alone, and blob reads that wait for the
// blob's download.
type view struct{ s *Session }

// ready waits until blob d is in the layout: at once for a blob that is
// not being downloaded, after its download otherwise.
func (v *view) ready(ctx context.Context, d digest.Digest) error {
	v.s.mu.Lock()
	f := v.s.fetches[d]
	v.s.mu.Unlock()
	if f == nil {
		return nil
	}
	return v.s.wait(ctx, f)
}

func (v *view) GetBlob(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	if err := v.ready(ctx, d); err != nil {
		return nil, err
	}
	return v.s.layout.GetBlob(ctx, d)
}

func (v *view) StatBlob(ctx context.Context, d digest.Digest) (int64, error) {
	if err := v.ready(ctx, d); err != nil {
		return 0, err
	}
	return v.s.layout.StatBlob(ctx, d)
}

func (v *view) GetIndex(ctx context.Context) (ispec.Index, error) {
	idx := ispec.Index{MediaType: ispec.MediaTypeImageIndex, Manifests: []ispec.Descriptor{v.s.entry}}
	idx.SchemaVersion = 2
	return idx, ctx.Err()
}

func (v *view) ListBlobs(ctx context.Context) ([]digest.Digest, error) {
	return v.s.layout.ListBlobs(ctx)
}

func (v *view) PutBlob(context.Context, io.Reader) (digest.Digest, int64, error) {
	return "", 0, readOnly("put blob")
}

func (v *view) DeleteBlob(context.Context, digest.Digest) error { return readOnly("delete blob") }

func (v *view) PutIndex(context.Context, ispec.Index) error { return readOnly("put index") }

func (v *view) UpdateIndex(context.Context, func(*ispec.Index) error) error {
	return readOnly("update index")
}

func (v *view) LockExclusive(context.Context) error { return readOnly("lock layout") }

func (v *view) Clean(context.Context) error { return nil }

// Close does nothing: the Session owns the layout.
func (v *view) Close() error { return nil }

func readOnly(op string) error {
	return fmt.Errorf("%s: an image being pulled: %w", op, cas.ErrReadOnly)
}

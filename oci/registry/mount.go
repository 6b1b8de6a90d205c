package registry

import (
	"context"
	"errors"
	"fmt"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// errNotMounted stops oras' Mount from copying the blob itself when the
// registry declines to mount it: the copy engine does that.
var errNotMounted = errors.New("blob not mounted")

// Mount asks the registry to mount desc from repository fromRepo of the
// same registry (POST .../blobs/uploads/?mount=DIGEST&from=REPO, with a
// token scoped for pull on fromRepo and pull,push here). It returns false
// and no error when the registry did not mount it (it does not have the
// blob there, may not read it, or does not support mounting): the caller
// uploads it then. Declining leaves an empty upload session the registry
// expires.
func (d *destination) Mount(ctx context.Context, desc ispec.Descriptor, fromRepo string) (bool, error) {
	if fromRepo == d.repo.ref.Repository {
		return d.Has(ctx, desc)
	}
	err := d.repo.remote.Mount(ctx, desc, fromRepo, func() (io.ReadCloser, error) {
		return nil, errNotMounted
	})
	if err == nil {
		return true, nil
	}
	var resp *errcode.ErrorResponse
	if errors.Is(err, errNotMounted) || (errors.As(err, &resp) && resp.StatusCode >= 400 && resp.StatusCode < 500) {
		return false, nil
	}
	return false, fmt.Errorf("mount %s from %s into %s: %w", desc.Digest, fromRepo, d.repo.ref.Name(), mapError(err))
}

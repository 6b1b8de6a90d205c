package transport

import (
	"context"
	"fmt"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
)

// MaxManifestSize is the largest manifest or index lade reads from any
// transport (the same limit as casext's).
const MaxManifestSize = casext.MaxManifestSize

// ReadManifest fetches a manifest, index or config described by desc
// from src and returns its verified bytes, refusing a descriptor larger
// than MaxManifestSize before reading anything.
func ReadManifest(ctx context.Context, src Source, desc ispec.Descriptor) ([]byte, error) {
	if desc.Size < 0 || desc.Size > MaxManifestSize {
		return nil, fmt.Errorf("read %s %s: size %d is over the limit of %d bytes", desc.MediaType, desc.Digest, desc.Size, MaxManifestSize)
	}
	rc, err := src.Fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", desc.Digest, err)
	}
	raw, err := io.ReadAll(io.LimitReader(rc, desc.Size+1))
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", desc.Digest, err)
	}
	return raw, nil
}

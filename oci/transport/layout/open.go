package layout

import (
	"context"
	"fmt"

	"github.com/lade-oci/lade/oci/transport"
)

// OpenDestination opens an oci: or oci-archive: name for writing (see the
// package documentation). docker-archive: destinations are
// oci/transport/dockerarchive's.
func OpenDestination(ctx context.Context, name transport.Name, opts transport.Options) (transport.Destination, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch name.Transport {
	case transport.OCI:
		return openLayoutDest(ctx, name, opts)
	case transport.OCIArchive:
		return openArchiveDest(ctx, name, opts)
	}
	return nil, fmt.Errorf("open %s as a destination: %w", name, transport.ErrUnsupported)
}

package open

import (
	"context"
	"fmt"

	"github.com/lade-oci/lade/oci/registry"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/dirimage"
	"github.com/lade-oci/lade/oci/transport/dockerarchive"
	"github.com/lade-oci/lade/oci/transport/layout"
)

// Source opens name for reading.
func Source(ctx context.Context, name transport.Name, opts transport.Options) (transport.Source, error) {
	switch name.Transport {
	case transport.Docker:
		return registry.OpenSource(ctx, name, opts)
	case transport.OCI, transport.OCIArchive, transport.DockerArchive:
		return layout.OpenSource(ctx, name, opts)
	case transport.Dir:
		return dirimage.OpenSource(ctx, name, opts)
	}
	return nil, fmt.Errorf("open %s: transport %q: %w", name, name.Transport, transport.ErrUnsupported)
}

// Destination opens name for writing.
func Destination(ctx context.Context, name transport.Name, opts transport.Options) (transport.Destination, error) {
	switch name.Transport {
	case transport.Docker:
		return registry.OpenDestination(ctx, name, opts)
	case transport.OCI, transport.OCIArchive:
		return layout.OpenDestination(ctx, name, opts)
	case transport.DockerArchive:
		return dockerarchive.OpenDestination(ctx, name, opts)
	case transport.Dir:
		return dirimage.OpenDestination(ctx, name, opts)
	}
	return nil, fmt.Errorf("open %s: transport %q: %w", name, name.Transport, transport.ErrUnsupported)
}

package layout

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/archive"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// source reads one image (or index) of a layout or archive. The image is
// chosen when the source is opened; Resolve returns it.
type source struct {
	name   transport.Name
	engine casext.Engine
	top    ispec.Descriptor
}

// OpenSource opens an oci:, oci-archive: or docker-archive: name for reading
// and chooses its image (see the package documentation). A missing path,
// tag or image is an error matching transport.ErrNotFound.
func OpenSource(ctx context.Context, name transport.Name, opts transport.Options) (transport.Source, error) {
	var (
		engine cas.Engine
		err    error
	)
	switch name.Transport {
	case transport.OCI:
		engine, err = dir.Open(ctx, name.Path)
	case transport.OCIArchive, transport.DockerArchive:
		engine, err = archive.Open(ctx, name.Path)
	default:
		return nil, fmt.Errorf("open %s: %w", name, transport.ErrUnsupported)
	}
	if err != nil {
		return nil, openErr(name, err)
	}
	s := &source{name: name, engine: casext.NewEngine(engine)}
	if name.Transport == transport.DockerArchive {
		s.top, err = chooseDockerImage(ctx, s.engine, name)
	} else {
		s.top, err = resolveTag(ctx, s.engine, name.Tag, name.Path)
	}
	if err != nil {
		_ = engine.Close()
		return nil, openErr(name, err)
	}
	return s, nil
}

// openErr is "open NAME: err", matching transport.ErrNotFound when err
// says something does not exist.
func openErr(name transport.Name, err error) error {
	err = fmt.Errorf("open %s: %w", name, err)
	if errors.Is(err, cas.ErrNotExist) || errors.Is(err, casext.ErrTagNotFound) {
		return localfs.WithKind(err, transport.ErrNotFound)
	}
	return err
}

func (s *source) Name() transport.Name { return s.name }

func (s *source) Resolve(ctx context.Context) (ispec.Descriptor, error) {
	return s.top, ctx.Err()
}

// Fetch opens desc's blob, verified against its digest and size.
func (s *source) Fetch(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	rc, err := s.engine.GetVerifiedBlob(ctx, desc)
	if err != nil {
		err = fmt.Errorf("fetch %s from %s: %w", desc.Digest, s.name, err)
		if errors.Is(err, cas.ErrNotExist) {
			return nil, localfs.WithKind(err, transport.ErrNotFound)
		}
		return nil, err
	}
	return rc, nil
}

func (s *source) Close() error { return s.engine.Close() }

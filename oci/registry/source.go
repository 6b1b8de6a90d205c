package registry

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/lade-oci/lade/oci/transport"
)

// source reads an image from a registry. Its methods are safe for
// concurrent use.
type source struct {
	name transport.Name
	repo *repository

	mu  sync.Mutex
	top *topManifest // the manifest Resolve read, served again by Fetch
}

type topManifest struct {
	desc ispec.Descriptor
	raw  []byte
}

var (
	_ transport.Source     = (*source)(nil)
	_ transport.TagLister  = (*source)(nil)
	_ transport.Repository = (*source)(nil)
)

// OpenSource opens the docker:// image name for reading with opts'
// credentials, TLS and retry settings. It sends no request, except a
// probe of the scheme with opts.TLSVerify=false.
func OpenSource(ctx context.Context, name transport.Name, opts transport.Options) (transport.Source, error) {
	if name.Transport != transport.Docker || name.Ref == nil {
		return nil, fmt.Errorf("open %s: %w: not a docker:// name", name, transport.ErrUnsupported)
	}
	repo, err := openRepository(ctx, *name.Ref, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &source{name: name, repo: repo}, nil
}

func (s *source) Name() transport.Name { return s.name }

// Repository returns the registry ("docker.io" for Docker Hub) and the
// repository path.
func (s *source) Repository() (string, string) { return s.repo.ref.Registry, s.repo.ref.Repository }

// Resolve fetches the manifest or index the name points at (one GET with
// every manifest type lade reads in Accept), checks it (size cap, the
// digest asked for or announced in Docker-Content-Digest, media type) and
// keeps it for Fetch.
func (s *source) Resolve(ctx context.Context) (ispec.Descriptor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.top != nil {
		return s.top.desc, nil
	}
	top, err := fetchTop(ctx, s.repo)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	s.top = top
	return top.desc, nil
}

// fetchTop reads and checks the manifest repo.ref names.
func fetchTop(ctx context.Context, repo *repository) (*topManifest, error) {
	ref := repo.ref.Reference()
	ctx, note := withNotFoundNote(ctx)
	desc, rc, err := repo.remote.FetchReference(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s in %s: %w", ref, repo.ref.Name(), notFound(err, note, errcode.ErrorCodeManifestUnknown))
	}
	defer rc.Close()
	raw, err := readCapped(rc, desc.Size)
	if err == nil {
		// desc.Digest is the Docker-Content-Digest header when the registry
		// sent one, else the digest of what it sent; a name with a digest
		// must get exactly that content.
		err = checkDigest(raw, desc.Digest)
	}
	if err == nil && repo.ref.Digest != "" {
		err = checkDigest(raw, repo.ref.Digest)
	}
	if err == nil {
		err = checkMediaType(raw, desc.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest %s in %s: %w", ref, repo.ref.Name(), err)
	}
	return &topManifest{desc: ispec.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: int64(len(raw))}, raw: raw}, nil
}

// Tags lists the repository's tags, following Link pagination for at
// most a bounded number of pages and bytes.
func (s *source) Tags(ctx context.Context) ([]string, error) {
	return listTags(ctx, s.repo)
}

// Close logs the process's registry traffic at debug level; connections
// stay pooled for the other users of the registry.
func (s *source) Close() error {
	st := ReadStats()
	slog.Debug("registry traffic", "requests", st.Requests, "connections", st.Dials)
	return nil
}

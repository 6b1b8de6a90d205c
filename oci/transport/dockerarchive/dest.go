package dockerarchive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// errExisting is skopeo's refusal of an existing archive.
var errExisting = errors.New("docker-archive doesn't support modifying existing images")

// dest writes one image as a docker-archive.
type dest struct {
	name     transport.Name
	out      localfs.Output
	repoTags []transport.DockerReference
	stage    *localfs.Stage

	mu   sync.Mutex
	done bool // committed or closed: the stage is gone
}

// OpenDestination checks a docker-archive: destination (a missing file
// with an existing parent, an empty file, or a special file such as
// /dev/stdout), decides how it is written (see localfs.Output.Prepare) and
// creates its staging directory. Its RepoTags are the
// name's NAME:TAG, then opts.AdditionalTags.
func OpenDestination(ctx context.Context, name transport.Name, opts transport.Options) (transport.Destination, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if name.Transport != transport.DockerArchive {
		return nil, fmt.Errorf("open %s: %w", name, transport.ErrUnsupported)
	}
	if name.Index >= 0 {
		return nil, fmt.Errorf("open %s: destination reference must not contain a manifest index @%d", name, name.Index)
	}
	var tags []transport.DockerReference
	if name.Ref != nil {
		tags = append(tags, *name.Ref)
	}
	for _, r := range opts.AdditionalTags {
		if r.Tag == "" || r.Digest != "" {
			return nil, fmt.Errorf("open %s: additional tag %s must be NAME:TAG", name, r)
		}
		tags = append(tags, r)
	}
	out, err := localfs.ResolveOutput(name.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if out.Info != nil && out.Info.Mode().IsRegular() && out.Info.Size() > 0 {
		return nil, fmt.Errorf("open %s: %w", name, errExisting)
	}
	stage, err := out.Prepare(ctx, localfs.TempDir(opts.TempDir))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &dest{name: name, out: out, repoTags: tags, stage: stage}, nil
}

func (d *dest) Name() transport.Name                         { return d.name }
func (d *dest) ManifestTypes() []string                      { return []string{mediatype.DockerManifest} }
func (d *dest) LayerCompression() transport.LayerCompression { return transport.Decompress }

func (d *dest) Has(ctx context.Context, desc ispec.Descriptor) (bool, error) {
	if checkDigest(desc.Digest) != nil {
		return false, nil
	}
	return d.stage.Has(desc.Digest.Encoded(), desc.Size), nil
}

// PutBlob stages a config or (uncompressed) layer, verified against desc.
func (d *dest) PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error {
	if err := checkDigest(desc.Digest); err != nil {
		return fmt.Errorf("store blob in %s: %w", d.name, err)
	}
	if err := d.stage.Put(ctx, desc.Digest.Encoded(), desc, r); err != nil {
		return fmt.Errorf("store blob in %s: %w", d.name, err)
	}
	return nil
}

// PutManifest refuses: a docker-archive holds single images, never an
// index and its instances.
func (d *dest) PutManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	return fmt.Errorf("store manifest in %s: %w: a docker-archive holds one image, not an index", d.name, transport.ErrUnsupported)
}

// Close removes the staging directory; without a successful Commit the
// archive path is untouched.
func (d *dest) Close() error { return d.finish() }

// finish removes the stage and releases the output once.
func (d *dest) finish() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return nil
	}
	d.done = true
	return errors.Join(d.stage.Remove(), d.out.Close())
}

// checkDigest refuses digests other than sha256 (layer digests are diff_ids).
func checkDigest(d digest.Digest) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("invalid digest %q: %w", d, err)
	}
	if d.Algorithm() != digest.SHA256 {
		return fmt.Errorf("digest %s: %w: only sha256", d, transport.ErrUnsupported)
	}
	return nil
}

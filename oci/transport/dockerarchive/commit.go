package dockerarchive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/tarout"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxConfigSize caps the image config read back from the stage.
const maxConfigSize = 32 << 20

// image is what Commit writes: the manifest's config and layers, all
// staged, and the legacy metadata derived from them.
type image struct {
	config ispec.Descriptor
	layers []ispec.Descriptor
	legacy []legacyLayer
}

// Commit checks that raw is a Docker v2s2 manifest of uncompressed layers
// whose blobs were all staged, then writes the archive and puts it in
// place (see the package documentation).
func (d *dest) Commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	img, err := d.prepare(desc, raw)
	if err != nil {
		return fmt.Errorf("commit %s: %w", d.name, err)
	}
	noReplace := d.out.Info == nil
	if !noReplace && !d.out.Special() {
		// An empty file was there: it must still be empty.
		if fi, err := os.Stat(d.out.Path); err == nil && fi.Size() > 0 {
			return fmt.Errorf("commit %s: %w", d.name, errExisting)
		}
	}
	// Per layer its .tar and a directory of three members, the config,
	// manifest.json and repositories (a few KiB).
	content := d.stage.Size() + 64<<10
	for _, l := range img.legacy {
		content += int64(len(l.json))
	}
	size := tarout.MaxSize(4*len(img.legacy)+len(img.layers)+3, content)
	err = d.out.WriteFile(ctx, noReplace, size, func(ctx context.Context, f *os.File) error { return d.write(ctx, f, img) })
	if errors.Is(err, syscall.EEXIST) {
		err = errExisting
	}
	if err != nil {
		return fmt.Errorf("commit %s: %w", d.name, err)
	}
	return d.finish()
}

// prepare checks the manifest and computes what the archive holds.
func (d *dest) prepare(desc ispec.Descriptor, raw []byte) (image, error) {
	if mediatype.IsIndex(desc.MediaType) {
		return image{}, fmt.Errorf("%w: a docker-archive holds one image, not an index (%s)", transport.ErrUnsupported, desc.MediaType)
	}
	if err := checkDigest(desc.Digest); err != nil {
		return image{}, err
	}
	if got := digest.FromBytes(raw); got != desc.Digest || int64(len(raw)) != desc.Size {
		return image{}, fmt.Errorf("manifest %s: content is %s (%d bytes, want %d): %w", desc.Digest, got, len(raw), desc.Size, cas.ErrDigestMismatch)
	}
	var m ispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return image{}, fmt.Errorf("parse manifest: %w", err)
	}
	if m.SchemaVersion != 2 || m.MediaType != mediatype.DockerManifest || desc.MediaType != mediatype.DockerManifest {
		return image{}, fmt.Errorf("%w: a docker-archive needs a Docker schema 2 manifest, not %s", transport.ErrUnsupported, desc.MediaType)
	}
	for i, l := range m.Layers {
		if suffix, ok := mediatype.LayerCompression(l.MediaType); !ok || suffix != mediatype.CompressionNone {
			return image{}, fmt.Errorf("%w: layer %d is %s, a docker-archive stores uncompressed layers", transport.ErrUnsupported, i+1, l.MediaType)
		}
	}
	if checkDigest(m.Config.Digest) != nil || !d.stage.Has(m.Config.Digest.Encoded(), m.Config.Size) {
		return image{}, fmt.Errorf("config %s was not stored", m.Config.Digest)
	}
	diffIDs := make([]digest.Digest, len(m.Layers))
	for i, l := range m.Layers {
		if checkDigest(l.Digest) != nil || !d.stage.Has(l.Digest.Encoded(), l.Size) {
			return image{}, fmt.Errorf("layer %s was not stored", l.Digest)
		}
		diffIDs[i] = l.Digest
	}
	config, err := d.readStaged(m.Config)
	if err != nil {
		return image{}, err
	}
	legacy, err := legacyLayers(diffIDs, config)
	if err != nil {
		return image{}, err
	}
	return image{config: m.Config, layers: m.Layers, legacy: legacy}, nil
}

// readStaged reads a staged JSON blob (already verified when staged).
func (d *dest) readStaged(desc ispec.Descriptor) ([]byte, error) {
	if desc.Size > maxConfigSize {
		return nil, fmt.Errorf("config %s is %d bytes, over the limit of %d", desc.Digest, desc.Size, maxConfigSize)
	}
	f, err := d.stage.Open(desc.Digest.Encoded())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, desc.Size))
}

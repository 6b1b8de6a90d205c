package bundle

import (
	"context"
	"errors"
	"fmt"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
)

// ErrInvalidImage is wrapped by errors for an image unpack cannot use: not
// an image manifest (OCI or Docker v2s2), a config that is not an image
// config (OCI or Docker), a rootfs
// type other than "layers", a diff_id count that differs from the layer
// count, or a layer media type with unknown compression.
var ErrInvalidImage = errors.New("invalid image")

// image is what unpack needs of the image path points at.
type image struct {
	manifest *ispec.Manifest
	config   *ispec.Image
}

// loadImage reads and validates the manifest at the end of path and its
// config, before anything is written. Docker v2s2 manifests and configs are
// read like their OCI counterparts (the schemas are compatible; casext
// parses both into the image-spec types).
func loadImage(ctx context.Context, engine casext.Engine, path casext.DescriptorPath) (*image, error) {
	if len(path.Walk) == 0 {
		return nil, fmt.Errorf("load image: %w: empty descriptor path", ErrInvalidImage)
	}
	desc := path.Descriptor()
	if !mediatype.IsManifest(desc.MediaType) {
		return nil, fmt.Errorf("load image: %w: descriptor %s is %q, not an image manifest",
			ErrInvalidImage, desc.Digest, desc.MediaType)
	}
	blob, err := engine.FromDescriptor(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	manifest, ok := blob.Data.(*ispec.Manifest)
	if !ok {
		return nil, fmt.Errorf("load manifest %s: %w: not parsed as a manifest", desc.Digest, ErrInvalidImage)
	}
	if !mediatype.IsConfig(manifest.Config.MediaType) {
		return nil, fmt.Errorf("load config: %w: config media type %q, want %q or %q",
			ErrInvalidImage, manifest.Config.MediaType, mediatype.Config, mediatype.DockerConfig)
	}
	cblob, err := engine.FromDescriptor(ctx, manifest.Config)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	config, ok := cblob.Data.(*ispec.Image)
	if !ok {
		return nil, fmt.Errorf("load config %s: %w: not parsed as an image config", manifest.Config.Digest, ErrInvalidImage)
	}
	if config.RootFS.Type != "layers" {
		return nil, fmt.Errorf("load config: %w: rootfs type %q, want \"layers\"", ErrInvalidImage, config.RootFS.Type)
	}
	if len(config.RootFS.DiffIDs) != len(manifest.Layers) {
		return nil, fmt.Errorf("load config: %w: %d diff_ids for %d layers",
			ErrInvalidImage, len(config.RootFS.DiffIDs), len(manifest.Layers))
	}
	for i, l := range manifest.Layers {
		if _, err := compress.ByMediaType(l.MediaType); err != nil {
			return nil, fmt.Errorf("load manifest: %w: layer %d: %w", ErrInvalidImage, i, err)
		}
		if err := config.RootFS.DiffIDs[i].Validate(); err != nil {
			return nil, fmt.Errorf("load config: %w: diff_id %d: %w", ErrInvalidImage, i, err)
		}
	}
	return &image{manifest: manifest, config: config}, nil
}

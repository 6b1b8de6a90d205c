package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/opencontainers/go-digest"
	ispecs "github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

func init() { registerCommand(newCommand()) }

func newCommand() *cli.Command {
	return &cli.Command{
		Name:     "new",
		Usage:    "create a blank tagged OCI image",
		Category: categoryImage,
		Description: `Create a new image with no layers and an empty configuration for the host
platform, and tag it as TAG of --image PATH[:TAG] (TAG defaults to "latest";
an existing tag is replaced). Its creation time is SOURCE_DATE_EPOCH when
set, else the current time.

No positional arguments.`,
		Flags:  []cli.Flag{imageFlag()},
		Action: runNew,
	}
}

func runNew(c *cli.Context) (err error) {
	if err := checkArgs(c, 0, ""); err != nil {
		return err
	}
	ref, err := imageFromFlag(c)
	if err != nil {
		return err
	}
	created, err := defaultCreated()
	if err != nil {
		return err
	}
	engine, err := openEngine(c.Context, ref.Layout)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)

	desc, err := putBlankImage(c.Context, engine, blankConfig(created))
	if err != nil {
		return err
	}
	if err := engine.UpdateReference(c.Context, ref.Tag, desc); err != nil {
		return fmt.Errorf("put reference: %w", err)
	}
	slog.InfoContext(c.Context, "created new image", "image", ref.String(), "digest", desc.Digest)
	return nil
}

// blankConfig is the configuration of a new image: host platform, empty
// config, no layers and no history.
func blankConfig(created time.Time) ispec.Image {
	return ispec.Image{
		Created: &created,
		Platform: ispec.Platform{
			OS:           runtime.GOOS,
			Architecture: runtime.GOARCH,
			Variant:      hostVariant(),
		},
		RootFS: ispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
}

// putBlankImage stores config and a manifest with no layers pointing at it,
// and returns the manifest's descriptor.
func putBlankImage(ctx context.Context, engine casext.Engine, config ispec.Image) (ispec.Descriptor, error) {
	cfgDigest, cfgSize, err := engine.PutBlobJSON(ctx, config)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("put config: %w", err)
	}
	manifest := ispec.Manifest{
		Versioned: ispecs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageManifest,
		Config: ispec.Descriptor{
			MediaType: ispec.MediaTypeImageConfig,
			Digest:    cfgDigest,
			Size:      cfgSize,
		},
		Layers: []ispec.Descriptor{},
	}
	mDigest, mSize, err := engine.PutBlobJSON(ctx, manifest)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("put manifest: %w", err)
	}
	return ispec.Descriptor{MediaType: ispec.MediaTypeImageManifest, Digest: mDigest, Size: mSize}, nil
}

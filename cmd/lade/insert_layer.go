package main

import (
	"fmt"
	"io"
	"log/slog"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/bundle"
	"github.com/lade-oci/lade/mutate"
)

// layerJob is a command that appends one generated layer to an image:
// insert and raw add-layer.
type layerJob struct {
	image  imageSelection
	newTag string // tag of the result: --tag, else the image's tag
	// history builds the history entry from the source image config (nil
	// for --no-history).
	history func(ispec.Image) (*ispec.History, error)
	// generate writes the uncompressed tar of the layer.
	generate func(w io.Writer) error
}

// run opens the layout, appends the layer to the image ref names (an index
// stays an index), commits, and points newTag at the result. The layer tar
// streams through a pipe into compression and the blob store. Until the
// final index.json update nothing but new blobs is written, so an
// interrupted run leaves the layout as it was (plus unreferenced blobs).
func (j layerJob) run(c *cli.Context) (err error) {
	ctx := c.Context
	engine, path, err := j.image.open(ctx)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)
	mut, err := mutate.New(engine, path)
	if err != nil {
		return err
	}
	img, err := mut.Config(ctx)
	if err != nil {
		return fmt.Errorf("get image config: %w", err)
	}
	manifest, err := mut.Manifest(ctx)
	if err != nil {
		return fmt.Errorf("get image manifest: %w", err)
	}
	alg, err := compressFromFlag(c, manifest.Layers)
	if err != nil {
		return err
	}
	var history *ispec.History
	if j.history != nil {
		if history, err = j.history(img); err != nil {
			return err
		}
	}
	desc, err := bundle.StreamLayer(ctx, mut, alg, history, j.generate)
	if err != nil {
		return fmt.Errorf("add layer: %w", err)
	}
	newPath, err := mut.Commit(ctx)
	if err != nil {
		return fmt.Errorf("commit image: %w", err)
	}
	if err := engine.UpdateReference(ctx, j.newTag, newPath.Root()); err != nil {
		return fmt.Errorf("put reference: %w", err)
	}
	slog.InfoContext(ctx, "added layer", "image", j.image.Layout+":"+j.newTag, "layer", desc.Digest, "digest", newPath.Root().Digest)
	return nil
}

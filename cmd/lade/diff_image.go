package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
)

// diffImage is one side of a diff: the open layout, the image's manifest
// and config.
type diffImage struct {
	sel      imageSelection
	engine   casext.Engine
	manifest *ispec.Manifest
	config   *ispec.Image
}

// loadDiffImage reads the manifest and config sel names; the engine is left
// open in the result (also on error, when it was opened: close it).
func loadDiffImage(ctx context.Context, sel imageSelection) (*diffImage, error) {
	engine, path, err := sel.open(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sel, err)
	}
	img := &diffImage{sel: sel, engine: engine}
	desc := path.Descriptor()
	if !mediatype.IsManifest(desc.MediaType) {
		return img, fmt.Errorf("%s: %s is %q, not an image manifest", sel, desc.Digest, desc.MediaType)
	}
	blob, err := engine.FromDescriptor(ctx, desc)
	if err != nil {
		return img, fmt.Errorf("%s: load manifest: %w", sel, err)
	}
	var ok bool
	if img.manifest, ok = blob.Data.(*ispec.Manifest); !ok {
		return img, fmt.Errorf("%s: load manifest %s: not an image manifest", sel, desc.Digest)
	}
	if !mediatype.IsConfig(img.manifest.Config.MediaType) {
		return img, fmt.Errorf("%s: config media type %q is not an image config", sel, img.manifest.Config.MediaType)
	}
	cblob, err := engine.FromDescriptor(ctx, img.manifest.Config)
	if err != nil {
		return img, fmt.Errorf("%s: load config: %w", sel, err)
	}
	if img.config, ok = cblob.Data.(*ispec.Image); !ok {
		return img, fmt.Errorf("%s: load config %s: not an image config", sel, img.manifest.Config.Digest)
	}
	if n, m := len(img.config.RootFS.DiffIDs), len(img.manifest.Layers); n != m {
		return img, fmt.Errorf("%s: config has %d diff_ids for %d layers", sel, n, m)
	}
	return img, nil
}

// buildTrees builds the file trees of a and b. Layers the images share at
// the bottom (same diff_ids) are read once; the rest of each image is
// applied concurrently. Every blob is read once, verified (digest and
// diff_id) and never written to disk.
func buildTrees(ctx context.Context, a, b *diffImage) (*layer.Tree, *layer.Tree, error) {
	da, db := a.config.RootFS.DiffIDs, b.config.RootFS.DiffIDs
	common := 0
	for common < len(da) && common < len(db) && da[common] == db[common] {
		common++
	}
	base := layer.NewTree()
	if err := applyLayers(ctx, a, base, 0, common); err != nil {
		return nil, nil, err
	}
	if common == len(da) && common == len(db) {
		return base, base, nil
	}
	ta, tb := base, base.Clone()
	errs := make(chan error, 1)
	go func() { errs <- applyLayers(ctx, b, tb, common, len(db)) }()
	errA := applyLayers(ctx, a, ta, common, len(da))
	if err := errors.Join(errA, <-errs); err != nil {
		return nil, nil, err
	}
	return ta, tb, nil
}

// applyLayers applies layers [from, to) of img to tree.
func applyLayers(ctx context.Context, img *diffImage, tree *layer.Tree, from, to int) error {
	for i := from; i < to; i++ {
		desc := img.manifest.Layers[i]
		slog.InfoContext(ctx, "read layer", "image", img.sel.String(), "index", i, "digest", desc.Digest)
		if err := applyLayerBlob(ctx, img.engine, desc, img.config.RootFS.DiffIDs[i], tree); err != nil {
			return fmt.Errorf("%s: layer %d (%s): %w", img.sel, i, desc.Digest, err)
		}
	}
	return nil
}

// errReaderStopped ends a layer decompression whose consumer gave up.
var errReaderStopped = errors.New("layer reader stopped")

// applyLayerBlob streams one layer blob into tree: the blob is verified and
// decompressed in a goroutine while the tree hashes file contents, and the
// uncompressed stream must hash to diffID.
func applyLayerBlob(ctx context.Context, engine casext.Engine, desc ispec.Descriptor, diffID digest.Digest, tree *layer.Tree) error {
	alg, err := compress.ByMediaType(desc.MediaType)
	if err != nil {
		return fmt.Errorf("select decompression: %w", err)
	}
	blob, err := engine.GetVerifiedBlob(ctx, desc)
	if err != nil {
		return err
	}
	defer blob.Close()
	pr, pw := io.Pipe()
	digester := digest.SHA256.Digester()
	done := make(chan error, 1)
	go func() {
		err := decompressInto(pw, blob, alg, digester.Hash())
		pw.CloseWithError(err)
		done <- err
	}()
	applyErr := tree.ApplyLayer(ctx, pr)
	pr.CloseWithError(errReaderStopped)
	readErr := <-done
	if readErr != nil || applyErr != nil {
		// A corrupt blob is the root cause of whatever the decompressor or
		// the applier saw (a bad tar header, a bad gzip block): read on to
		// the blob's end to find out, as unpack does.
		if ctx.Err() == nil {
			if _, derr := io.Copy(io.Discard, blob); errors.Is(derr, cas.ErrDigestMismatch) {
				return derr
			}
		}
		if readErr != nil && !errors.Is(readErr, errReaderStopped) {
			return readErr
		}
		return applyErr
	}
	if err := blob.Close(); err != nil {
		return fmt.Errorf("read layer: %w", err)
	}
	if got := digester.Digest(); got != diffID {
		return fmt.Errorf("diff_id mismatch: uncompressed layer is %s, config says %s", got, diffID)
	}
	return nil
}

// decompressInto copies the decompressed blob into w, hashing it into h.
func decompressInto(w io.Writer, blob io.Reader, alg compress.Algorithm, h io.Writer) error {
	dec, err := alg.Decompress(blob)
	if err != nil {
		return fmt.Errorf("decompress %s layer: %w", alg.Name(), err)
	}
	_, err = io.CopyBuffer(io.MultiWriter(w, h), dec, make([]byte, 256<<10))
	if cerr := dec.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("read layer: %w", err)
	}
	return nil
}

// sameLayers reports whether both images have the same diff_ids (then their
// files are identical and no layer needs reading).
func sameLayers(a, b *diffImage) bool {
	return slices.Equal(a.config.RootFS.DiffIDs, b.config.RootFS.DiffIDs)
}

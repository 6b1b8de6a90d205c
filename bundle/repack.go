package bundle

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/vbatts/go-mtree"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/mutate"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

// RepackOptions controls Repack. The zero value repacks with gzip, masks
// the image's volumes and adds no history entry.
type RepackOptions struct {
	// MaskPaths are in-image paths left out of the layer, with everything
	// below them ("/var/cache" and "var/cache" are the same).
	MaskPaths []string
	// NoMaskVolumes keeps changes under the image's Config.Volumes, which
	// are masked by default.
	NoMaskVolumes bool
	// RefreshBundle rewrites the bundle's mtree manifest, stat cache and
	// umoci.json after the repack, so the next repack makes a child layer.
	RefreshBundle bool
	// Compression picks the layer compression given the base image's
	// layers (for "auto"); nil means gzip.
	Compression func(layers []ispec.Descriptor) (compress.Algorithm, error)
	// History builds the history entry from the base image config (its
	// author is the usual default); nil, or a nil result, means none.
	History func(img ispec.Image) (*ispec.History, error)
	// SourceDateEpoch clamps newer tar header times in the layer.
	SourceDateEpoch *time.Time
	// Progress, when set, is told how many bytes of the new layer (tar,
	// before compression) have been generated.
	Progress progress.Reporter
}

// Repack turns the changes made to BUNDLE/rootfs since it was unpacked (or
// last refreshed) into a new layer on top of the bundle's saved image, and
// points tag of the layout behind engine at the result, which it returns.
// An unchanged rootfs adds no layer, only the history entry. The image
// config's created time is kept, as umoci does.
func Repack(ctx context.Context, engine casext.Engine, tag string, bundle string, opts RepackOptions) (casext.DescriptorPath, error) {
	if !casext.IsValidReferenceName(tag) {
		return casext.DescriptorPath{}, fmt.Errorf("repack: invalid tag %q", tag)
	}
	meta, err := ReadMeta(ctx, bundle)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}
	mut, err := mutate.New(engine, meta.From)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}
	img, err := mut.Config(ctx)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: read base image: %w", err)
	}
	history, err := repackHistory(img, opts)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}

	start := time.Now()
	rootfs := filepath.Join(bundle, RootfsName)
	if err := checkRootfsDir(rootfs); err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}
	eval := fseval.NewIn(rootfs, meta.MapOptions.Rootless)
	dh, deltas, err := repackDiff(ctx, bundle, rootfs, meta, eval)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}
	if err := checkNoWhiteouts(deltas); err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}
	masks := opts.MaskPaths
	if !opts.NoMaskVolumes {
		for v := range img.Config.Volumes {
			masks = append(masks, v)
		}
	}
	layerDeltas := simplifyDeltas(maskDeltas(deltas, masks))
	slog.Default().DebugContext(ctx, "repack diff", "bundle", bundle, "changes", len(deltas), "in layer", len(layerDeltas))

	if len(layerDeltas) == 0 {
		err = repackEmpty(ctx, mut, history)
	} else {
		err = repackLayer(ctx, mut, rootfs, layerDeltas, meta, history, opts)
	}
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}
	newPath, err := mut.Commit(ctx)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: commit: %w", err)
	}
	if err := engine.UpdateReference(ctx, tag, newPath.Root()); err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("repack: %w", err)
	}
	newPath = repackTaggedPath(newPath, tag)
	if opts.RefreshBundle {
		r := refresh{bundle: bundle, rootfs: rootfs, meta: meta, eval: eval, old: dh, changed: deltas, start: start}
		if err := r.run(ctx, newPath); err != nil {
			return casext.DescriptorPath{}, fmt.Errorf("repack: refresh bundle: %w", err)
		}
	}
	return newPath, nil
}

// checkRootfsDir refuses a bundle whose rootfs is not a directory of its
// own: through a symlink, repack would pack (and refresh would walk) what
// it points to, outside the bundle.
func checkRootfsDir(rootfs string) error {
	fi, err := os.Lstat(rootfs)
	if err != nil {
		return fmt.Errorf("bundle rootfs: %w", err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("bundle rootfs %s is a symlink: refusing to pack what it points to", rootfs)
	}
	if !fi.IsDir() {
		return fmt.Errorf("bundle rootfs %s is not a directory", rootfs)
	}
	return nil
}

// repackHistory asks opts.History for the entry, if there is a builder.
func repackHistory(img ispec.Image, opts RepackOptions) (*ispec.History, error) {
	if opts.History == nil {
		return nil, nil
	}
	h, err := opts.History(img)
	if err != nil {
		return nil, fmt.Errorf("build history: %w", err)
	}
	return h, nil
}

// repackDiff reads the bundle's saved manifest and diffs rootfs against it,
// trusting the stat cache for unchanged files.
func repackDiff(ctx context.Context, bundle, rootfs string, meta Meta, eval fseval.FsEval) (*mtree.DirectoryHierarchy, []mtree.InodeDelta, error) {
	// The manifest and the stat cache are parsed side by side.
	var cache *mtreeutil.StatCache
	cacheDone := make(chan error, 1)
	go func() {
		var err error
		cache, err = mtreeutil.LoadStatCache(ctx, bundle)
		cacheDone <- err
	}()
	dh, err := mtreeutil.ReadManifest(ctx, repackManifestPath(bundle, meta.From))
	cacheErr := <-cacheDone
	if err != nil {
		return nil, nil, err
	}
	if err := cacheErr; err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		// The cache only saves hashing: carry on without it.
		slog.Default().WarnContext(ctx, "ignoring bundle stat cache", "bundle", bundle, "error", err)
		cache = mtreeutil.NewStatCache()
	}
	deltas, err := mtreeutil.Diff(ctx, rootfs, dh, mtreeutil.DiffOptions{FsEval: eval, Cache: cache})
	if err != nil {
		return nil, nil, err
	}
	return dh, deltas, nil
}

// repackEmpty records a repack without changes: the config is set again
// unchanged (so the variant and every other field survive) with the
// history entry as an empty layer.
func repackEmpty(ctx context.Context, mut *mutate.Mutator, history *ispec.History) error {
	img, err := mut.Config(ctx)
	if err != nil {
		return err
	}
	meta, err := mut.Meta(ctx)
	if err != nil {
		return err
	}
	manifest, err := mut.Manifest(ctx)
	if err != nil {
		return err
	}
	if err := mut.Set(ctx, img.Config, meta, manifest.Annotations, history); err != nil {
		return err
	}
	return nil
}

// repackLayer streams the layer of deltas through a pipe into mut.Add, so
// tar generation, compression and hashing overlap.
func repackLayer(ctx context.Context, mut *mutate.Mutator, rootfs string, deltas []mtree.InodeDelta,
	meta Meta, history *ispec.History, opts RepackOptions) error {
	manifest, err := mut.Manifest(ctx)
	if err != nil {
		return err
	}
	alg := compress.Gzip
	if opts.Compression != nil {
		if alg, err = opts.Compression(manifest.Layers); err != nil {
			return fmt.Errorf("choose compression: %w", err)
		}
	}
	gopts := &layer.RepackOptions{MapOptions: meta.MapOptions, SourceDateEpoch: opts.SourceDateEpoch}
	bar := progress.Start(opts.Progress, "Repacking layer", "new layer", -1)
	_, err = StreamLayer(ctx, mut, alg, history, func(w io.Writer) error {
		return layer.GenerateLayer(ctx, progress.NewWriter(w, bar), rootfs, deltas, gopts)
	})
	bar.Finish(progressState(err))
	return err
}

// repackManifestPath is BUNDLE/sha256_<hex>.mtree for the manifest at the
// end of path.
func repackManifestPath(bundle string, path casext.DescriptorPath) string {
	return filepath.Join(bundle, MtreeName(path.Descriptor().Digest))
}

// repackTaggedPath returns p with its root descriptor annotated with tag, as the
// entry UpdateReference wrote to index.json.
func repackTaggedPath(p casext.DescriptorPath, tag string) casext.DescriptorPath {
	p = p.Clone()
	root := &p.Walk[0]
	ann := make(map[string]string, len(root.Annotations)+1)
	for k, v := range root.Annotations {
		ann[k] = v
	}
	ann[ispec.AnnotationRefName] = tag
	root.Annotations = ann
	return p
}

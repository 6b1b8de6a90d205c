package imagecopy

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// write moves the blobs of images, writes their manifests and commits the
// top: the index when there is one, else the single image.
//
// When no blob changes, every manifest to write is known before a byte
// moves. A destination that has the top one already has everything below
// it (a registry only accepts a manifest whose blobs it has; a layout
// writes a manifest after its blobs), so the copy is only a commit (a tag
// pointing at it), without a blob check. Likewise the blobs of an image
// the destination has are not looked at.
func (c *copier) write(ctx context.Context, f family, index *document, images []*imagePlan) (Result, error) {
	for _, img := range images {
		img.cfgTask.needed = true
		for _, l := range img.layers {
			l.task.needed = true
		}
	}
	if !c.anyChange() {
		top, raw, err := c.build(f, index, images)
		if err != nil {
			return Result{}, err
		}
		has, err := c.has(ctx, top)
		if err != nil {
			return Result{}, err
		}
		if has {
			return c.commit(ctx, top, raw)
		}
		if index != nil {
			if err := c.markPresent(ctx, images); err != nil {
				return Result{}, err
			}
		}
	}
	if err := c.moveBlobs(ctx); err != nil {
		return Result{}, err
	}
	top, raw, err := c.build(f, index, images)
	if err != nil {
		return Result{}, err
	}
	if index != nil {
		for _, img := range images {
			if img.present {
				continue
			}
			if err := c.putManifest(ctx, img.desc, img.raw); err != nil {
				return Result{}, err
			}
		}
	}
	return c.commit(ctx, top, raw)
}

// anyChange reports whether any blob's bytes change.
func (c *copier) anyChange() bool {
	for _, t := range c.order {
		if t.changes() {
			return true
		}
	}
	return false
}

// markPresent asks the destination for each image manifest (all known, no
// blob changing) and leaves out the blobs used only by images it has.
func (c *copier) markPresent(ctx context.Context, images []*imagePlan) error {
	for _, t := range c.order {
		t.needed = false
	}
	for _, img := range images {
		has, err := c.has(ctx, img.desc)
		if err != nil {
			return err
		}
		img.present = has
		if has {
			continue
		}
		img.cfgTask.needed = true
		for _, l := range img.layers {
			l.task.needed = true
		}
	}
	return nil
}

// moveBlobs runs the needed tasks, Options.Parallel at a time. The first
// failure cancels the others.
func (c *copier) moveBlobs(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Parallel)
	for _, t := range c.order {
		if !t.needed {
			continue
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return c.runTask(gctx, t) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// build returns the top document to commit, after building every image
// manifest (and the index, when there is one) from the tasks' results.
func (c *copier) build(f family, index *document, images []*imagePlan) (ispec.Descriptor, []byte, error) {
	for _, img := range images {
		config := img.config
		config.Digest, config.Size = img.cfgTask.result()
		layers := make([]ispec.Descriptor, len(img.layers))
		for i, l := range img.layers {
			d := l.src
			if l.task.changes() {
				// New bytes: the source's URLs and annotations describe
				// the old ones.
				d = ispec.Descriptor{}
			}
			d.MediaType = l.mediaType
			d.Digest, d.Size = l.task.result()
			layers[i] = d
		}
		var err error
		img.desc, img.raw, err = buildManifest(img.doc, f, config, layers, img.changes())
		if err != nil {
			return ispec.Descriptor{}, nil, err
		}
	}
	if index == nil {
		return images[0].desc, images[0].raw, nil
	}
	children := make([]ispec.Descriptor, len(images))
	for i, img := range images {
		children[i] = img.desc
	}
	return buildIndex(index, f, children)
}

// result is the digest and size of what the task wrote (or will write,
// for a task that keeps the bytes).
func (t *blobTask) result() (digest.Digest, int64) {
	if t.changes() {
		return t.out.Digest, t.out.Size
	}
	return t.src.Digest, t.src.Size
}

// has asks the destination whether it holds desc.
func (c *copier) has(ctx context.Context, desc ispec.Descriptor) (bool, error) {
	var has bool
	err := c.retry(ctx, "check "+desc.Digest.String(), func() (err error) {
		has, err = c.dst.Has(ctx, desc)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("check destination for %s: %w", desc.Digest, err)
	}
	return has, nil
}

// putManifest writes an index's image manifest.
func (c *copier) putManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	err := c.retry(ctx, "write manifest "+desc.Digest.String(), func() error {
		return c.dst.PutManifest(ctx, desc, raw)
	})
	if err != nil {
		return fmt.Errorf("write manifest %s: %w", desc.Digest, err)
	}
	c.mu.Lock()
	c.stats.Manifests++
	c.mu.Unlock()
	return nil
}

// commit writes the top document and points the destination's name at it.
func (c *copier) commit(ctx context.Context, desc ispec.Descriptor, raw []byte) (Result, error) {
	desc = ispec.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}
	err := c.retry(ctx, "commit "+desc.Digest.String(), func() error {
		return c.dst.Commit(ctx, desc, raw)
	})
	if err != nil {
		return Result{}, fmt.Errorf("commit %s: %w", desc.Digest, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Manifests++
	return Result{Descriptor: desc, Manifest: raw, Stats: c.stats}, nil
}

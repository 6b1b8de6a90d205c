package imagecopy

import (
	"cmp"
	"context"
	"fmt"
	"sync"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/transport"
)

// Copy copies the image (or index) src points at to dst and commits it
// there; see the package documentation and Options. It does not close src
// or dst. On error nothing has been committed, and closing dst discards
// what was staged.
func Copy(ctx context.Context, src transport.Source, dst transport.Destination, opts Options) (Result, error) {
	c := newCopier(src, dst, opts)
	res, err := c.run(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("copy %s to %s: %w", src.Name(), dst.Name(), err)
	}
	return res, nil
}

// copier is the state of one Copy.
type copier struct {
	src     transport.Source
	dst     transport.Destination
	opts    Options
	policy  transport.LayerCompression
	mounter transport.Mounter // set when blobs can be mounted from mountFrom
	from    string

	tasks map[taskKey]*blobTask
	order []*blobTask

	mu    sync.Mutex
	stats Stats
}

func newCopier(src transport.Source, dst transport.Destination, opts Options) *copier {
	opts.Parallel = cmp.Or(max(opts.Parallel, 0), DefaultParallel)
	c := &copier{src: src, dst: dst, opts: opts, tasks: map[taskKey]*blobTask{}}
	c.policy = dst.LayerCompression()
	if c.policy == transport.PreserveCompression && opts.LayerCompression != nil {
		c.policy = *opts.LayerCompression
	}
	if opts.PreserveDigests && opts.Compression == nil && opts.LayerCompression == nil {
		// What the destination merely prefers is not done (skopeo).
		c.policy = transport.PreserveCompression
	}
	c.mounter, c.from = mountSource(src, dst)
	return c
}

// mountSource returns the destination's Mounter and the source repository
// when both sides are repositories of the same registry and differ.
func mountSource(src transport.Source, dst transport.Destination) (transport.Mounter, string) {
	sr, ok1 := src.(transport.Repository)
	dr, ok2 := dst.(transport.Repository)
	m, ok3 := dst.(transport.Mounter)
	if !ok1 || !ok2 || !ok3 {
		return nil, ""
	}
	sreg, srepo := sr.Repository()
	dreg, drepo := dr.Repository()
	if sreg != dreg || srepo == drepo {
		return nil, ""
	}
	return m, srepo
}

func (c *copier) run(ctx context.Context) (Result, error) {
	var topDesc ispec.Descriptor
	err := c.retry(ctx, "resolve source", func() (err error) {
		topDesc, err = c.src.Resolve(ctx)
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("resolve source: %w", err)
	}
	top, err := c.readDocument(ctx, topDesc)
	if err != nil {
		return Result{}, err
	}
	if top.manifest != nil {
		return c.copyImage(ctx, top)
	}
	switch c.opts.MultiArch {
	case MultiArchAll:
		return c.copyIndex(ctx, top)
	case MultiArchIndexOnly:
		return c.copyIndexOnly(ctx, top)
	}
	d, err := choosePlatform(top.index, top.desc.MediaType, c.opts.Platform)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", top.desc.Digest, err)
	}
	img, err := c.readImage(ctx, d)
	if err != nil {
		return Result{}, err
	}
	return c.copyImage(ctx, img)
}

// readDocument reads and parses the manifest or index desc.
func (c *copier) readDocument(ctx context.Context, desc ispec.Descriptor) (*document, error) {
	if desc.MediaType == dockerSchema1 || desc.MediaType == dockerSchema1Signed {
		return nil, schema1Error(desc)
	}
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("read manifest %q: %w", string(desc.Digest), err)
	}
	var raw []byte
	err := c.retry(ctx, "read "+desc.Digest.String(), func() (err error) {
		raw, err = transport.ReadManifest(ctx, c.src, desc)
		return err
	})
	if err != nil {
		return nil, err
	}
	return parseDocument(desc, raw)
}

// readImage reads the index entry desc, which must be an image manifest.
func (c *copier) readImage(ctx context.Context, desc ispec.Descriptor) (*document, error) {
	doc, err := c.readDocument(ctx, desc)
	if err != nil {
		return nil, err
	}
	if doc.manifest == nil {
		return nil, fmt.Errorf("index entry %s (%s) is a nested index: %w", desc.Digest, platformOf(desc), transport.ErrUnsupported)
	}
	return doc, nil
}

// copyImage copies one image manifest, which becomes the top.
func (c *copier) copyImage(ctx context.Context, doc *document) (Result, error) {
	f, err := chooseFamily(c.opts, c.dst.ManifestTypes(), []string{doc.desc.MediaType})
	if err != nil {
		return Result{}, err
	}
	img, err := c.planImage(ctx, doc, f)
	if err != nil {
		return Result{}, err
	}
	return c.write(ctx, f, nil, []*imagePlan{img})
}

// copyIndex copies every image of the index doc, and the index.
func (c *copier) copyIndex(ctx context.Context, doc *document) (Result, error) {
	children := make([]*document, len(doc.index.Manifests))
	types := []string{doc.desc.MediaType}
	for i, d := range doc.index.Manifests {
		child, err := c.readImage(ctx, d)
		if err != nil {
			return Result{}, err
		}
		children[i] = child
		types = append(types, child.desc.MediaType)
	}
	f, err := chooseFamily(c.opts, c.dst.ManifestTypes(), types)
	if err != nil {
		return Result{}, err
	}
	images := make([]*imagePlan, len(children))
	for i, child := range children {
		if images[i], err = c.planImage(ctx, child, f); err != nil {
			return Result{}, err
		}
	}
	return c.write(ctx, f, doc, images)
}

// copyIndexOnly copies the index doc alone: every image it lists must
// already be at the destination, in the format the index is written in
// (its images are not converted).
func (c *copier) copyIndexOnly(ctx context.Context, doc *document) (Result, error) {
	f, err := chooseFamily(c.opts, c.dst.ManifestTypes(), []string{doc.desc.MediaType})
	if err != nil {
		return Result{}, err
	}
	for _, d := range doc.index.Manifests {
		if convertedType(f, d.MediaType) != d.MediaType {
			return Result{}, fmt.Errorf("--multi-arch index-only cannot convert the images of %s to %s (%s is a %s): %w",
				doc.desc.Digest, f, d.Digest, d.MediaType, transport.ErrUnsupported)
		}
	}
	for _, d := range doc.index.Manifests {
		has, err := c.has(ctx, d)
		if err != nil {
			return Result{}, err
		}
		if !has {
			return Result{}, fmt.Errorf("--multi-arch index-only: the destination lacks image %s (%s) of index %s: copy it first, or use --all",
				d.Digest, platformOf(d), doc.desc.Digest)
		}
	}
	desc, raw, err := buildIndex(doc, f, doc.index.Manifests)
	if err != nil {
		return Result{}, err
	}
	return c.commit(ctx, desc, raw)
}

package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxProblems caps how many problems Layout reports.
const maxProblems = 50

// Layout checks every invariant of the layout behind engine and returns nil
// when it holds, or an error joining one entry per problem found (each
// naming the index.json entry and the digest involved).
func Layout(ctx context.Context, engine casext.Engine) error {
	idx, err := engine.GetIndex(ctx)
	if err != nil {
		return fmt.Errorf("validate layout: read index.json: %w", err)
	}
	c := &checker{engine: engine, checked: map[blobKey]struct{}{}}
	if idx.SchemaVersion != 2 {
		c.add(fmt.Errorf("index.json: schemaVersion is %d, want 2", idx.SchemaVersion))
	}
	if idx.MediaType != "" && idx.MediaType != mediatype.Index {
		c.add(fmt.Errorf("index.json: mediaType is %q", idx.MediaType))
	}
	for i, root := range idx.Manifests {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("validate layout: %w", err)
		}
		err := engine.Walk(ctx, root, func(ctx context.Context, path casext.DescriptorPath) error {
			return c.visit(ctx, i, path)
		})
		if err != nil {
			c.add(fmt.Errorf("%s: %w", entryName(i, root), err))
		}
	}
	if len(c.problems) == 0 {
		return nil
	}
	return fmt.Errorf("validate layout: %w", errors.Join(c.problems...))
}

// checker accumulates problems; every blob is checked once per media type
// it is described with.
type checker struct {
	engine   casext.Engine
	checked  map[blobKey]struct{}
	problems []error
}

type blobKey struct {
	mediaType string
	digest    digest.Digest
}

func (c *checker) add(err error) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, err)
	}
}

// visit checks one descriptor. A broken index or manifest is reported here
// and its children skipped, so the walk carries on with the rest.
func (c *checker) visit(ctx context.Context, entry int, path casext.DescriptorPath) error {
	desc := path.Descriptor()
	key := blobKey{mediaType: desc.MediaType, digest: desc.Digest}
	if _, ok := c.checked[key]; ok {
		return casext.ErrSkipDescriptor
	}
	c.checked[key] = struct{}{}
	where := describe(entry, path)
	blob, err := c.checkBlob(ctx, desc)
	if err != nil {
		c.add(fmt.Errorf("%s: %w", where, err))
		return casext.ErrSkipDescriptor
	}
	if m, ok := blob.Data.(*ispec.Manifest); ok {
		if err := c.checkImage(ctx, desc, m); err != nil {
			c.add(fmt.Errorf("%s: %w", where, err))
			return casext.ErrSkipDescriptor
		}
	}
	return nil
}

// checkBlob checks that desc is well formed, that its blob is present and
// has exactly the digest and size desc claims, and that it parses. It
// returns the parsed blob.
func (c *checker) checkBlob(ctx context.Context, desc ispec.Descriptor) (*casext.Blob, error) {
	if desc.MediaType == "" {
		return nil, fmt.Errorf("descriptor %s has no mediaType", desc.Digest)
	}
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("descriptor digest %q: %w", string(desc.Digest), err)
	}
	if desc.Data == nil {
		size, err := c.engine.StatBlob(ctx, desc.Digest)
		if errors.Is(err, cas.ErrNotExist) {
			return nil, fmt.Errorf("blob %s is missing", desc.Digest)
		} else if err != nil {
			return nil, fmt.Errorf("stat blob %s: %w", desc.Digest, err)
		}
		if size != desc.Size {
			return nil, fmt.Errorf("blob %s is %d bytes, descriptor says %d", desc.Digest, size, desc.Size)
		}
	}
	rc, err := c.engine.GetVerifiedBlob(ctx, desc)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("verify blob %s: %w", desc.Digest, err)
	}
	return c.engine.FromDescriptor(ctx, desc)
}

// checkImage checks that a manifest's config is an image config with one
// diff_id per layer, and that its layers have layer media types.
func (c *checker) checkImage(ctx context.Context, desc ispec.Descriptor, m *ispec.Manifest) error {
	if !mediatype.IsConfig(m.Config.MediaType) {
		return fmt.Errorf("manifest %s: config %s has media type %q, not an image config", desc.Digest, m.Config.Digest, m.Config.MediaType)
	}
	for i, l := range m.Layers {
		if !mediatype.IsLayer(l.MediaType) {
			return fmt.Errorf("manifest %s: layer %d (%s) has media type %q, not a layer", desc.Digest, i, l.Digest, l.MediaType)
		}
	}
	cfgBlob, err := c.engine.FromDescriptor(ctx, m.Config)
	if err != nil {
		return fmt.Errorf("manifest %s: config: %w", desc.Digest, err)
	}
	cfg, ok := cfgBlob.Data.(*ispec.Image)
	if !ok {
		return fmt.Errorf("manifest %s: config %s did not parse as an image config", desc.Digest, m.Config.Digest)
	}
	if n, want := len(cfg.RootFS.DiffIDs), len(m.Layers); n != want {
		return fmt.Errorf("manifest %s: config %s has %d diff_ids for %d layers", desc.Digest, m.Config.Digest, n, want)
	}
	return nil
}

// entryName names a top-level index.json entry: its position and tag.
func entryName(i int, root ispec.Descriptor) string {
	if name, ok := root.Annotations[casext.RefNameAnnotation]; ok {
		return fmt.Sprintf("index.json entry %d (tag %q)", i, name)
	}
	return fmt.Sprintf("index.json entry %d (untagged)", i)
}

// describe names a descriptor by its path from index.json.
func describe(entry int, path casext.DescriptorPath) string {
	parts := []string{entryName(entry, path.Root())}
	for _, d := range path.Walk[1:] {
		parts = append(parts, d.Digest.String())
	}
	return strings.Join(parts, " -> ")
}

package casext

import (
	"context"
	"errors"
	"fmt"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// MaxWalkDepth is the longest descriptor path Walk follows. Real images are
// at most a few levels deep; anything deeper is refused as hostile.
const MaxWalkDepth = 32

// maxWalkVisits (a variable so tests can lower it) bounds the number of callbacks of one walk, so that a small
// set of blobs whose indexes share children cannot blow up exponentially.
var maxWalkVisits = 1 << 20

// ErrSkipDescriptor, returned by a WalkFunc, makes Walk skip the children of
// the descriptor just visited. Walk itself never returns it.
var ErrSkipDescriptor = errors.New("skip descriptor")

// ErrWalkLimit is returned when a walk is too deep, has a cycle, or visits
// too many descriptors.
var ErrWalkLimit = errors.New("walk limit exceeded")

// WalkFunc is called by Walk for every descriptor reached, before its
// children. path ends at that descriptor; its Walk slice is freshly
// allocated and may be kept, but the descriptors in it must not be modified.
// Returning ErrSkipDescriptor skips the children; any other error stops the
// walk and is returned by Walk unchanged.
type WalkFunc func(ctx context.Context, path DescriptorPath) error

// Walk visits root and, depth-first in document order, everything reachable
// from it: the manifests (and subject) of indexes, the config, layers (and
// subject) of manifests, the target of descriptor blobs. Docker manifest
// lists and manifests are walked like their OCI counterparts. Configs,
// layers and blobs of unknown media type are leaves and are not read.
//
// A walk fails when a blob it must parse is missing, corrupt or refused by
// FromDescriptor, when a path is deeper than MaxWalkDepth or revisits a
// digest already on the path, or when it exceeds its visit budget.
func (e Engine) Walk(ctx context.Context, root ispec.Descriptor, fn WalkFunc) error {
	w := newWalker(e, fn, true)
	return w.walk(ctx, DescriptorPath{Walk: []ispec.Descriptor{root}})
}

// walker holds the state of one walk: the children of parsed blobs are cached
// by media type and digest so a shared child is read once.
type walker struct {
	engine   Engine
	fn       WalkFunc
	subjects bool
	visits   int
	cache    map[blobKey][]ispec.Descriptor
}

// blobKey identifies a parsed blob: the same bytes read as two media types
// parse differently.
type blobKey struct {
	mediaType string
	digest    digest.Digest
}

func newWalker(e Engine, fn WalkFunc, subjects bool) *walker {
	return &walker{engine: e, fn: fn, subjects: subjects, cache: map[blobKey][]ispec.Descriptor{}}
}

func (w *walker) walk(ctx context.Context, path DescriptorPath) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("walk: %w", err)
	}
	desc := path.Descriptor()
	if err := w.checkLimits(path); err != nil {
		return fmt.Errorf("walk %s: %w", desc.Digest, err)
	}
	if err := w.fn(ctx, path); err != nil {
		if errors.Is(err, ErrSkipDescriptor) {
			return nil
		}
		return err
	}
	children, err := w.children(ctx, desc)
	if err != nil {
		return fmt.Errorf("walk: %w", err)
	}
	for _, child := range children {
		if err := w.walk(ctx, path.child(child)); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) checkLimits(path DescriptorPath) error {
	w.visits++
	if w.visits > maxWalkVisits {
		return fmt.Errorf("%w: more than %d descriptors visited", ErrWalkLimit, maxWalkVisits)
	}
	if len(path.Walk) > MaxWalkDepth {
		return fmt.Errorf("%w: descriptor path deeper than %d", ErrWalkLimit, MaxWalkDepth)
	}
	last := path.Descriptor().Digest
	for _, d := range path.Walk[:len(path.Walk)-1] {
		if d.Digest == last {
			return fmt.Errorf("%w: cycle: descriptor refers back to itself", ErrWalkLimit)
		}
	}
	return nil
}

// walkable reports whether blobs of media type mt have children.
func walkable(mt string) bool {
	return mediatype.IsIndex(mt) || mediatype.IsManifest(mt) || mt == mediatype.Descriptor
}

// children parses desc (when its media type has children) and returns them
// in document order.
func (w *walker) children(ctx context.Context, desc ispec.Descriptor) ([]ispec.Descriptor, error) {
	if !walkable(desc.MediaType) {
		return nil, nil
	}
	key := blobKey{mediaType: desc.MediaType, digest: desc.Digest}
	if c, ok := w.cache[key]; ok {
		return c, nil
	}
	blob, err := w.engine.FromDescriptor(ctx, desc)
	if err != nil {
		return nil, err
	}
	var c []ispec.Descriptor
	switch data := blob.Data.(type) {
	case *ispec.Index:
		c = append(c, data.Manifests...)
		if w.subjects && data.Subject != nil {
			c = append(c, *data.Subject)
		}
	case *ispec.Manifest:
		c = append(c, data.Config)
		c = append(c, data.Layers...)
		if w.subjects && data.Subject != nil {
			c = append(c, *data.Subject)
		}
	case *ispec.Descriptor:
		c = append(c, *data)
	}
	w.cache[key] = c
	return c, nil
}

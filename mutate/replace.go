package mutate

import (
	"context"
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
)

// ErrLayerMismatch is wrapped by SetLayers's error when the layers, diff_ids
// and history given do not describe the same number of layers.
var ErrLayerMismatch = errors.New("layers, diff_ids and history do not match")

// SetLayers replaces the manifest's layers, the config's diff_ids and the
// config's history wholesale (squash, and any edit that removes layers).
// layers[i] must be the blob whose uncompressed stream hashes to
// diffIDs[i]; the caller stores the blobs first (for instance with Add,
// then reads them back with Manifest and Config). history may be empty;
// otherwise its entries without empty_layer must be exactly one per layer.
// Every other field of the manifest and config is kept. The arguments are
// copied. On error the mutator is unchanged.
func (m *Mutator) SetLayers(ctx context.Context, layers []ispec.Descriptor, diffIDs []digest.Digest, history []ispec.History) error {
	if err := checkLayers(layers, diffIDs, history); err != nil {
		return fmt.Errorf("set layers: %w", err)
	}
	if err := m.load(ctx); err != nil {
		return fmt.Errorf("set layers: %w", err)
	}
	m.manifest.Layers = cas.CloneDescriptors(layers)
	if m.manifest.Layers == nil {
		m.manifest.Layers = []ispec.Descriptor{}
	}
	m.config.RootFS.DiffIDs = append([]digest.Digest{}, diffIDs...)
	m.config.History = nil
	for _, h := range history {
		m.config.History = append(m.config.History, copyHistory(h))
	}
	m.dirty = true
	return nil
}

// checkLayers validates the arguments of SetLayers.
func checkLayers(layers []ispec.Descriptor, diffIDs []digest.Digest, history []ispec.History) error {
	if len(layers) != len(diffIDs) {
		return fmt.Errorf("%d layers but %d diff_ids: %w", len(layers), len(diffIDs), ErrLayerMismatch)
	}
	for i, l := range layers {
		if err := l.Digest.Validate(); err != nil {
			return fmt.Errorf("layer %d digest %q: %w", i, l.Digest, err)
		}
		if l.Size < 0 {
			return fmt.Errorf("layer %d: negative size %d", i, l.Size)
		}
		if err := diffIDs[i].Validate(); err != nil {
			return fmt.Errorf("diff_id %d %q: %w", i, diffIDs[i], err)
		}
	}
	if len(history) == 0 {
		return nil
	}
	n := 0
	for _, h := range history {
		if !h.EmptyLayer {
			n++
		}
	}
	if n != len(layers) {
		return fmt.Errorf("%d layers but %d non-empty history entries: %w", len(layers), n, ErrLayerMismatch)
	}
	return nil
}

package mutate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strconv"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/compress"
)

// UncompressedSizeAnnotation is the layer descriptor annotation carrying the
// uncompressed size of the layer in bytes (a hint, as in umoci). It is only
// set when the compressed size differs from the uncompressed size.
const UncompressedSizeAnnotation = "ci.umo.uncompressed_blob_size"

// LayerMediaType returns the OCI layer media type for alg:
// application/vnd.oci.image.layer.v1.tar plus "+suffix" when compressed.
func LayerMediaType(alg compress.Algorithm) string {
	if s := alg.MediaTypeSuffix(); s != "" {
		return ispec.MediaTypeImageLayer + "+" + s
	}
	return ispec.MediaTypeImageLayer
}

// Add reads the uncompressed tar stream r once, stores it compressed with
// alg, and appends the layer descriptor, its diff_id (sha256 of r) and the
// history entry (forced to empty_layer: false; a nil history is allowed but
// logged as a warning). annotations are copied onto the layer descriptor.
// On error the mutator is unchanged. It returns the new layer descriptor.
func (m *Mutator) Add(ctx context.Context, r io.Reader, alg compress.Algorithm, history *ispec.History, annotations map[string]string) (ispec.Descriptor, error) {
	if r == nil || alg == nil {
		return ispec.Descriptor{}, errors.New("add layer: nil reader or compression algorithm")
	}
	if err := m.load(ctx); err != nil {
		return ispec.Descriptor{}, fmt.Errorf("add layer: %w", err)
	}
	blob, err := storeLayer(ctx, m.engine, r, alg)
	if err != nil {
		return ispec.Descriptor{}, fmt.Errorf("add layer: %w", err)
	}

	desc := ispec.Descriptor{
		MediaType:   LayerMediaType(alg),
		Digest:      blob.digest,
		Size:        blob.size,
		Annotations: maps.Clone(annotations),
	}
	if blob.size != blob.rawSize {
		if desc.Annotations == nil {
			desc.Annotations = map[string]string{}
		}
		desc.Annotations[UncompressedSizeAnnotation] = strconv.FormatInt(blob.rawSize, 10)
	} else {
		delete(desc.Annotations, UncompressedSizeAnnotation)
	}

	if history == nil {
		slog.Default().WarnContext(ctx, "adding layer without a history entry", "diff_id", blob.diffID)
	} else {
		h := copyHistory(*history)
		h.EmptyLayer = false
		m.config.History = append(m.config.History, h)
	}
	m.config.RootFS.DiffIDs = append(m.config.RootFS.DiffIDs, blob.diffID)
	m.manifest.Layers = append(m.manifest.Layers, desc)
	m.dirty = true
	return cas.CloneDescriptor(desc), nil
}

// layerBlob describes a stored layer.
type layerBlob struct {
	digest  digest.Digest // of the compressed blob
	size    int64         // of the compressed blob
	diffID  digest.Digest // of the uncompressed stream
	rawSize int64         // of the uncompressed stream
}

package bundle

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/mutate"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

// SquashOptions configures Squash.
type SquashOptions struct {
	// MapOptions says how owners are unpacked into the temporary tree and
	// mapped back into the layer. Rootless works without privileges but
	// turns device nodes into empty regular files.
	MapOptions layer.MapOptions
	// SourceDateEpoch, when set, clamps layer times newer than it.
	SourceDateEpoch *time.Time
	// Compression of the new layer; nil means gzip.
	Compression compress.Algorithm
	// History is the image's only history entry afterwards (empty_layer
	// forced to false); nil leaves the image without history.
	History *ispec.History
	// TempDir holds the private temporary tree; "" means os.TempDir().
	TempDir string
}

// squashCreatedBy is the placeholder history handed to mutate.Add; the
// final history is set afterwards from SquashOptions.History.
const squashCreatedBy = "lade squash"

// Squash replaces all layers of the image at the end of path with a single
// layer holding its flattened root filesystem (see Export), and commits the
// result: diff_ids become the new layer's only, history becomes
// opts.History alone, every other manifest and config field is kept. It
// returns the new path (the caller tags its Root()); until then only new
// blobs are written. Unpacking the result gives the same tree as
// unpacking the original, as long as no time in it is newer than
// SourceDateEpoch and every directory has an entry in some layer.
func Squash(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, opts SquashOptions) (casext.DescriptorPath, error) {
	alg := opts.Compression
	if alg == nil {
		alg = compress.Gzip
	}
	mut, err := mutate.New(engine, path)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("squash image: %w", err)
	}
	var desc ispec.Descriptor
	err = withFlatRootfs(ctx, engine, path, opts.TempDir, opts.MapOptions, opts.SourceDateEpoch, func(rootfs string) error {
		var err error
		desc, err = StreamLayer(ctx, mut, alg, &ispec.History{CreatedBy: squashCreatedBy}, func(w io.Writer) error {
			return generateFlat(ctx, w, rootfs, opts.MapOptions, opts.SourceDateEpoch)
		})
		return err
	})
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("squash image: %w", err)
	}
	config, err := mut.Config(ctx)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("squash image: %w", err)
	}
	diffIDs := config.RootFS.DiffIDs
	var history []ispec.History
	if opts.History != nil {
		h := *opts.History
		h.EmptyLayer = false
		history = []ispec.History{h}
	}
	last := []digest.Digest{diffIDs[len(diffIDs)-1]}
	if err := mut.SetLayers(ctx, []ispec.Descriptor{desc}, last, history); err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("squash image: %w", err)
	}
	newPath, err := mut.Commit(ctx)
	if err != nil {
		return casext.DescriptorPath{}, fmt.Errorf("squash image: commit: %w", err)
	}
	return newPath, nil
}

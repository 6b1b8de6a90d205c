package casext

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// GCStats reports what GC removed.
type GCStats struct {
	BlobsRemoved int
	BytesRemoved int64
}

// GC deletes every blob not reachable from index.json, then cleans stale
// temporary files.
//
// It first takes the engine's exclusive lock (waiting for every other
// process that has the layout open to close it), so a blob that a concurrent
// writer stored but has not yet referenced is never deleted. It then marks
// every blob reachable from any top-level index.json entry (tagged or not),
// walking every parseable blob including Docker manifests and lists, and
// sweeps the rest. If any reachable index or manifest cannot be read or
// parsed, GC deletes nothing and fails. The engine stays exclusively locked
// until it is closed.
func (e Engine) GC(ctx context.Context) (GCStats, error) {
	var stats GCStats
	if err := e.LockExclusive(ctx); err != nil {
		return stats, fmt.Errorf("gc: lock layout: %w", err)
	}
	marked, err := e.mark(ctx)
	if err != nil {
		return stats, fmt.Errorf("gc: %w", err)
	}
	blobs, err := e.ListBlobs(ctx)
	if err != nil {
		return stats, fmt.Errorf("gc: %w", err)
	}
	log := slog.Default()
	for _, d := range blobs {
		if _, ok := marked[d]; ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return stats, fmt.Errorf("gc: %w", err)
		}
		size, err := e.StatBlob(ctx, d)
		if errors.Is(err, cas.ErrNotExist) {
			continue
		} else if err != nil {
			return stats, fmt.Errorf("gc: %w", err)
		}
		if e.keeps(ctx, d) {
			// An archive keeps what Docker's manifest.json names.
			log.DebugContext(ctx, "gc: backend keeps unreachable blob", "digest", d)
			continue
		}
		if err := e.DeleteBlob(ctx, d); err != nil {
			return stats, fmt.Errorf("gc: %w", err)
		}
		log.DebugContext(ctx, "gc: removed unreachable blob", "digest", d, "size", size)
		stats.BlobsRemoved++
		stats.BytesRemoved += size
	}
	if err := e.Clean(ctx); err != nil {
		return stats, fmt.Errorf("gc: %w", err)
	}
	log.InfoContext(ctx, "gc: done", "blobs_removed", stats.BlobsRemoved, "bytes_removed", stats.BytesRemoved)
	return stats, nil
}

// mark returns the digests of every blob reachable from index.json.
func (e Engine) mark(ctx context.Context) (map[digest.Digest]struct{}, error) {
	idx, err := e.GetIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("mark: %w", err)
	}
	marked := map[digest.Digest]struct{}{}
	// Expansion is deduplicated by media type and digest, not digest alone:
	// the same bytes described as another type may have other children.
	seen := map[blobKey]struct{}{}
	w := newWalker(e, func(_ context.Context, path DescriptorPath) error {
		d := path.Descriptor()
		marked[d.Digest] = struct{}{}
		key := blobKey{mediaType: d.MediaType, digest: d.Digest}
		if _, ok := seen[key]; ok {
			return ErrSkipDescriptor
		}
		seen[key] = struct{}{}
		return nil
	}, true)
	for _, root := range idx.Manifests {
		if err := w.walk(ctx, DescriptorPath{Walk: []ispec.Descriptor{root}}); err != nil {
			return nil, fmt.Errorf("mark: %w", err)
		}
	}
	return marked, nil
}

// keeps reports whether the backend would keep blob d on DeleteBlob
// (cas.Keeper).
func (e Engine) keeps(ctx context.Context, d digest.Digest) bool {
	k, ok := e.Engine.(cas.Keeper)
	return ok && k.Keeps(ctx, d)
}

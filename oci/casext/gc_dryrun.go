package casext

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// UnreachableBlob is a blob that GC would delete.
type UnreachableBlob struct {
	Digest digest.Digest
	Size   int64
}

// GCDryRun returns the blobs GC would delete, sorted by digest, with their
// totals in stats, and deletes nothing. It marks exactly as GC does (and
// fails, like GC, when a reachable index or manifest cannot be read), but
// takes no exclusive lock: it does not wait for other processes, and a
// blob a concurrent writer has stored but not yet referenced may be
// listed. Temporary files are not counted.
func (e Engine) GCDryRun(ctx context.Context) ([]UnreachableBlob, GCStats, error) {
	var stats GCStats
	marked, err := e.mark(ctx)
	if err != nil {
		return nil, stats, fmt.Errorf("gc dry run: %w", err)
	}
	blobs, err := e.ListBlobs(ctx)
	if err != nil {
		return nil, stats, fmt.Errorf("gc dry run: %w", err)
	}
	var out []UnreachableBlob
	for _, d := range blobs {
		if _, ok := marked[d]; ok || e.keeps(ctx, d) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, stats, fmt.Errorf("gc dry run: %w", err)
		}
		size, err := e.StatBlob(ctx, d)
		if errors.Is(err, cas.ErrNotExist) {
			continue // deleted meanwhile
		} else if err != nil {
			return nil, stats, fmt.Errorf("gc dry run: %w", err)
		}
		out = append(out, UnreachableBlob{Digest: d, Size: size})
		stats.BlobsRemoved++
		stats.BytesRemoved += size
	}
	slices.SortFunc(out, func(a, b UnreachableBlob) int { return cmp.Compare(a.Digest, b.Digest) })
	return out, stats, nil
}

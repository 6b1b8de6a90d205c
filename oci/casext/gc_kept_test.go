package casext

import (
	"context"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/castest"
)

// keepingEngine is a backend whose DeleteBlob keeps one blob, as an
// archive keeps what Docker's manifest.json names (cas.Keeper).
type keepingEngine struct {
	cas.Engine
	keep digest.Digest
}

func (k keepingEngine) DeleteBlob(ctx context.Context, d digest.Digest) error {
	if d == k.keep {
		return nil
	}
	return k.Engine.DeleteBlob(ctx, d)
}

func (k keepingEngine) Keeps(_ context.Context, d digest.Digest) bool { return d == k.keep }

// TestGCCountsOnlyRemovedBlobs: a blob the backend keeps is neither
// reported as removed nor listed by a dry run.
func TestGCCountsOnlyRemovedBlobs(t *testing.T) {
	ctx := t.Context()
	mem := castest.NewMemory()
	seed := NewEngine(mem)
	kept := putRaw(t, seed, "x", []byte("kept by the backend"))
	gone := putRaw(t, seed, "x", []byte("really removed"))
	e := NewEngine(keepingEngine{Engine: mem, keep: kept.Digest})
	stats, err := e.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.BlobsRemoved != 1 || stats.BytesRemoved != gone.Size {
		t.Errorf("stats = %+v, want 1 blob of %d bytes", stats, gone.Size)
	}
	if _, err := e.StatBlob(ctx, kept.Digest); err != nil {
		t.Errorf("kept blob: %v", err)
	}
	list, dry, err := e.GCDryRun(ctx)
	if err != nil || len(list) != 0 || dry.BlobsRemoved != 0 {
		t.Errorf("dry run after gc: %v, %+v, %v; want nothing", list, dry, err)
	}
}

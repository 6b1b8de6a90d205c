package dir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/oci/cas"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// encodeIndex renders idx the way lade always writes index.json: Go's
// json.Encoder's bytes (compact, trailing newline; cas.EncodeIndex), OCI
// index media type, schema version 2, manifests never null.
func encodeIndex(idx ispec.Index) ([]byte, error) {
	idx.SchemaVersion = 2
	idx.MediaType = ispec.MediaTypeImageIndex
	if idx.Manifests == nil {
		idx.Manifests = []ispec.Descriptor{}
	}
	return cas.EncodeIndex(idx), nil
}

// GetIndex reads index.json.
func (e *engine) GetIndex(ctx context.Context) (ispec.Index, error) {
	if err := e.checkOpen("get index"); err != nil {
		return ispec.Index{}, err
	}
	idx, err := e.currentIndex()
	if err != nil {
		return ispec.Index{}, fmt.Errorf("get index: %w", err)
	}
	return idx, nil
}

// PutIndex replaces index.json atomically (temp file + rename).
func (e *engine) PutIndex(ctx context.Context, idx ispec.Index) error {
	if err := e.checkWritable("put index"); err != nil {
		return err
	}
	if err := e.writeIndex(ctx, idx); err != nil {
		return fmt.Errorf("put index: %w", err)
	}
	return nil
}

func (e *engine) writeIndex(ctx context.Context, idx ispec.Index) error {
	e.forgetIndex()
	data, err := encodeIndex(idx)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := e.newTemp()
	if err != nil {
		return err
	}
	defer t.discard()
	if _, err := t.f.Write(data); err != nil {
		return writeErr("write temp file", err)
	}
	// The blobs the index may name are durable before it is: blobs/sha256
	// is synced while the new index is (each sync waits for a journal
	// commit, and two at once can share one), both before the rename.
	blobsSynced := make(chan error, 1)
	go func() { blobsSynced <- e.syncBlobs() }()
	err = t.sync()
	if berr := <-blobsSynced; berr != nil {
		return berr
	}
	if err != nil {
		return err
	}
	return t.commit(filepath.Join(e.root, indexFile))
}

// UpdateIndex runs read → fn → write holding an exclusive flock on the
// layout directory. fn's error is returned unwrapped and nothing is written.
func (e *engine) UpdateIndex(ctx context.Context, fn func(*ispec.Index) error) error {
	if err := e.checkWritable("update index"); err != nil {
		return err
	}
	lock, err := os.Open(e.root)
	if err != nil {
		return fmt.Errorf("update index: open layout dir: %w", err)
	}
	defer lock.Close() // also drops the flock
	if err := system.FlockWait(ctx, lock, system.LockExclusive); err != nil {
		return fmt.Errorf("update index: %w", err)
	}
	idx, err := e.currentIndex()
	if err != nil {
		return fmt.Errorf("update index: %w", err)
	}
	if err := fn(&idx); err != nil {
		return err
	}
	if err := e.writeIndex(ctx, idx); err != nil {
		return fmt.Errorf("update index: %w", err)
	}
	return nil
}

// emptyIndex is the index of a new layout.
func emptyIndex() ispec.Index {
	idx := ispec.Index{Manifests: []ispec.Descriptor{}}
	idx.SchemaVersion = 2
	idx.MediaType = ispec.MediaTypeImageIndex
	return idx
}

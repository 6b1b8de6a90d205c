package dir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// PutBlob hashes r while writing it to a temp file, then renames the file to
// its digest's path. A blob that already exists (same size) is left as is.
func (e *engine) PutBlob(ctx context.Context, r io.Reader) (digest.Digest, int64, error) {
	if err := e.checkWritable("put blob"); err != nil {
		return "", 0, err
	}
	t, err := e.newTemp()
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	defer t.discard()

	digester := cas.BlobAlgorithm.Digester()
	n, err := writeHashed(ctx, t.f, digester.Hash(), r, -1)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: write: %w", err)
	}
	d := digester.Digest()
	if err := e.commitBlob(t, d, n); err != nil {
		return "", 0, err
	}
	return d, n, nil
}

// PutBlobVerified stores r as blob d only if it has digest d and size
// bytes, hashing it once while it is written (cas.VerifyingPutter).
func (e *engine) PutBlobVerified(ctx context.Context, d digest.Digest, size int64, r io.Reader) error {
	if err := e.checkWritable("put blob"); err != nil {
		return err
	}
	if err := cas.ValidateDigest(d); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if size < 0 {
		return fmt.Errorf("put blob %s: invalid size %d: %w", d, size, cas.ErrInvalid)
	}
	t, err := e.newTemp()
	if err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	defer t.discard()
	digester := d.Algorithm().Digester()
	n, err := writeHashed(ctx, t.f, digester.Hash(), r, size+1)
	if err != nil {
		return fmt.Errorf("put blob %s: write: %w", d, err)
	}
	if n != size {
		return fmt.Errorf("put blob %s: %w: expected %d bytes, got %d%s", d, hardening.ErrSizeMismatch, size, n, moreIf(n > size))
	}
	if got := digester.Digest(); got != d {
		return fmt.Errorf("put blob %s: %w: content has digest %s", d, cas.ErrDigestMismatch, got)
	}
	return e.commitBlob(t, d, n)
}

// moreIf marks a count that stopped at the limit.
func moreIf(over bool) string {
	if over {
		return " or more"
	}
	return ""
}

// commitBlob renames the temp file t holding n bytes of blob d into place,
// unless the layout already has that blob. Either way the rename (this
// engine's, or another process's that may not have synced it yet) is made
// durable by syncBlobs, once for every blob, before this engine writes an
// index that can name the blob, and at Close: config (two blobs and the
// index) syncs two directories instead of three, a copy of N blobs syncs
// blobs/sha256 once instead of N times.
func (e *engine) commitBlob(t *tempFile, d digest.Digest, n int64) error {
	dst, err := blobPath(e.root, d)
	if err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if fi, err := os.Stat(dst); err == nil && fi.Mode().IsRegular() && fi.Size() == n {
		e.blobsUnsynced.Store(true)
		return nil
	}
	if err := mkdirOwned(blobDir(e.root), e.owner); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err := t.place(dst); err != nil {
		return fmt.Errorf("put blob %s: %w", d, err)
	}
	e.blobsUnsynced.Store(true)
	return nil
}

// syncBlobs fsyncs blobs/sha256 if a blob was stored (or found) since the
// last sync, so that the blobs' directory entries survive a crash.
func (e *engine) syncBlobs() error {
	if !e.blobsUnsynced.Swap(false) {
		return nil
	}
	err := syncDir(blobDir(e.root))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The layout was removed (a failed copy cleans up the layout it
		// created before it closes the engine): nothing to make durable.
		return nil
	case err != nil:
		e.blobsUnsynced.Store(true)
		return writeErr("sync blobs", err)
	}
	return nil
}

// GetBlob opens blob d behind a verifying reader (digest, and size from the
// file's stat).
func (e *engine) GetBlob(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	if err := e.checkOpen("get blob"); err != nil {
		return nil, err
	}
	p, err := blobPath(e.root, d)
	if err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	// O_NONBLOCK keeps a FIFO planted in blobs/ from hanging the open; it
	// has no effect on regular files.
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, blobErr("get blob", d, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("get blob %s: %w", d, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("get blob %s: %w: not a regular file", d, cas.ErrInvalid)
	}
	return hardening.NewVerifiedReader(f, d, fi.Size()), nil
}

// StatBlob returns the size of blob d, looked up inside the layout.
func (e *engine) StatBlob(ctx context.Context, d digest.Digest) (int64, error) {
	if err := e.checkOpen("stat blob"); err != nil {
		return 0, err
	}
	p, err := blobPath(e.root, d)
	if err != nil {
		return 0, fmt.Errorf("stat blob: %w", err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, blobErr("stat blob", d, err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("stat blob %s: %w: not a regular file", d, cas.ErrInvalid)
	}
	return fi.Size(), nil
}

// DeleteBlob removes blob d; a missing blob is not an error.
func (e *engine) DeleteBlob(ctx context.Context, d digest.Digest) error {
	if err := e.checkWritable("delete blob"); err != nil {
		return err
	}
	p, err := blobPath(e.root, d)
	if err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob %s: %w", d, writeErr("remove", err))
	}
	return nil
}

// ListBlobs lists blobs/sha256, skipping names that are not sha256 digests
// and directories.
func (e *engine) ListBlobs(ctx context.Context) ([]digest.Digest, error) {
	if err := e.checkOpen("list blobs"); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(blobDir(e.root))
	if errors.Is(err, fs.ErrNotExist) {
		return []digest.Digest{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list blobs: %w", err)
	}
	out := make([]digest.Digest, 0, len(entries))
	for _, ent := range entries {
		d := digest.NewDigestFromEncoded(cas.BlobAlgorithm, ent.Name())
		if ent.IsDir() || cas.ValidateDigest(d) != nil {
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

// blobErr wraps an error from opening or stating a blob file, mapping a
// missing file to cas.ErrNotExist.
func blobErr(op string, d digest.Digest, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %s: %w", op, d, cas.ErrNotExist)
	}
	return fmt.Errorf("%s %s: %w", op, d, err)
}

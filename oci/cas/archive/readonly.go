package archive

import (
	"context"
	"io"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// readOnly is the error of every write method (after the closed check, so
// that a closed engine reports being closed).
func (e *Engine) readOnly(op string) error {
	if err := e.checkOpen(op); err != nil {
		return err
	}
	source := "oci-archive:" + e.path + ":TAG"
	if e.legacy {
		source = "docker-archive:" + e.path + ":NAME:TAG"
	}
	return &readOnlyError{op: op, path: e.path, source: source}
}

// PutBlob fails: archives are read-only.
func (e *Engine) PutBlob(ctx context.Context, r io.Reader) (digest.Digest, int64, error) {
	return "", 0, e.readOnly("put blob")
}

// DeleteBlob fails: archives are read-only.
func (e *Engine) DeleteBlob(ctx context.Context, d digest.Digest) error {
	return e.readOnly("delete blob")
}

// PutIndex fails: archives are read-only.
func (e *Engine) PutIndex(ctx context.Context, index ispec.Index) error {
	return e.readOnly("put index")
}

// UpdateIndex fails without calling fn: archives are read-only.
func (e *Engine) UpdateIndex(ctx context.Context, fn func(*ispec.Index) error) error {
	return e.readOnly("update index")
}

// LockExclusive fails: only garbage collection takes it, and an archive
// cannot be collected.
func (e *Engine) LockExclusive(ctx context.Context) error {
	return e.readOnly("lock exclusively")
}

// Clean fails: an archive has no temporary files to clean and cannot be
// written.
func (e *Engine) Clean(ctx context.Context) error {
	return e.readOnly("clean layout")
}

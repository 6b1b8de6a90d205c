package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// PutBlob stores the content of r as a file of the engine's temporary
// directory, hashing it on the way; Close appends it to the archive. A blob
// the archive (or this engine) already has with that size is left as is
// and nothing changes. The temporary file is not fsynced: it never outlives
// the engine, and Close fsyncs the new archive the content is copied into.
func (e *Engine) PutBlob(ctx context.Context, r io.Reader) (digest.Digest, int64, error) {
	if err := e.lockExclusive(ctx, "put blob"); err != nil {
		return "", 0, err
	}
	e.st.Lock()
	tmp, err := e.ensureTemp()
	e.st.Unlock()
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	f, err := os.CreateTemp(tmp.path, "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", writeErr("create temp file", err))
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	digester := cas.BlobAlgorithm.Digester()
	n, err := io.Copy(io.MultiWriter(f, digester.Hash()), &ctxReader{ctx: ctx, r: r})
	if err != nil {
		return "", 0, fmt.Errorf("put blob: write: %w", err)
	}
	d := digester.Digest()
	e.st.Lock()
	defer e.st.Unlock()
	if _, ok := e.w.added[d]; ok {
		return d, n, nil
	}
	if m, ok := e.cat.blobs[d]; ok {
		if m.bad == "" && m.size == n {
			delete(e.w.deleted, d) // deleted then stored again: keep the member
			return d, n, nil
		}
		e.markDeleted(d) // unreadable member: replaced by the new content
	}
	if err := os.Rename(f.Name(), filepath.Join(tmp.path, d.Encoded())); err != nil {
		return "", 0, fmt.Errorf("put blob %s: %w", d, writeErr("rename temp file", err))
	}
	keep = true
	if e.w.added == nil {
		e.w.added = map[digest.Digest]member{}
	}
	e.w.added[d] = member{name: blobPrefix + d.Encoded(), size: n, src: f}
	e.w.files = append(e.w.files, f)
	e.w.dirty = true
	return d, n, nil
}

// markDeleted leaves the archive member of blob d out of the new archive.
// The caller holds st.
func (e *Engine) markDeleted(d digest.Digest) {
	if e.w.deleted == nil {
		e.w.deleted = map[digest.Digest]bool{}
	}
	e.w.deleted[d] = true
	e.w.dirty = true
}

// DeleteBlob leaves blob d out of the archive Close writes. Deleting a
// missing blob succeeds and changes nothing, and so does deleting a blob
// that a member outside the layout names (Docker's manifest.json, a link
// into blobs/; see pinsOf): such a blob stays, readable and listed.
func (e *Engine) DeleteBlob(ctx context.Context, d digest.Digest) error {
	if err := e.lockExclusive(ctx, "delete blob"); err != nil {
		return err
	}
	if err := cas.ValidateDigest(d); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	e.st.Lock()
	defer e.st.Unlock()
	if _, ok := e.w.added[d]; ok {
		delete(e.w.added, d) // its file goes with the temporary directory
		e.w.dirty = true
	}
	if m, ok := e.cat.blobs[d]; ok && !m.dir && !e.w.deleted[d] {
		if why := e.pinned(d); why != "" {
			slog.Default().DebugContext(ctx, "archive: blob kept: a member outside the layout names it",
				"digest", d, "member", why)
			return nil
		}
		e.markDeleted(d)
	}
	return nil
}

// PutIndex replaces the index Close writes.
func (e *Engine) PutIndex(ctx context.Context, idx ispec.Index) error {
	if err := e.lockExclusive(ctx, "put index"); err != nil {
		return err
	}
	e.w.idxMu.Lock()
	defer e.w.idxMu.Unlock()
	if err := e.setIndex(idx); err != nil {
		return fmt.Errorf("put index: %w", err)
	}
	return nil
}

// UpdateIndex runs read → fn → write on the in-memory index. The engine
// holds the exclusive archive lock, so no other process changes the
// archive meanwhile; updates from goroutines of this engine are serialized.
// fn's error is returned unwrapped and nothing changes; an index fn leaves
// equal keeps its bytes (a no-op update does not rewrite the archive).
func (e *Engine) UpdateIndex(ctx context.Context, fn func(*ispec.Index) error) error {
	if err := e.lockExclusive(ctx, "update index"); err != nil {
		return err
	}
	e.w.idxMu.Lock()
	defer e.w.idxMu.Unlock()
	e.st.RLock()
	data := e.index
	e.st.RUnlock()
	idx, err := cas.DecodeIndex(data)
	if err != nil {
		return fmt.Errorf("update index: %w", err)
	}
	orig, _ := cas.DecodeIndex(data) // a deep copy: fn may change what idx shares
	if err := fn(&idx); err != nil {
		return err
	}
	if reflect.DeepEqual(idx, orig) {
		return nil // unchanged: the archive keeps its index.json bytes
	}
	if err := e.setIndex(idx); err != nil {
		return fmt.Errorf("update index: %w", err)
	}
	return nil
}

// setIndex encodes idx the way the directory backend writes index.json
// (compact JSON and a newline, OCI index media type, schema version 2,
// manifests never null) and makes it the index, marking the engine dirty
// when the bytes differ.
func (e *Engine) setIndex(idx ispec.Index) error {
	idx.SchemaVersion = 2
	idx.MediaType = ispec.MediaTypeImageIndex
	if idx.Manifests == nil {
		idx.Manifests = []ispec.Descriptor{}
	}
	data := cas.EncodeIndex(idx)
	if len(data) > cas.MaxIndexSize {
		return fmt.Errorf("encode index: %w: larger than %d bytes", cas.ErrInvalid, cas.MaxIndexSize)
	}
	e.st.Lock()
	defer e.st.Unlock()
	if !bytes.Equal(data, e.index) {
		e.index = data
		e.w.dirty = true
	}
	return nil
}

// LockExclusive makes the engine a writing one (see lockExclusive): it
// waits until no other engine has the archive open.
func (e *Engine) LockExclusive(ctx context.Context) error {
	return e.lockExclusive(ctx, "lock exclusively")
}

// Clean takes the exclusive lock, then removes the temporary directories
// that dead processes left next to the archive.
func (e *Engine) Clean(ctx context.Context) error {
	if err := e.lockExclusive(ctx, "clean archive"); err != nil {
		return err
	}
	return e.removeDeadTemps(ctx)
}

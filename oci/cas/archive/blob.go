package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// lookup finds the readable member of blob d: a blob this engine stored
// (or carried over, see rescan), else a member of the archive that was not
// deleted. m.src is set to what the content is read from.
func (e *Engine) lookup(op string, d digest.Digest) (member, error) {
	if err := e.checkOpen(op); err != nil {
		return member{}, err
	}
	if err := cas.ValidateDigest(d); err != nil {
		return member{}, fmt.Errorf("%s: %w", op, err)
	}
	e.st.RLock()
	defer e.st.RUnlock()
	m, ok := e.w.added[d]
	if !ok && !e.w.deleted[d] {
		m, ok = e.cat.blobs[d]
	}
	if !ok {
		return member{}, fmt.Errorf("%s %s: %w", op, d, cas.ErrNotExist)
	}
	if m.bad != "" {
		return member{}, fmt.Errorf("%s %s: %w: member %s %s", op, d, cas.ErrInvalid, m.name, m.bad)
	}
	if m.src == nil {
		m.src = e.r
	}
	return m, nil
}

// GetBlob returns blob d as a section of the archive (or, for a manifest
// synthesized from a legacy archive, from memory) behind a verifying reader
// (digest and the member's size).
func (e *Engine) GetBlob(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	m, err := e.lookup("get blob", d)
	if err != nil {
		return nil, err
	}
	var r io.Reader = io.NewSectionReader(m.src, m.offset, m.size)
	if m.mem != nil {
		r = bytes.NewReader(m.mem)
	}
	return hardening.NewVerifiedReader(io.NopCloser(r), d, m.size), nil
}

// StatBlob returns the size of blob d's member.
func (e *Engine) StatBlob(ctx context.Context, d digest.Digest) (int64, error) {
	m, err := e.lookup("stat blob", d)
	if err != nil {
		return 0, err
	}
	return m.size, nil
}

// ListBlobs returns the digest of every blobs/sha256/<hex> member that is not
// a directory and was not deleted, and of every blob this engine stored (in
// a legacy archive: of every synthesized manifest and member manifest.json
// names), sorted.
func (e *Engine) ListBlobs(ctx context.Context) ([]digest.Digest, error) {
	if err := e.checkOpen("list blobs"); err != nil {
		return nil, err
	}
	e.st.RLock()
	out := make([]digest.Digest, 0, len(e.cat.blobs)+len(e.w.added))
	for d, m := range e.cat.blobs {
		if !m.dir && !e.w.deleted[d] {
			out = append(out, d)
		}
	}
	for d := range e.w.added {
		out = append(out, d)
	}
	e.st.RUnlock()
	slices.Sort(out)
	return out, nil
}

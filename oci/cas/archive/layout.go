package archive

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lade-oci/lade/oci/cas"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Size caps, the same as the directory backend's.
const (
	maxLayoutFileSize = 1 << 20
	layoutVersion     = "1.0.0"
)

// readMember reads the whole content of m, refusing more than max bytes.
func (e *Engine) readMember(m *member, max int64) ([]byte, error) {
	if m.bad != "" {
		return nil, fmt.Errorf("%w: member %s %s", cas.ErrInvalid, m.name, m.bad)
	}
	if m.size > max {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", m.name, cas.ErrInvalid, max)
	}
	data := make([]byte, m.size)
	if _, err := e.r.ReadAt(data, m.offset); err != nil {
		// io.EOF: the file is shorter than when it was scanned.
		return nil, fmt.Errorf("read %s: %w", m.name, err)
	}
	return data, nil
}

// validate checks what an image archive must hold: oci-layout with version
// 1.0.0 and a parseable index.json, which it keeps: GetIndex serves this
// copy, so the index always matches the catalog even if the file is
// rewritten later (blob reads are digest-verified; index.json is not).
func (e *Engine) validate() error {
	if e.cat.layout == nil {
		return archiveErr(cas.ErrInvalid, nil, "%s is not an OCI image archive: missing %s member", e.path, layoutFile)
	}
	data, err := e.readMember(e.cat.layout, maxLayoutFileSize)
	if err != nil {
		return archiveErr(cas.ErrInvalid, err, "%s: %v", e.path, err)
	}
	var l struct {
		Version string `json:"imageLayoutVersion"`
	}
	if err := json.Unmarshal(data, &l); err != nil {
		return archiveErr(cas.ErrInvalid, err, "%s: %s: invalid JSON: %v", e.path, layoutFile, err)
	}
	if l.Version != layoutVersion {
		return archiveErr(cas.ErrInvalid, nil, "%s: %s: unsupported imageLayoutVersion %q", e.path, layoutFile, l.Version)
	}
	if e.cat.index == nil {
		return archiveErr(cas.ErrInvalid, nil, "%s: missing %s member", e.path, indexFile)
	}
	data, err = e.readMember(e.cat.index, cas.MaxIndexSize)
	if err != nil {
		return archiveErr(cas.ErrInvalid, err, "%s: %v", e.path, err)
	}
	if _, err := cas.DecodeIndex(data); err != nil {
		return archiveErr(cas.ErrInvalid, err, "%s: %v", e.path, err)
	}
	e.index = data
	return nil
}

// GetIndex returns index.json as read at Open, or as this engine last wrote
// it (a fresh copy every call).
func (e *Engine) GetIndex(ctx context.Context) (ispec.Index, error) {
	if err := e.checkOpen("get index"); err != nil {
		return ispec.Index{}, err
	}
	if err := ctx.Err(); err != nil {
		return ispec.Index{}, fmt.Errorf("get index: %w", err)
	}
	e.st.RLock()
	data := e.index
	e.st.RUnlock()
	idx, err := cas.DecodeIndex(data)
	if err != nil {
		return ispec.Index{}, fmt.Errorf("get index: %w", err)
	}
	return idx, nil
}

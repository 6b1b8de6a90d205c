package castest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// memStore is the state shared by every memory engine opened on it.
type memStore struct {
	mu        sync.Mutex
	blobs     map[digest.Digest][]byte
	index     []byte     // index.json as the dir backend would write it
	open      int        // engines not yet closed
	exclusive *memEngine // holder of LockExclusive, if any
	update    sync.Mutex // serialises UpdateIndex
}

// memEngine is one open engine on a memStore. It follows the same locking
// rules as the dir backend: opening waits while another engine holds
// LockExclusive, and LockExclusive waits until this is the only open engine.
type memEngine struct {
	s        *memStore
	readOnly bool
	mu       sync.Mutex
	closed   bool
}

var _ cas.Engine = (*memEngine)(nil)

// NewMemory returns a writable engine on a new, empty in-memory store. It
// keeps the whole contract of cas.Engine (verification, ErrNotExist,
// ErrInvalid, idempotency, index normalisation), so unit tests of packages
// above oci/cas can use it instead of a layout on disk.
func NewMemory() cas.Engine {
	idx, err := encodeIndex(ispec.Index{})
	if err != nil {
		panic("castest: [internal error] encode empty index: " + err.Error())
	}
	return (&memStore{blobs: map[digest.Digest][]byte{}, index: idx}).openEngine(false)
}

// openEngine opens another engine on s, waiting while it is locked
// exclusively.
func (s *memStore) openEngine(readOnly bool) *memEngine {
	for {
		s.mu.Lock()
		if s.exclusive == nil {
			s.open++
			s.mu.Unlock()
			return &memEngine{s: s, readOnly: readOnly}
		}
		s.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
}

// encodeIndex normalises and encodes an index like the dir backend does.
func encodeIndex(idx ispec.Index) ([]byte, error) {
	idx.SchemaVersion = 2
	idx.MediaType = ispec.MediaTypeImageIndex
	if idx.Manifests == nil {
		idx.Manifests = []ispec.Descriptor{}
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(idx); err != nil {
		return nil, fmt.Errorf("encode index: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeIndex(data []byte) (ispec.Index, error) {
	var idx ispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return ispec.Index{}, fmt.Errorf("index.json: %w: %w", cas.ErrInvalid, err)
	}
	if idx.Manifests == nil {
		idx.Manifests = []ispec.Descriptor{}
	}
	return idx, nil
}

func (e *memEngine) check(op string, write bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("%s: engine is closed", op)
	}
	if write && e.readOnly {
		return fmt.Errorf("%s: %w", op, cas.ErrReadOnly)
	}
	return nil
}

// PutBlob implements cas.Engine.
func (e *memEngine) PutBlob(ctx context.Context, r io.Reader) (digest.Digest, int64, error) {
	if err := e.check("put blob", true); err != nil {
		return "", 0, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: write: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	d := digest.SHA256.FromBytes(data)
	e.s.mu.Lock()
	if _, ok := e.s.blobs[d]; !ok {
		e.s.blobs[d] = data
	}
	e.s.mu.Unlock()
	return d, int64(len(data)), nil
}

// GetBlob implements cas.Engine.
func (e *memEngine) GetBlob(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	data, err := e.lookup("get blob", d)
	if err != nil {
		return nil, err
	}
	return hardening.NewVerifiedReader(io.NopCloser(bytes.NewReader(data)), d, int64(len(data))), nil
}

// StatBlob implements cas.Engine.
func (e *memEngine) StatBlob(ctx context.Context, d digest.Digest) (int64, error) {
	data, err := e.lookup("stat blob", d)
	return int64(len(data)), err
}

func (e *memEngine) lookup(op string, d digest.Digest) ([]byte, error) {
	if err := e.check(op, false); err != nil {
		return nil, err
	}
	if err := cas.ValidateDigest(d); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	e.s.mu.Lock()
	data, ok := e.s.blobs[d]
	e.s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s %s: %w", op, d, cas.ErrNotExist)
	}
	return data, nil
}

// DeleteBlob implements cas.Engine.
func (e *memEngine) DeleteBlob(ctx context.Context, d digest.Digest) error {
	if err := e.check("delete blob", true); err != nil {
		return err
	}
	if err := cas.ValidateDigest(d); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	e.s.mu.Lock()
	delete(e.s.blobs, d)
	e.s.mu.Unlock()
	return nil
}

// ListBlobs implements cas.Engine.
func (e *memEngine) ListBlobs(ctx context.Context) ([]digest.Digest, error) {
	if err := e.check("list blobs", false); err != nil {
		return nil, err
	}
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	out := make([]digest.Digest, 0, len(e.s.blobs))
	for d := range e.s.blobs {
		out = append(out, d)
	}
	return out, nil
}

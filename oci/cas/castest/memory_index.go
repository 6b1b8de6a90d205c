package castest

import (
	"context"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// GetIndex implements cas.Engine.
func (e *memEngine) GetIndex(ctx context.Context) (ispec.Index, error) {
	if err := e.check("get index", false); err != nil {
		return ispec.Index{}, err
	}
	e.s.mu.Lock()
	data := e.s.index
	e.s.mu.Unlock()
	idx, err := decodeIndex(data)
	if err != nil {
		return ispec.Index{}, fmt.Errorf("get index: %w", err)
	}
	return idx, nil
}

// PutIndex implements cas.Engine.
func (e *memEngine) PutIndex(ctx context.Context, idx ispec.Index) error {
	if err := e.check("put index", true); err != nil {
		return err
	}
	data, err := encodeIndex(idx)
	if err != nil {
		return fmt.Errorf("put index: %w", err)
	}
	e.s.mu.Lock()
	e.s.index = data
	e.s.mu.Unlock()
	return nil
}

// UpdateIndex implements cas.Engine.
func (e *memEngine) UpdateIndex(ctx context.Context, fn func(*ispec.Index) error) error {
	if err := e.check("update index", true); err != nil {
		return err
	}
	e.s.update.Lock()
	defer e.s.update.Unlock()
	idx, err := e.GetIndex(ctx)
	if err != nil {
		return fmt.Errorf("update index: %w", err)
	}
	if err := fn(&idx); err != nil {
		return err
	}
	if err := e.PutIndex(ctx, idx); err != nil {
		return fmt.Errorf("update index: %w", err)
	}
	return nil
}

// LockExclusive implements cas.Engine: it waits until this is the only open
// engine on the store.
func (e *memEngine) LockExclusive(ctx context.Context) error {
	if err := e.check("lock store", false); err != nil {
		return err
	}
	for {
		e.s.mu.Lock()
		if e.s.exclusive == e || (e.s.exclusive == nil && e.s.open == 1) {
			e.s.exclusive = e
			e.s.mu.Unlock()
			return nil
		}
		e.s.mu.Unlock()
		select {
		case <-ctx.Done():
			return fmt.Errorf("lock store exclusively: %w", context.Cause(ctx))
		case <-time.After(time.Millisecond):
		}
	}
}

// Clean implements cas.Engine. A memory store has no temporary files.
func (e *memEngine) Clean(ctx context.Context) error {
	return e.check("clean store", false)
}

// Close implements cas.Engine.
func (e *memEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	e.s.mu.Lock()
	e.s.open--
	if e.s.exclusive == e {
		e.s.exclusive = nil
	}
	e.s.mu.Unlock()
	return nil
}

// reopen opens another engine on the same store (for the suite's harness).
func (e *memEngine) reopen(readOnly bool) *memEngine { return e.s.openEngine(readOnly) }

// corrupt overwrites blob d's bytes (for the suite's harness).
func (e *memEngine) corrupt(d digest.Digest, data []byte) {
	e.s.mu.Lock()
	e.s.blobs[d] = append([]byte(nil), data...)
	e.s.mu.Unlock()
}

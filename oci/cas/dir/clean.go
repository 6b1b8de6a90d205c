package dir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Clean removes .lade-tmp-* files left in the layout by dead processes.
//
// A temp file belongs to a live process only while that process has the
// layout open, i.e. holds a lock on blobs/. So Clean removes anything only
// while it holds the exclusive lock: either the caller took it with
// LockExclusive, or Clean takes it for a moment when no other engine has the
// layout open. Otherwise it removes nothing and returns nil. This engine's
// own in-flight temp files are always kept. On a read-only layout Clean does
// nothing.
func (e *engine) Clean(ctx context.Context) error {
	if err := e.checkOpen("clean layout"); err != nil {
		return err
	}
	if e.readOnly {
		return nil
	}
	e.lockMu.Lock()
	defer e.lockMu.Unlock()
	if e.lockFile == nil {
		return fmt.Errorf("clean layout: engine is closed: %w", os.ErrClosed)
	}
	if e.exclusive {
		return e.removeTemps(ctx)
	}
	ok, err := e.tryExclusive(ctx, func() error { return e.removeTemps(ctx) })
	if err != nil {
		return fmt.Errorf("clean layout: %w", err)
	}
	if !ok {
		slog.Default().DebugContext(ctx, "clean layout: other engines have the layout open, skipping", "layout", e.root)
	}
	return nil
}

// removeTemps deletes every .lade-tmp-* entry at the top of the layout that
// is not one of this engine's live temp files. The caller holds the
// exclusive lock.
func (e *engine) removeTemps(ctx context.Context) error {
	entries, err := os.ReadDir(e.root)
	if err != nil {
		return fmt.Errorf("clean layout: %w", err)
	}
	var errs []error
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasPrefix(name, tempPrefix) {
			continue
		}
		e.mu.Lock()
		_, live := e.live[name]
		e.mu.Unlock()
		if live {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("clean layout: %w", err)
		}
		err := os.RemoveAll(filepath.Join(e.root, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, writeErr("remove "+name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean layout: %w", err)
	}
	return nil
}

package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/lade-oci/lade/internal/system"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// writeState is what a writing engine changed, held until Close commits it.
// It is guarded by Engine.st.
type writeState struct {
	locked  bool                     // the exclusive lock is held
	tmp     *tempDir                 // nil until a blob or the new archive is written
	added   map[digest.Digest]member // blobs to append, src set (stored, or carried over by rescan)
	deleted map[digest.Digest]bool   // archive blobs to leave out
	dirty   bool                     // something changed: Close writes a new archive
	files   []*os.File               // closed by release: stored blobs, replaced archives
	idxMu   sync.Mutex               // serializes PutIndex and UpdateIndex (not guarded by st)
}

// release closes the files the write state holds and removes its temporary
// directory.
func (w *writeState) release() error {
	var errs []error
	for _, f := range w.files {
		if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, err)
		}
	}
	w.files = nil
	if w.tmp != nil {
		errs = append(errs, w.tmp.remove())
		w.tmp = nil
	}
	return errors.Join(errs...)
}

// rescan replaces the engine's archive by the file now at e.real, which a
// writer renamed there while lockExclusive waited: it opens and locks the
// new file exclusively, scans and validates it, and serves its index from
// now on. Blobs of the old archive that the new one lacks (a concurrent gc
// removed them) stay readable from the old file and are written into the
// archive at Close if anything changes, so that nothing this engine's
// caller read before the switch can dangle. Nothing was written before the
// switch: the write state is still empty.
func (e *Engine) rescan(ctx context.Context) error {
	f, err := openLocked(ctx, e.real, system.LockExclusive)
	if err != nil {
		return fmt.Errorf("reopen replaced archive: %w", err)
	}
	ne, err := open(ctx, f, e.path)
	if err != nil {
		f.Close()
		return fmt.Errorf("reopen replaced archive: %w", err)
	}
	e.st.Lock()
	defer e.st.Unlock()
	if e.w.added == nil {
		e.w.added = map[digest.Digest]member{}
	}
	for d, m := range e.cat.blobs {
		if _, ok := ne.cat.blobs[d]; ok || m.dir || m.bad != "" || m.mem != nil {
			continue
		}
		if m.src == nil {
			m.src = e.r
		}
		e.w.added[d] = m
	}
	_ = unix.Flock(int(e.f.Fd()), unix.LOCK_UN)
	e.w.files = append(e.w.files, e.f)
	e.f, e.r, e.c = f, f, f
	e.cat, e.index, e.legacy = ne.cat, ne.index, ne.legacy
	return nil
}

package dir

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/lade-oci/lade/oci/cas"
)

// engine is the cas.Engine of one opened layout directory.
type engine struct {
	root     string // absolute path of the layout
	readOnly bool   // the layout cannot be written by this process
	owner    owner  // who created files are given to (root only)

	// lockMu serialises lock conversions and Close. lockFile is an fd on
	// blobs/ carrying this engine's flock (shared, or exclusive after
	// LockExclusive); nil once closed.
	lockMu    sync.Mutex
	lockFile  *os.File
	exclusive bool

	// mu guards closed and live, the temp files this engine is writing
	// right now (Clean never removes those).
	mu     sync.Mutex
	closed bool
	live   map[string]struct{}
	// parsed is the index Open parsed, for the first reader (see
	// currentIndex); also guarded by mu.
	parsed *parsedIndex

	// blobsUnsynced is set when a blob was renamed into (or found in)
	// blobs/sha256 since the directory was last synced (see syncBlobs).
	blobsUnsynced atomic.Bool
}

var _ cas.Engine = (*engine)(nil)

// checkOpen fails once the engine is closed.
func (e *engine) checkOpen(op string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("%s: engine is closed: %w", op, os.ErrClosed)
	}
	return nil
}

// checkWritable fails once the engine is closed or when the layout is
// read-only (cas.ErrReadOnly).
func (e *engine) checkWritable(op string) error {
	if err := e.checkOpen(op); err != nil {
		return err
	}
	if e.readOnly {
		return fmt.Errorf("%s: %w", op, cas.ErrReadOnly)
	}
	return nil
}

// Close makes the blobs it stored durable and releases the engine's lock.
// It is idempotent.
func (e *engine) Close() error {
	e.lockMu.Lock()
	defer e.lockMu.Unlock()
	e.mu.Lock()
	already := e.closed
	e.closed = true
	e.mu.Unlock()
	if already {
		return nil
	}
	syncErr := e.syncBlobs()
	if e.lockFile == nil {
		if syncErr != nil {
			return fmt.Errorf("close layout: %w", syncErr)
		}
		return nil
	}
	err := e.lockFile.Close()
	e.lockFile = nil
	e.exclusive = false
	if err = errors.Join(syncErr, err); err != nil {
		return fmt.Errorf("close layout: %w", err)
	}
	return nil
}

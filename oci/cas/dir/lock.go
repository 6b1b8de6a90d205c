package dir

import (
	"context"
	"errors"
	"fmt"

	"github.com/lade-oci/lade/internal/system"
	"golang.org/x/sys/unix"
)

// LockExclusive converts the engine's shared lock on blobs/ into an
// exclusive one, waiting (until ctx is done) for every other engine on the
// layout to be closed. While it is held no other engine can be opened.
// If ctx ends first the shared lock is restored when possible.
func (e *engine) LockExclusive(ctx context.Context) error {
	e.lockMu.Lock()
	defer e.lockMu.Unlock()
	if err := e.checkOpen("lock layout"); err != nil {
		return err
	}
	if e.exclusive {
		return nil
	}
	if err := system.FlockWait(ctx, e.lockFile, system.LockExclusive); err != nil {
		// The failed conversion dropped our shared lock: take it back if
		// nobody else got in exclusively meanwhile.
		_ = unix.Flock(int(e.lockFile.Fd()), unix.LOCK_SH|unix.LOCK_NB)
		return fmt.Errorf("lock layout exclusively: %w", err)
	}
	e.exclusive = true
	return nil
}

// tryExclusive takes the exclusive lock for the duration of fn if no other
// engine has the layout open, and reports whether it did. The shared lock
// is held again afterwards (waiting for it, until ctx is done, if another
// engine slipped in an exclusive lock when the conversion failed).
func (e *engine) tryExclusive(ctx context.Context, fn func() error) (bool, error) {
	fd := int(e.lockFile.Fd())
	err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		if err := system.FlockWait(ctx, e.lockFile, system.LockShared); err != nil {
			return false, fmt.Errorf("restore shared lock: %w", err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("flock %s: %w", e.lockFile.Name(), err)
	}
	fnErr := fn()
	// Exclusive → shared never conflicts: we were the only holder.
	if err := unix.Flock(fd, unix.LOCK_SH); err != nil {
		return true, errors.Join(fnErr, fmt.Errorf("restore shared lock: %w", err))
	}
	return true, fnErr
}

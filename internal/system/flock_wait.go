package system

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lade-oci/lade/internal/interrupt"
)

// Poll intervals for waiting on a contended flock.
const (
	lockPollMin = time.Millisecond
	lockPollMax = 50 * time.Millisecond
)

// FlockWait takes the flock(2) lock mode on f, waiting while another open
// file description holds a conflicting lock, until ctx is done. It polls
// with LOCK_NB so that cancellation is honoured.
//
// On Linux a failed conversion (shared → exclusive) drops the lock already
// held on f: callers that convert must restore it, or re-check what they
// read under it, on failure.
func FlockWait(ctx context.Context, f *os.File, mode LockMode) error {
	delay := lockPollMin
	for {
		err := unix.Flock(int(f.Fd()), int(mode)|unix.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("flock %s: %w", f.Name(), err)
		}
		// The wait can be long: let a signal cancel it (interrupt.Arm).
		interrupt.Arm(ctx)
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("flock %s: %w", f.Name(), context.Cause(ctx))
		case <-timer.C:
		}
		delay = min(delay*2, lockPollMax)
	}
}

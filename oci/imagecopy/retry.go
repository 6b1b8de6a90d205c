package imagecopy

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lade-oci/lade/oci/transport"
)

// maxRetryDelay caps the doubling wait between retries.
const maxRetryDelay = time.Minute

// retry calls fn until it succeeds, fails with an error that is not
// transient (transport.IsTransient), or has been retried
// Options.RetryTimes times, waiting RetryDelay, then twice that, and so
// on between tries. A cancelled ctx ends the wait.
func (c *copier) retry(ctx context.Context, what string, fn func() error) error {
	delay := cmp.Or(c.opts.RetryDelay, DefaultRetryDelay)
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt > c.opts.RetryTimes || !transport.IsTransient(err) || ctx.Err() != nil {
			return err
		}
		slog.WarnContext(ctx, "retrying after a transient failure", "operation", what,
			"retry", attempt, "of", c.opts.RetryTimes, "delay", delay, "error", err)
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%w (waiting to retry after: %w)", ctx.Err(), err)
		case <-timer.C:
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

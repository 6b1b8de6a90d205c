package transport

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"
)

// DefaultRetryDelay is the wait before the first retry of Retry; it
// doubles with every further retry, up to MaxRetryDelay.
const DefaultRetryDelay = time.Second

// MaxRetryDelay caps the doubling wait between retries.
const MaxRetryDelay = time.Minute

// Retry calls fn until it succeeds, fails with an error that is not
// transient (IsTransient: an error a transport has already retried,
// marked with Retried, is not), or has been retried times times (0: fn
// is called once), waiting delay (0: DefaultRetryDelay), then twice that
// and so on between tries, and logging each retry as a warning naming
// what. It is the retry of whole operations (a blob transfer that failed
// in the middle) that the copy engine and a pull share; a cancelled ctx
// ends the wait.
func Retry(ctx context.Context, times int, delay time.Duration, what string, fn func() error) error {
	delay = cmp.Or(delay, DefaultRetryDelay)
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt > times || !IsTransient(err) || ctx.Err() != nil {
			return err
		}
		slog.WarnContext(ctx, "retrying after a transient failure", "operation", what,
			"retry", attempt, "of", times, "delay", delay, "error", err)
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%w (waiting to retry after: %w)", ctx.Err(), err)
		case <-timer.C:
		}
		delay = min(2*delay, MaxRetryDelay)
	}
}

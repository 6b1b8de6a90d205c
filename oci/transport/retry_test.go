package transport

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRetry(t *testing.T) {
	reset := Transient(errors.New("connection reset"))
	for _, tc := range []struct {
		err   error
		times int
		calls int
	}{
		{reset, 0, 1}, {reset, 1, 2}, {reset, 3, 4},
		{Retried(reset), 3, 1},                  // the transport already retried it
		{errors.New("permission denied"), 3, 1}, // not transient
	} {
		calls := 0
		err := Retry(t.Context(), tc.times, time.Microsecond, "test", func() error {
			calls++
			return tc.err
		})
		if calls != tc.calls || !errors.Is(err, tc.err) {
			t.Errorf("Retry(%d) of %v: %d calls, %v; want %d calls", tc.times, tc.err, calls, err, tc.calls)
		}
	}
	calls := 0
	if err := Retry(t.Context(), 3, time.Microsecond, "test", func() error {
		if calls++; calls < 3 {
			return reset
		}
		return nil
	}); err != nil || calls != 3 {
		t.Fatalf("success on the third try: %d calls, %v", calls, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(10*time.Millisecond, cancel)
	err := Retry(ctx, 3, time.Hour, "test", func() error { return reset })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, reset) {
		t.Fatalf("cancelled wait: %v", err)
	}
}

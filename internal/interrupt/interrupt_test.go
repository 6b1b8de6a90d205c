package interrupt

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"
)

func TestUnarmedContextHasNoHandler(t *testing.T) {
	ctx, stop := Context(context.Background())
	defer stop()
	if Armed(ctx) {
		t.Fatal("armed before Arm")
	}
	Arm(context.Background()) // no Context: nothing happens
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	Arm(child)
	if !Armed(ctx) || !Armed(child) {
		t.Fatal("Arm on a derived context did not arm its Context")
	}
}

func TestArmedContextIsCancelledBySignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		ctx, stop := Context(context.Background())
		Arm(ctx)
		Arm(ctx) // once
		if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("%v did not cancel the armed context", sig)
		}
		cause := context.Cause(ctx)
		if !errors.Is(cause, context.Canceled) || cause.Error() != sig.String()+" signal received" {
			t.Errorf("%v: cause %q", sig, cause)
		}
		stop()
	}
}

func TestStopThenArmDoesNothing(t *testing.T) {
	ctx, stop := Context(context.Background())
	stop()
	Arm(ctx)
	if Armed(ctx) {
		t.Fatal("armed after stop")
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatalf("context after stop: %v", ctx.Err())
	}
}

package system

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/interrupt"
)

// TestFlockWait: a conflicting lock held through another open file makes
// FlockWait wait until it is released, or until ctx is done.
func TestFlockWait(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	open := func() *os.File {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	holder, waiter := open(), open()
	if err := FlockWait(t.Context(), holder, LockExclusive); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := FlockWait(ctx, waiter, LockShared); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("contended lock: %v, want the context's deadline", err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = Flock(holder.Fd(), Unlock)
	}()
	if err := FlockWait(t.Context(), waiter, LockShared); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

// TestFlockWaitArmsInterrupts: a wait for a lock someone else holds can be
// long, so it installs the signal handler of an interrupt.Context, and
// SIGINT then ends the wait with the signal's message.
func TestFlockWaitArmsInterrupts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	holder, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	waiter, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer waiter.Close()
	ctx, stop := interrupt.Context(t.Context())
	defer stop()
	if err := FlockWait(ctx, holder, LockExclusive); err != nil {
		t.Fatal(err)
	}
	if interrupt.Armed(ctx) {
		t.Fatal("an uncontended lock armed the handler")
	}
	done := make(chan error, 1)
	go func() { done <- FlockWait(ctx, waiter, LockShared) }()
	for deadline := time.Now().Add(10 * time.Second); !interrupt.Armed(ctx); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("waiting for a held lock did not arm the handler")
		}
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupt signal received") {
			t.Fatalf("wait after SIGINT: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGINT did not end the wait")
	}
}

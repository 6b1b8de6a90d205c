package system

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
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

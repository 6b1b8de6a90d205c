package interrupt

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

type key struct{}

// handler is the signal handler of one Context, installed at most once.
type handler struct {
	cancel  context.CancelCauseFunc
	mu      sync.Mutex
	armed   bool
	stopped bool
	ch      chan os.Signal
	done    chan struct{}
}

// Context returns a child of parent that SIGINT or SIGTERM cancels once
// Arm has been called with it (or a context derived from it); the cause is
// "interrupt signal received" or "terminated signal received", an error
// that matches context.Canceled, as with signal.NotifyContext. stop
// removes the handler (a later Arm does nothing) and cancels the context.
func Context(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	h := &handler{cancel: cancel, done: make(chan struct{})}
	return context.WithValue(ctx, key{}, h), h.stop
}

// Arm installs the signal handler of the Context ctx derives from, if it
// is not installed yet; without such a Context it does nothing.
func Arm(ctx context.Context) {
	if h, ok := ctx.Value(key{}).(*handler); ok {
		h.arm()
	}
}

// Armed reports whether the handler of ctx's Context is installed.
func Armed(ctx context.Context) bool {
	h, ok := ctx.Value(key{}).(*handler)
	if !ok {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.armed
}

func (h *handler) arm() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.armed || h.stopped {
		return
	}
	h.armed = true
	h.ch = make(chan os.Signal, 1)
	signal.Notify(h.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-h.ch:
			h.cancel(signalError(s.String() + " signal received"))
		case <-h.done:
		}
	}()
}

func (h *handler) stop() {
	h.mu.Lock()
	if !h.stopped {
		h.stopped = true
		if h.armed {
			signal.Stop(h.ch)
		}
		close(h.done)
	}
	h.mu.Unlock()
	h.cancel(nil)
}

// signalError is the cause of a Context cancelled by a signal.
type signalError string

func (s signalError) Error() string { return string(s) }

// Is makes the cause match context.Canceled, as signal.NotifyContext's does.
func (s signalError) Is(target error) bool { return target == context.Canceled }

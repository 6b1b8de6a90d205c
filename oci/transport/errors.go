package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
)

// Sentinel errors that transports wrap.
var (
	// ErrNotFound matches a missing image, tag, manifest or blob.
	ErrNotFound = errors.New("not found")
	// ErrUnsupported matches an operation a transport cannot do (a
	// multi-image index into docker-archive:, delete on oci-archive:).
	ErrUnsupported = errors.New("not supported")
)

// Transient marks err as a failure that may succeed if tried again (an
// HTTP 5xx, 408 or 429 answer); errors.Is(Transient(err), ErrTransient)
// holds and the original error is kept in the chain.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return transientError{err}
}

// ErrTransient matches errors marked with Transient.
var ErrTransient = errors.New("transient failure")

type transientError struct{ err error }

func (e transientError) Error() string        { return e.err.Error() }
func (e transientError) Unwrap() []error      { return []error{e.err, ErrTransient} }
func (e transientError) Is(target error) bool { return target == ErrTransient }

// IsTransient reports whether err is worth retrying: marked with Transient,
// a connection reset or refused, a broken pipe, an unexpected EOF or a
// network timeout. A cancelled or expired ctx is never transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, ErrTransient) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

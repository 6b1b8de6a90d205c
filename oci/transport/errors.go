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

// Retried marks err as the last failure of a request the transport has
// already retried as often as Options.RetryTimes allows (a registry's HTTP
// client retries the requests it can send again). IsTransient is false
// for it, whatever it wraps, so that the copy engine does not retry the
// retries: --retry-times N stays at most N+1 tries of a request.
// errors.Is(Retried(err), ErrRetried) holds; the text and the chain are
// err's.
func Retried(err error) error {
	if err == nil {
		return nil
	}
	return retriedError{err}
}

// ErrRetried matches errors marked with Retried.
var ErrRetried = errors.New("retries exhausted")

type retriedError struct{ err error }

func (e retriedError) Error() string        { return e.err.Error() }
func (e retriedError) Unwrap() error        { return e.err }
func (e retriedError) Is(target error) bool { return target == ErrRetried }

// IsTransient reports whether err is worth retrying: marked with Transient,
// a connection reset, a broken pipe, an unexpected EOF or a network
// timeout, and not marked with Retried. A cancelled or expired ctx is
// never transient, nor is a refused connection (nothing listens there: a
// registry that is down or a wrong port, which another try does not fix).
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, ErrRetried) || errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	if errors.Is(err, ErrTransient) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

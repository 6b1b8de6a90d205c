package registry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// retryPolicy is the oras retry.Policy lade uses: at most max retries of
// a request that got a connection reset, a timeout or stall, or an HTTP
// 408, 429 or 5xx (but 501 and 505) answer; exponential backoff from
// retryMinWait to retryMaxWait with jitter, or the registry's Retry-After
// (seconds or a date) capped at retryAfterCap, so that a hostile registry
// cannot park a copy for hours. A request whose body cannot be rewound is
// not retried here (the retry transport checks that); its error is marked
// transient for the copy engine's whole-blob retry.
type retryPolicy struct {
	max int
	s   settings
}

// Retry implements retry.Policy.
func (p retryPolicy) Retry(attempt int, resp *http.Response, err error) (time.Duration, error) {
	if attempt >= p.max {
		return -1, nil
	}
	if err != nil {
		if !retryableError(err) {
			return -1, nil
		}
	} else if !retryableStatus(resp.StatusCode) {
		return -1, nil
	}
	wait := p.s.retryMinWait << min(attempt, 20)
	if wait > p.s.retryMaxWait || wait <= 0 {
		wait = p.s.retryMaxWait
	}
	wait = wait*9/10 + rand.N(wait/5+1)
	if resp != nil {
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			wait = min(ra, p.s.retryAfterCap)
		}
	}
	return wait, nil
}

// retryableStatus reports whether an HTTP status is worth another try.
func retryableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return true
	case code == http.StatusNotImplemented || code == http.StatusHTTPVersionNotSupported:
		return false
	}
	return code >= 500 && code <= 599
}

// retryableError reports whether a failed round trip is worth another
// try: resets, broken pipes, truncated answers and timeouts (stalls
// included), never a cancelled context or a refused connection (a wrong
// port should fail at once).
func retryableError(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	return networkTimeout(err)
}

// networkTimeout reports whether err is a network timeout (a stall, a
// connect, TLS handshake or response header timeout) and not the expiry
// of the caller's context. net/http's header timeout also matches
// context.DeadlineExceeded with errors.Is, so the chain is walked for the
// context's own error value instead.
func networkTimeout(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e == context.DeadlineExceeded {
			return false
		}
		if _, ok := e.(*url.Error); ok {
			continue
		}
		if ne, ok := e.(net.Error); ok && ne.Timeout() {
			return true
		}
	}
	return false
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 1<<30)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

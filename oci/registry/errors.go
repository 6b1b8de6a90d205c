package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/transport"
)

// ErrUnauthorized matches a registry's 401 or 403 answer (and a token
// server's), and a registry that wants credentials none were found for.
var ErrUnauthorized = errors.New("unauthorized")

// StatusError is an HTTP error answer of a registry, worded as one line:
// the registry's error codes and messages (oras-go's errcode), or the
// HTTP status when it sent none; a 401 or 403 starts with "unauthorized: ".
type StatusError struct {
	StatusCode int
	// Errors are the registry's error codes and messages, if it sent any.
	Errors errcode.Errors
}

func (e *StatusError) Error() string {
	msgs := make([]string, 0, len(e.Errors))
	for _, ee := range e.Errors {
		// The code as oras words it, and the message; not the detail,
		// which registries fill with Go maps.
		m := errcode.Error{Code: ee.Code, Message: ee.Message}.Error()
		msgs = append(msgs, strings.Join(strings.Fields(m), " "))
	}
	msg := strings.Join(msgs, "; ")
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.unauthorized() && !strings.HasPrefix(msg, "unauthorized:") {
		msg = "unauthorized: " + msg
	}
	return msg
}

func (e *StatusError) unauthorized() bool {
	return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
}

// Is makes a 401/403 match ErrUnauthorized and a 404 transport.ErrNotFound.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.unauthorized()
	case transport.ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	}
	return false
}

// mapError turns what oras-go and net/http return into lade's one-line
// errors: StatusError for HTTP error answers, TLSError for certificate
// failures, transport.ErrNotFound for oras' not-found, and net/http's
// url.Error without its (possibly signed) URL query. A failure worth
// another try (a 408, 429 or 5xx answer, a reset, a timeout) is marked
// transport.Transient, unless the HTTP client already retried it
// (outcomeTransport marked it transport.Retried, which stays).
func mapError(err error) error {
	if err == nil {
		return nil
	}
	mapped, transient := classifyError(err)
	switch {
	case errors.Is(err, transport.ErrRetried):
		return transport.Retried(mapped)
	case transient:
		return transport.Transient(mapped)
	}
	return mapped
}

// classifyError rewords err (see mapError) and reports whether it is
// worth another try.
func classifyError(err error) (error, bool) {
	var resp *errcode.ErrorResponse
	if errors.As(err, &resp) {
		return &StatusError{StatusCode: resp.StatusCode, Errors: resp.Errors}, retryableStatus(resp.StatusCode)
	}
	if te := tlsError(err); te != nil {
		return te, false
	}
	if e := orasCheckError(err); e != nil {
		return e, false
	}
	if e := authError(err); e != nil {
		return e, false
	}
	if errors.Is(err, errdef.ErrNotFound) && !errors.Is(err, transport.ErrNotFound) {
		// oras says "REGISTRY/REPO:REF: not found", which the caller's
		// context ("read manifest REF in REGISTRY/REPO") already names.
		return transport.ErrNotFound, false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr == nil {
			err = fmt.Errorf("%s %s: %w", ue.Op, redactURL(u), ue.Err)
		}
	}
	if networkTimeout(err) && errors.Is(err, context.DeadlineExceeded) {
		// net/http's response header timeout also matches
		// context.DeadlineExceeded, which transport.IsTransient takes for
		// the caller's deadline: keep the text, drop the match.
		err = timeoutError{err.Error()}
	}
	return err, transport.IsTransient(err) || networkTimeout(err)
}

// timeoutError is a network timeout that does not match
// context.DeadlineExceeded.
type timeoutError struct{ msg string }

func (e timeoutError) Error() string   { return e.msg }
func (e timeoutError) Timeout() bool   { return true }
func (e timeoutError) Temporary() bool { return true }

// tlsError returns the TLSError err holds, if it is a certificate
// verification failure or an http answer to https.
func tlsError(err error) *TLSError {
	var te *TLSError
	if errors.As(err, &te) {
		return te
	}
	var cve *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	host := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
	}
	switch {
	case errors.As(err, &cve):
		return &TLSError{Host: host, Err: cve.Err}
	case errors.As(err, &ua):
		return &TLSError{Host: host, Err: ua}
	case errors.As(err, &he):
		return &TLSError{Host: host, Err: he}
	case errors.As(err, &ci):
		return &TLSError{Host: host, Err: ci}
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return &TLSError{Host: host, PlainHTTP: true, Err: errors.New("http: server gave HTTP response to HTTPS client")}
	}
	return nil
}

// orasCheckError rewords the checks oras-go makes on a response, which it
// returns as plain text with the full URL: a Docker-Content-Digest or
// Content-Length that does not match what was asked for is a
// cas.ErrDigestMismatch, a manifest served with another Content-Type a
// media type error.
func orasCheckError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "digest mismatch in Docker-Content-Digest"):
		return fmt.Errorf("%w: the registry's Docker-Content-Digest is not the digest asked for", cas.ErrDigestMismatch)
	case strings.Contains(msg, "invalid response header: `Docker-Content-Digest"),
		strings.Contains(msg, "invalid response header value: `Docker-Content-Digest"):
		return fmt.Errorf("%w: the registry sent an invalid Docker-Content-Digest", cas.ErrDigestMismatch)
	case strings.Contains(msg, "mismatch Content-Length"):
		return fmt.Errorf("%w: the registry's Content-Length is not the size asked for", cas.ErrDigestMismatch)
	case strings.Contains(msg, "mismatch response Content-Type"):
		return errors.New("the registry served the manifest with another media type than asked for")
	}
	return nil
}

// authError rewords oras-go's authentication failures: no credential for
// a registry that wants one, and a token where basic authentication is
// asked for (basicCache's error, which oras wraps with the URL).
func authError(err error) error {
	switch {
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return fmt.Errorf("%w: authentication required and no credentials were found (see --creds, --authfile)", ErrUnauthorized)
	case errors.Is(err, errTokenForBasic):
		return errTokenForBasic
	case strings.Contains(err.Error(), "missing username or password for basic auth"):
		return fmt.Errorf("%w: the registry asks for a user name and password (basic authentication), and the credentials given lack one", ErrUnauthorized)
	}
	return nil
}

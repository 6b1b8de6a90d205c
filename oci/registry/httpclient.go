package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"oras.land/oras-go/v2/registry/remote/retry"

	"github.com/lade-oci/lade/oci/transport"
)

// transportKey identifies a shareable *http.Transport: one per registry
// host and TLS setup, so that every source, destination and operation on
// the same registry in this process shares its keep-alive connections.
type transportKey struct {
	host     string
	certDir  string
	insecure bool
}

// pool holds what the process shares between registry users. It is built
// lazily: importing the package costs nothing.
var pool struct {
	mu         sync.Mutex
	transports map[transportKey]*http.Transport
	plainHTTP  map[string]bool // host -> answered only over plain HTTP (insecure hosts only)
}

// sharedTransport returns the connection pool for host with opts' TLS
// setup, building it on first use.
func sharedTransport(host string, opts transport.Options) (*http.Transport, error) {
	s := current
	key := transportKey{host: host, certDir: certDir(s, host, opts.CertDir), insecure: opts.InsecureSkipTLSVerify()}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if tr := pool.transports[key]; tr != nil {
		return tr, nil
	}
	tlsCfg, err := tlsConfig(key.certDir, key.insecure)
	if err != nil {
		return nil, fmt.Errorf("set up TLS for %s: %w", host, err)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer(s),
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   s.tlsHandshakeTimeout,
		ResponseHeaderTimeout: s.responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		// Blobs are fetched as stored: no transparent gzip.
		DisableCompression: true,
	}
	if pool.transports == nil {
		pool.transports = map[transportKey]*http.Transport{}
	}
	pool.transports[key] = tr
	return tr, nil
}

// httpClient returns an HTTP client for host: the shared transport under
// debug logging and opts' retry policy, the marking of what the retries
// could not fix (outcomeTransport), and bounded redirects.
func httpClient(host string, opts transport.Options) (*http.Client, error) {
	tr, err := sharedTransport(host, opts)
	if err != nil {
		return nil, err
	}
	s := current
	policy := retryPolicy{max: retryTimes(opts.RetryTimes), s: s}
	return &http.Client{
		Transport:     outcomeTransport{&retry.Transport{Base: logTransport{tr}, Policy: func() retry.Policy { return policy }}},
		CheckRedirect: checkRedirect(s.maxRedirects),
	}, nil
}

// checkRedirect bounds a redirect chain, refuses schemes other than http
// and https and a downgrade from https to http, and drops the
// Authorization header once the chain leaves the first request's origin
// (oras-go's auth client does that too; this keeps it true for every
// client the package builds).
func checkRedirect(maxRedirects int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		first := via[0].URL
		switch req.URL.Scheme {
		case "https":
		case "http":
			if first.Scheme == "https" {
				return fmt.Errorf("refusing a redirect from https to http (%s)", req.URL.Host)
			}
		default:
			return fmt.Errorf("refusing a redirect to a %q URL", req.URL.Scheme)
		}
		if !strings.EqualFold(first.Scheme, req.URL.Scheme) || !strings.EqualFold(first.Host, req.URL.Host) {
			req.Header.Del("Authorization")
		}
		return nil
	}
}

// usePlainHTTP reports whether host must be spoken to over plain HTTP:
// only when TLS verification is off, and only when https fails where
// http answers, as skopeo decides. localhost and 127.0.0.1 get no
// exception (skopeo 1.9 makes none either). The answer is remembered per
// host.
func usePlainHTTP(ctx context.Context, host string, opts transport.Options) (bool, error) {
	if !opts.InsecureSkipTLSVerify() {
		return false, nil
	}
	pool.mu.Lock()
	plain, known := pool.plainHTTP[host]
	pool.mu.Unlock()
	if known {
		return plain, nil
	}
	tr, err := sharedTransport(host, opts)
	if err != nil {
		return false, err
	}
	client := &http.Client{Transport: logTransport{tr}, CheckRedirect: checkRedirect(current.maxRedirects)}
	httpsErr := ping(ctx, client, "https://"+host+"/v2/")
	if httpsErr == nil {
		plain = false
	} else {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		httpErr := ping(ctx, client, "http://"+host+"/v2/")
		if httpErr != nil {
			return false, pingError(host, httpsErr, httpErr)
		}
		plain = true
	}
	pool.mu.Lock()
	if pool.plainHTTP == nil {
		pool.plainHTTP = map[string]bool{}
	}
	pool.plainHTTP[host] = plain
	pool.mu.Unlock()
	return plain, nil
}

// pingError is the failure of both probes of host: the failure of the
// scheme the registry seems to speak (http when https got a plain HTTP
// answer, else https), and the other one's too when it failed otherwise
// (a registry that accepts connections and never answers: the TLS
// handshake's timeout, then plain HTTP's).
func pingError(host string, httpsErr, httpErr error) error {
	first, other, scheme := httpsErr, httpErr, "http"
	if te := tlsError(httpsErr); te != nil && te.PlainHTTP {
		first, other, scheme = httpErr, nil, ""
	}
	if other != nil && rootCause(other) != rootCause(first) {
		return fmt.Errorf("ping registry %s: %w (over %s: %s)", host, mapError(first), scheme, mapError(other))
	}
	return fmt.Errorf("ping registry %s: %w", host, mapError(first))
}

// rootCause is the text of the innermost error of err's chain.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// errNoAnswer is the cause of a probe that timed out.
var errNoAnswer = errors.New("no answer")

// ping sends GET url and waits at most settings.pingTimeout for the
// answer; any HTTP answer (401 included) is success.
func ping(ctx context.Context, client *http.Client, url string) error {
	wait := current.pingTimeout
	pctx, cancel := context.WithTimeoutCause(ctx, wait, errNoAnswer)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() == nil && context.Cause(pctx) == errNoAnswer {
			return &neturl.Error{Op: "Get", URL: url, Err: timeoutError{fmt.Sprintf("no answer within %s", wait)}}
		}
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.Body.Close()
}

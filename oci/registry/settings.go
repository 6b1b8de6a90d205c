package registry

import "time"

// MaxIdleConnsPerHost is how many idle keep-alive connections to one
// registry are kept for reuse: more than the copy engine's parallel blob
// transfers, so that parallel layers never redial.
const MaxIdleConnsPerHost = 32

// settings are the limits and timeouts of the client. Tests replace
// current with shorter ones (see setSettings in the tests).
type settings struct {
	dialTimeout           time.Duration // TCP connect
	tlsHandshakeTimeout   time.Duration
	responseHeaderTimeout time.Duration // request sent -> response headers
	// pingTimeout bounds each probe of the scheme (GET /v2/ over https,
	// then http, with --tls-verify=false), connection and TLS handshake
	// included: /v2/ answers at once, unlike a registry finishing a
	// large upload.
	pingTimeout time.Duration
	// stallTimeout fails a connection on which nothing was read or written
	// for that long. It also bounds the wait for response headers (a
	// registry finishing a large upload), hence its generous default.
	stallTimeout    time.Duration
	retryMinWait    time.Duration // first backoff
	retryMaxWait    time.Duration // cap on the exponential backoff
	retryAfterCap   time.Duration // cap on a registry's Retry-After
	maxRedirects    int
	tagListMaxPages int
	tagListMaxBytes int64 // all tag names together
	// certsDirs are the certs.d base directories searched for HOST[:PORT]/
	// when Options.CertDir is empty; nil means defaultCertsDirs().
	certsDirs []string
}

// current is the settings in use. It is a plain value so that it costs
// nothing at start-up.
var current = settings{
	dialTimeout:           30 * time.Second,
	tlsHandshakeTimeout:   15 * time.Second,
	responseHeaderTimeout: 2 * time.Minute,
	pingTimeout:           30 * time.Second,
	stallTimeout:          2 * time.Minute,
	retryMinWait:          500 * time.Millisecond,
	retryMaxWait:          10 * time.Second,
	retryAfterCap:         30 * time.Second,
	maxRedirects:          10,
	tagListMaxPages:       1000,
	tagListMaxBytes:       64 << 20,
}

// retryTimes is how often a failed request is retried: Options.RetryTimes
// as it is (0, skopeo's default, retries nothing), a negative value as 0.
func retryTimes(n int) int {
	return max(n, 0)
}

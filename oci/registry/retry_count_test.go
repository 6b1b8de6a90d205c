package registry

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

// counter counts the requests a hook saw, by method and path.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Method+" "+r.URL.Path]++
}

// max returns the highest count of a request whose key contains part, and
// how many such requests there were in all.
func (c *counter) max(part string) (most, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range c.n {
		if strings.Contains(k, part) {
			most, total = max(most, n), total+n
		}
	}
	return most, total
}

// failing answers status to every request the match function selects.
func failing(c *counter, status int, match func(*http.Request) bool) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !match(r) {
			return false
		}
		c.add(r)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		writeError(w, status, "UNAVAILABLE", "try later")
		return true
	}
}

func retryOpts(n int) transport.Options {
	o := plain()
	o.RetryTimes = n
	return o
}

// RetryTimes N is at most N+1 tries of a request, 0 exactly one, at the
// HTTP level alone (inspect) and through the copy engine (no
// multiplication of its retries by the HTTP client's).
func TestRetryTimesCountsRequests(t *testing.T) {
	setup(t)
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		for _, n := range []int{0, 1, 3} {
			c := &counter{}
			reg := newFakeRegistry()
			newTestImage(t, "a").store(reg, "app", "v1")
			reg.hook = failing(c, status, isManifestGet)
			srv := reg.start()
			defer srv.Close()
			srcName := name(t, hostOf(srv), "app:v1")

			// Resolve alone (inspect).
			src, err := OpenSource(t.Context(), srcName, retryOpts(n))
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Resolve(t.Context())
			if _, got := c.max("/manifests/"); got != n+1 || !errors.Is(err, transport.ErrRetried) || transport.IsTransient(err) {
				t.Fatalf("%d, RetryTimes %d: %d manifest GETs (want %d), error %v (want one marked retried)", status, n, got, n+1, err)
			}

			// Through the copy engine, which is told the same RetryTimes.
			c.n = nil
			src, err = OpenSource(t.Context(), srcName, retryOpts(n))
			if err != nil {
				t.Fatal(err)
			}
			dst := imagecopytest.NewDestination("")
			_, err = imagecopy.Copy(t.Context(), src, dst, imagecopy.Options{RetryTimes: n, RetryDelay: time.Millisecond, TempDir: t.TempDir()})
			if _, got := c.max("/manifests/"); got != n+1 || err == nil {
				t.Fatalf("copy, %d, RetryTimes %d: %d manifest GETs, want %d (%v)", status, n, got, n+1, err)
			}
		}
	}
}

// A registry destination whose blob checks answer 503: every blob is
// checked at most N+1 times, whatever the copy engine's retries.
func TestRetryTimesPushThroughCopy(t *testing.T) {
	setup(t)
	for _, n := range []int{0, 1, 3} {
		c := &counter{}
		reg := newFakeRegistry()
		reg.hook = failing(c, http.StatusServiceUnavailable, func(r *http.Request) bool {
			return r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/blobs/")
		})
		srv := reg.start()
		defer srv.Close()
		dst, err := OpenDestination(t.Context(), name(t, hostOf(srv), "app:v1"), retryOpts(n))
		if err != nil {
			t.Fatal(err)
		}
		src := imagecopytest.NewSource("")
		img := src.AddImage(imagecopytest.ImageSpec{Layers: 3})
		top := img.Manifest
		top.Platform = nil
		src.SetTop(top)
		_, err = imagecopy.Copy(t.Context(), src, dst, imagecopy.Options{RetryTimes: n, RetryDelay: time.Millisecond, TempDir: t.TempDir()})
		most, _ := c.max("/blobs/")
		if err == nil || most != n+1 || transport.IsTransient(err) {
			t.Fatalf("RetryTimes %d: a blob was checked %d times (want %d): %v", n, most, n+1, err)
		}
	}
}

// A reset in the middle of a blob body cannot be retried by the HTTP
// client: the copy engine retries it, N times.
func TestRetryTimesMidBodyReset(t *testing.T) {
	setup(t)
	for _, n := range []int{0, 1, 3} {
		img := newTestImage(t, "a")
		c := &counter{}
		_, src := hostileWith(t, img, retryOpts(n), func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/"+img.layerDesc().Digest.String()) {
				return false
			}
			c.add(r)
			resetMidBody(w, img.layer)
			return true
		})
		dst := imagecopytest.NewDestination("")
		_, err := imagecopy.Copy(t.Context(), src, dst, imagecopy.Options{RetryTimes: n, RetryDelay: time.Millisecond, TempDir: t.TempDir()})
		if most, _ := c.max("/blobs/"); err == nil || most != n+1 {
			t.Fatalf("RetryTimes %d: the layer was fetched %d times, want %d (%v)", n, most, n+1, err)
		}
		if !transport.IsTransient(err) {
			t.Fatalf("a reset mid-body is transient: %v", err)
		}
	}
}

// A reset while a streamed blob is uploaded: the copy engine uploads it
// again, N times; the HTTP client cannot resend the stream.
func TestRetryTimesUploadReset(t *testing.T) {
	setup(t)
	for _, n := range []int{0, 2} {
		c := &counter{}
		reg := newFakeRegistry()
		reg.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/blobs/uploads/") {
				return false
			}
			c.add(r)
			buf := make([]byte, 1000)
			_, _ = r.Body.Read(buf)
			reset(w)
			return true
		}
		srv := reg.start()
		defer srv.Close()
		dst, err := OpenDestination(t.Context(), name(t, hostOf(srv), "app:v1"), retryOpts(n))
		if err != nil {
			t.Fatal(err)
		}
		src := imagecopytest.NewSource("")
		img := src.AddImage(imagecopytest.ImageSpec{Layers: 1})
		top := img.Manifest
		top.Platform = nil
		src.SetTop(top)
		_, err = imagecopy.Copy(t.Context(), src, dst, imagecopy.Options{RetryTimes: n, RetryDelay: time.Millisecond, Parallel: 1, TempDir: t.TempDir()})
		// The first blob uploaded fails n+1 times, then the copy stops.
		if _, total := c.max("PUT"); err == nil || total != n+1 {
			t.Fatalf("RetryTimes %d: %d uploads, want %d (%v)", n, total, n+1, err)
		}
	}
}

// hostileWith is hostile with opts.
func hostileWith(t *testing.T, img testImage, opts transport.Options, hook func(http.ResponseWriter, *http.Request) bool) (*fakeRegistry, transport.Source) {
	t.Helper()
	reg := newFakeRegistry()
	img.store(reg, "app", "v1")
	reg.hook = hook
	srv := reg.start()
	t.Cleanup(srv.Close)
	src, err := OpenSource(t.Context(), name(t, hostOf(srv), "app:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return reg, src
}

// resetMidBody sends the headers and part of body, then resets the
// connection.
func resetMidBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body[:len(body)/3])
	w.(http.Flusher).Flush()
	reset(w)
}

// reset closes the request's connection with a TCP reset.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}
}

// closedPort returns 127.0.0.1:PORT where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	ln.Close()
	return host
}

// A registry nobody listens on: one error, no retry (neither of the HTTP
// client nor of the copy engine), no retry warning per blob.
func TestConnectionRefusedNotRetried(t *testing.T) {
	setup(t)
	logs := captureLogs(t)
	host := closedPort(t)
	verify := true
	opts := transport.Options{TLSVerify: &verify, RetryTimes: 3}
	dst, err := OpenDestination(t.Context(), name(t, host, "app:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	src := imagecopytest.NewSource("")
	img := src.AddImage(imagecopytest.ImageSpec{Layers: 5})
	top := img.Manifest
	top.Platform = nil
	src.SetTop(top)
	before := ReadStats().Requests
	_, err = imagecopy.Copy(t.Context(), src, dst, imagecopy.Options{RetryTimes: 3, RetryDelay: time.Millisecond, TempDir: t.TempDir()})
	requests := ReadStats().Requests - before
	if err == nil || !strings.Contains(err.Error(), "connection refused") || transport.IsTransient(err) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("copy to a closed port: %v", err)
	}
	// At most one request per blob started before the first failure
	// stopped the copy: the 6 blobs, once each.
	if requests > 6 {
		t.Fatalf("%d requests to a closed port, want one per blob at most", requests)
	}
	if strings.Contains(logs.String(), "retrying") {
		t.Fatalf("a refused connection was retried:\n%s", logs)
	}

	// The scheme probe of a source (--tls-verify=false): one line.
	_, err = OpenSource(t.Context(), name(t, host, "app:v1"), retryOpts(3))
	if err == nil || strings.Count(err.Error(), "connection refused") != 1 {
		t.Fatalf("probe of a closed port: %v", err)
	}
}

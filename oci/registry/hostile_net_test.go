package registry

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/transport"
)

func TestRedirects(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	// A loop.
	_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/blobs/") {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusTemporaryRedirect)
			return true
		}
		return false
	})
	if _, err := readAll(t.Context(), src, img.layerDesc()); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("redirect loop: %v", err)
	}
	// Another scheme.
	_, src = hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/blobs/") {
			w.Header().Set("Location", "file:///etc/passwd")
			w.WriteHeader(http.StatusFound)
			return true
		}
		return false
	})
	if _, err := readAll(t.Context(), src, img.layerDesc()); err == nil || !strings.Contains(err.Error(), "file") {
		t.Fatalf("redirect to file://: %v", err)
	}
}

func TestRedirectDropsCredentials(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	var leaked atomic.Value
	leaked.Store("")
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
		_, _ = w.Write(img.layer)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = other.Serve(ln) }()
	defer other.Close()

	reg := newFakeRegistry()
	reg.users = map[string]string{"alice": "s3cret"}
	img.store(reg, "app", "v1")
	reg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/blobs/") && r.Header.Get("Authorization") != "" {
			http.Redirect(w, r, "http://"+ln.Addr().String()+"/storage/blob?X-Signature=abc", http.StatusTemporaryRedirect)
			return true
		}
		return false
	}
	srv := reg.start()
	defer srv.Close()
	opts := plain()
	opts.Credentials = &transport.Credentials{Username: "alice", Password: "s3cret"}
	src, err := OpenSource(t.Context(), name(t, hostOf(srv), "app:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t.Context(), src, img.layerDesc())
	if err != nil || !bytes.Equal(got, img.layer) {
		t.Fatalf("redirected blob: %v", err)
	}
	if a := leaked.Load().(string); a != "" {
		t.Fatalf("credentials sent to the redirect target: %q", a)
	}
}

func TestStalledConnection(t *testing.T) {
	setup(t)
	current.stallTimeout = 300 * time.Millisecond
	img := newTestImage(t, "a")
	release := make(chan struct{})
	defer close(release)
	_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/blobs/") {
			return false
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(img.layer)))
		_, _ = w.Write(img.layer[:1000])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	_, err := readAll(t.Context(), src, img.layerDesc())
	if !errors.Is(err, errStalled) || !errors.Is(err, transport.ErrTransient) {
		t.Fatalf("stalled body: %v, want a transient stall error", err)
	}
}

func TestStalledHeaders(t *testing.T) {
	setup(t)
	current.responseHeaderTimeout = 200 * time.Millisecond
	var calls atomic.Int64
	release := make(chan struct{})
	defer close(release)
	_, src := hostile(t, newTestImage(t, "a"), func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v2/" {
			return false // the scheme probe
		}
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	_, err := src.Resolve(t.Context())
	// Retried by the HTTP client, so not again by the copy engine.
	if err == nil || !networkTimeout(err) || !errors.Is(err, transport.ErrRetried) || transport.IsTransient(err) {
		t.Fatalf("registry that never answers: %v, want a timeout marked retried", err)
	}
	if n := calls.Load(); n != 1+testRetryTimes {
		t.Fatalf("%d attempts, want %d", n, 1+testRetryTimes)
	}
}

// A registry that accepts connections and never answers, with
// --tls-verify=false: the TLS handshake times out, then plain HTTP waits
// for the probe's own timeout (not the response header timeout of
// uploads), and the error names both waits.
func TestSilentRegistryProbe(t *testing.T) {
	setup(t)
	current.tlsHandshakeTimeout = 100 * time.Millisecond
	current.pingTimeout = 300 * time.Millisecond
	current.responseHeaderTimeout = time.Hour
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	defer func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	_, err = OpenSource(t.Context(), name(t, ln.Addr().String(), "app:v1"), plain())
	if err == nil || !strings.Contains(err.Error(), "TLS handshake timeout") ||
		!strings.Contains(err.Error(), "(over http: Get http://"+ln.Addr().String()+"/v2/: no answer within 300ms)") {
		t.Fatalf("silent registry: %v, want both timeouts named", err)
	}
}

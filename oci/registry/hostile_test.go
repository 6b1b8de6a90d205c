package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// hostile serves img as repo "app:v1" through a registry whose hook may
// misbehave, and returns a source for it.
func hostile(t *testing.T, img testImage, hook func(w http.ResponseWriter, r *http.Request) bool) (*fakeRegistry, transport.Source) {
	t.Helper()
	reg := newFakeRegistry()
	img.store(reg, "app", "v1")
	reg.hook = hook
	srv := reg.start()
	t.Cleanup(srv.Close)
	src, err := OpenSource(t.Context(), name(t, hostOf(srv), "app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	return reg, src
}

func isManifestGet(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/")
}

func TestBlobWithWrongContent(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/blobs/") {
			w.Header().Set("Content-Length", strconv.Itoa(len(img.layer)))
			_, _ = w.Write(bytes.Repeat([]byte("x"), len(img.layer)))
			return true
		}
		return false
	})
	_, err := readAll(t.Context(), src, img.layerDesc())
	if !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("blob with wrong content: %v", err)
	}
	if transport.IsTransient(err) {
		t.Fatal("a digest mismatch must not be retried as transient")
	}
}

func TestOversizedManifest(t *testing.T) {
	setup(t)
	big := append([]byte(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","x":"`), bytes.Repeat([]byte("a"), transport.MaxManifestSize)...)
	big = append(big, `"}`...)
	for _, chunked := range []bool{false, true} {
		var sent atomic.Int64
		_, src := hostile(t, newTestImage(t, "a"), func(w http.ResponseWriter, r *http.Request) bool {
			if !isManifestGet(r) {
				return false
			}
			w.Header().Set("Content-Type", mediatype.Manifest)
			w.Header().Set("Docker-Content-Digest", digest.FromBytes(big).String())
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			}
			for off := 0; off < len(big); off += 1 << 16 {
				n, err := w.Write(big[off:min(off+1<<16, len(big))])
				sent.Add(int64(n))
				if err != nil {
					break
				}
				w.(http.Flusher).Flush()
			}
			return true
		})
		_, err := src.Resolve(t.Context())
		if err == nil || !strings.Contains(err.Error(), "over the limit") {
			t.Fatalf("chunked=%v: oversized manifest: %v", chunked, err)
		}
	}
}

func TestManifestDigestHeaderMismatch(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	other := newTestImage(t, "b")
	_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if !isManifestGet(r) {
			return false
		}
		w.Header().Set("Content-Type", mediatype.Manifest)
		w.Header().Set("Docker-Content-Digest", other.desc.Digest.String())
		_, _ = w.Write(img.manifest)
		return true
	})
	if _, err := src.Resolve(t.Context()); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("Docker-Content-Digest mismatch: %v", err)
	}
}

func TestManifestByDigestWrongContent(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	other := newTestImage(t, "b")
	reg := newFakeRegistry()
	img.store(reg, "app", "")
	reg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if !isManifestGet(r) {
			return false
		}
		w.Header().Set("Content-Type", mediatype.Manifest)
		_, _ = w.Write(other.manifest) // no digest header: the content itself must be checked
		return true
	}
	srv := reg.start()
	defer srv.Close()
	src, err := OpenSource(t.Context(), name(t, hostOf(srv), "app@"+img.desc.Digest.String()), plain())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Resolve(t.Context()); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("manifest by digest with other content: %v", err)
	}
	if _, err := readAll(t.Context(), src, img.desc); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("Fetch of a manifest by digest with other content: %v", err)
	}
}

func TestManifestWrongMediaType(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	for _, tc := range []struct{ contentType, body string }{
		{"application/json", string(img.manifest)},
		{mediatype.DockerManifest, string(img.manifest)},           // the document says OCI
		{mediatype.Index, `{"schemaVersion":2,"layers":[]}`},       // an index with layers
		{mediatype.Manifest, `{"schemaVersion":2,"manifests":[]}`}, // a manifest with manifests
		{"text/html", "<html>login page</html>"},
	} {
		_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
			if !isManifestGet(r) {
				return false
			}
			w.Header().Set("Content-Type", tc.contentType)
			_, _ = io.WriteString(w, tc.body)
			return true
		})
		if _, err := src.Resolve(t.Context()); err == nil {
			t.Errorf("Content-Type %s with %s accepted", tc.contentType, tc.body)
		}
	}
}

func TestRetryAfterThenSuccess(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	var calls atomic.Int64
	_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if isManifestGet(r) && calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600") // capped, or the test would hang
			writeError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "slow down")
			return true
		}
		return false
	})
	if _, err := src.Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d manifest GETs, want 2", calls.Load())
	}
}

func TestServerErrorsThenSuccessAndGiveUp(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	var calls atomic.Int64
	fail := int64(2)
	_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if isManifestGet(r) && calls.Add(1) <= fail {
			writeError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "try later")
			return true
		}
		return false
	})
	if _, err := src.Resolve(t.Context()); err != nil {
		t.Fatalf("two 503 then success: %v", err)
	}
	// Always failing: gives up after the retries, which the copy engine
	// does not repeat.
	calls.Store(0)
	fail = 1 << 30
	opts := plain()
	opts.RetryTimes = 2
	src2, err := OpenSource(t.Context(), src.Name(), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = src2.Resolve(t.Context())
	if !errors.Is(err, transport.ErrRetried) || transport.IsTransient(err) || calls.Load() != 3 {
		t.Fatalf("after %d calls: %v, want an error marked retried after 3", calls.Load(), err)
	}
	if want := "unavailable: try later"; !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("error %q does not end with the registry's message %q", err, want)
	}
}

func TestResetMidBlobIsTransient(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	_, src := hostile(t, img, func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/blobs/") {
			return false
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(img.layer)))
		_, _ = w.Write(img.layer[:5000])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}
		return true
	})
	_, err := readAll(t.Context(), src, img.layerDesc())
	if err == nil || !errors.Is(err, transport.ErrTransient) {
		t.Fatalf("reset mid-blob: %v, want an error marked transient", err)
	}
}

func TestTagPagination(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	img := newTestImage(t, "a")
	var want []string
	for i := 0; i < 23; i++ {
		tag := fmt.Sprintf("t%02d", i)
		want = append(want, tag)
		img.store(reg, "app", tag)
	}
	reg.pageSize = 5
	srv := reg.start()
	defer srv.Close()
	ref := *name(t, hostOf(srv), "app:x").Ref
	tags, err := Tags(t.Context(), ref, plain())
	if err != nil || strings.Join(tags, ",") != strings.Join(want, ",") {
		t.Fatalf("Tags = %v, %v", tags, err)
	}
	current.tagListMaxPages = 3
	if _, err := Tags(t.Context(), ref, plain()); err == nil || !strings.Contains(err.Error(), "pages") {
		t.Fatalf("5 pages with a limit of 3: %v", err)
	}
	current.tagListMaxPages = 1000
	current.tagListMaxBytes = 30
	if _, err := Tags(t.Context(), ref, plain()); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("tag names over the byte limit: %v", err)
	}
	// A registry whose Link always points at the same page never ends.
	current.tagListMaxBytes = 1 << 20
	reg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Link", `</v2/app/tags/list?n=1>; rel="next"`)
		_, _ = io.WriteString(w, `{"name":"app","tags":["a"]}`)
		return true
	}
	if _, err := Tags(t.Context(), ref, plain()); err == nil {
		t.Fatal("endless pagination did not fail")
	}
}

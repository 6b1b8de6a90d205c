package registry

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/transport"
)

// pushTarget returns a registry with a hook and a destination "app:v1" on it.
func pushTarget(t *testing.T, hook func(w http.ResponseWriter, r *http.Request) bool) (*fakeRegistry, transport.Destination) {
	t.Helper()
	reg := newFakeRegistry()
	reg.hook = hook
	srv := reg.start()
	t.Cleanup(srv.Close)
	dst, err := OpenDestination(t.Context(), name(t, hostOf(srv), "app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	return reg, dst
}

// streamOf hides every method but Read (a blob streamed from a source).
func streamOf(b []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(b)} }

func TestPutBlobWrongContent(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	reg, dst := pushTarget(t, nil)
	wrong := bytes.Repeat([]byte("x"), len(img.layer))
	for _, r := range []io.Reader{streamOf(wrong), bytes.NewReader(wrong), streamOf(img.layer[:100])} {
		err := dst.PutBlob(t.Context(), img.layerDesc(), r)
		if !errors.Is(err, cas.ErrDigestMismatch) {
			t.Fatalf("PutBlob of wrong content: %v", err)
		}
	}
	if _, ok := reg.bodyOf("app", img.layerDesc().Digest); ok {
		t.Fatal("the registry stored a blob under a digest it does not match")
	}
}

func TestPutBlobServerErrorIsTransient(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	var puts atomic.Int64
	_, dst := pushTarget(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			puts.Add(1)
			_, _ = io.Copy(io.Discard, r.Body)
			writeError(w, http.StatusInternalServerError, "UNKNOWN", "disk full")
			return true
		}
		return false
	})
	err := dst.PutBlob(t.Context(), img.layerDesc(), streamOf(img.layer))
	if !errors.Is(err, transport.ErrTransient) || !transport.IsTransient(err) {
		t.Fatalf("PutBlob answered 500: %v, want a transient error", err)
	}
	if puts.Load() != 1 {
		t.Fatalf("a streamed body was sent %d times", puts.Load())
	}
	// A blob in memory is rewindable and retried in place, and then not
	// again by the copy engine.
	puts.Store(0)
	err = dst.PutBlob(t.Context(), img.configDesc(), bytes.NewReader(img.config))
	if !errors.Is(err, transport.ErrRetried) || transport.IsTransient(err) || errors.Is(err, cas.ErrDigestMismatch) || puts.Load() != 1+testRetryTimes {
		t.Fatalf("in-memory blob: %d PUTs, %v", puts.Load(), err)
	}
}

func TestPutBlobSourceFailure(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	_, dst := pushTarget(t, nil)
	boom := errors.New("source registry went away")
	r := io.MultiReader(bytes.NewReader(img.layer[:1000]), iotestErrReader{boom})
	if err := dst.PutBlob(t.Context(), img.layerDesc(), r); !errors.Is(err, boom) {
		t.Fatalf("PutBlob with a failing source: %v, want the source's error", err)
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

func TestPutBlobEarlyServerErrorDoesNotDrainSource(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	_, dst := pushTarget(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			writeError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "read only")
			return true
		}
		return false
	})
	var read atomic.Int64
	huge := &countingReader{n: &read, left: 1 << 40}
	d := img.layerDesc()
	d.Size = 1 << 40
	if err := dst.PutBlob(t.Context(), d, huge); err == nil {
		t.Fatal("PutBlob to a registry answering 503 succeeded")
	}
	if read.Load() > 1<<30 {
		t.Fatalf("read %d bytes of the source after the registry refused the upload", read.Load())
	}
}

// countingReader yields left zero bytes, counting them.
type countingReader struct {
	n    *atomic.Int64
	left int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > c.left {
		k = c.left
	}
	clear(p[:k])
	c.left -= k
	c.n.Add(k)
	return int(k), nil
}

func TestManifestPutRetriedOn429(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	var puts atomic.Int64
	reg, dst := pushTarget(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") && puts.Add(1) == 1 {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "rate limited")
			return true
		}
		return false
	})
	if err := dst.Commit(t.Context(), img.desc, img.manifest); err != nil {
		t.Fatal(err)
	}
	if puts.Load() != 2 {
		t.Fatalf("%d manifest PUTs, want 2", puts.Load())
	}
	if raw, ok := reg.bodyOf("app", img.desc.Digest); !ok || !bytes.Equal(raw, img.manifest) {
		t.Fatal("manifest not stored after the retry")
	}
}

func TestMountDeclined(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	_, dst := pushTarget(t, nil)
	ok, err := dst.(transport.Mounter).Mount(t.Context(), img.layerDesc(), "elsewhere")
	if err != nil || ok {
		t.Fatalf("Mount of a blob the registry lacks = %v, %v", ok, err)
	}
}

// TestCommitOfATaggedManifestPutsNothing: a tag that already points at the
// manifest is left alone (a HEAD, no PUT); another manifest is pushed.
func TestCommitOfATaggedManifestPutsNothing(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	other := newTestImage(t, "b")
	var puts atomic.Int64
	_, dst := pushTarget(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			puts.Add(1)
		}
		return false
	})
	for _, want := range []int64{1, 1} {
		if err := dst.Commit(t.Context(), img.desc, img.manifest); err != nil {
			t.Fatal(err)
		}
		if puts.Load() != want {
			t.Fatalf("%d manifest PUTs, want %d", puts.Load(), want)
		}
	}
	if err := dst.Commit(t.Context(), other.desc, other.manifest); err != nil {
		t.Fatal(err)
	}
	if puts.Load() != 2 {
		t.Fatalf("a tag moved to another manifest made %d PUTs in all, want 2", puts.Load())
	}
}

// TestPushOfATaggedImageAsksOnce: when the tag already points at the image,
// Has answers for its manifest from the tag and Commit puts nothing: one
// manifest request in all (skopeo asks for every blob and puts the
// manifest again).
func TestPushOfATaggedImageAsksOnce(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	var manifestReqs, other atomic.Int64
	reg, first := pushTarget(t, nil)
	for _, b := range [][]byte{img.config, img.layer} {
		reg.addBlob("app", b)
	}
	if err := first.Commit(t.Context(), img.desc, img.manifest); err != nil {
		t.Fatal(err)
	}
	reg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/manifests/") {
			manifestReqs.Add(1)
		} else if r.URL.Path != "/v2/" {
			other.Add(1)
		}
		return false
	}
	dst, err := OpenDestination(t.Context(), first.Name(), plain())
	if err != nil {
		t.Fatal(err)
	}
	ok, err := dst.Has(t.Context(), img.desc)
	if err != nil || !ok {
		t.Fatalf("Has of the tagged manifest = %v, %v", ok, err)
	}
	if err := dst.Commit(t.Context(), img.desc, img.manifest); err != nil {
		t.Fatal(err)
	}
	if manifestReqs.Load() != 1 || other.Load() != 0 {
		t.Fatalf("%d manifest requests and %d others, want 1 and 0", manifestReqs.Load(), other.Load())
	}
	// A manifest the tag does not point at is still asked for by digest.
	b := newTestImage(t, "b")
	if ok, err := dst.Has(t.Context(), b.desc); err != nil || ok {
		t.Fatalf("Has of another manifest = %v, %v", ok, err)
	}
	if manifestReqs.Load() != 2 {
		t.Fatalf("%d manifest requests after asking for another, want 2", manifestReqs.Load())
	}
}

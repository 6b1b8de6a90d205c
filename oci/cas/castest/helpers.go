package castest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// put stores data and checks the returned digest and size against ones
// computed independently.
func put(t *testing.T, e cas.Engine, data []byte) digest.Digest {
	t.Helper()
	d, n, err := e.PutBlob(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	if want := digest.SHA256.FromBytes(data); d != want {
		t.Fatalf("PutBlob digest %s, want %s", d, want)
	}
	if n != int64(len(data)) {
		t.Fatalf("PutBlob size %d, want %d", n, len(data))
	}
	return d
}

// get reads blob d fully and closes it, failing the test on any error.
func get(t *testing.T, e cas.Engine, d digest.Digest) []byte {
	t.Helper()
	rc, err := e.GetBlob(t.Context(), d)
	if err != nil {
		t.Fatalf("GetBlob %s: %v", d, err)
	}
	data, err := io.ReadAll(rc)
	if err != nil {
		rc.Close()
		t.Fatalf("read blob %s: %v", d, err)
	}
	if err := rc.Close(); err != nil {
		t.Fatalf("close blob %s: %v", d, err)
	}
	return data
}

// wantErr fails unless err matches target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// listed returns ListBlobs sorted.
func listed(t *testing.T, e cas.Engine) []digest.Digest {
	t.Helper()
	ds, err := e.ListBlobs(t.Context())
	if err != nil {
		t.Fatalf("ListBlobs: %v", err)
	}
	if ds == nil {
		t.Fatal("ListBlobs returned nil slice")
	}
	slices.Sort(ds)
	return ds
}

// payload is deterministic test content of n bytes.
func payload(seed string, n int) []byte {
	return []byte(strings.Repeat(seed, n/len(seed)+1)[:n])
}

// errReader fails after handing out its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

var errBoom = errors.New("castest: boom")

// cancelled is a context that is already done.
func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

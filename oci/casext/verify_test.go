package casext

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// readVerified reads the whole blob and returns the first error (of reading
// or closing).
func readVerified(t *testing.T, e Engine, desc ispec.Descriptor) ([]byte, error) {
	t.Helper()
	rc, err := e.GetVerifiedBlob(t.Context(), desc)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	return b, err
}

func isMismatch(err error) bool {
	return errors.Is(err, cas.ErrDigestMismatch)
}

func TestGetVerifiedBlob(t *testing.T) {
	e, layout := newDirEngine(t)
	good := putRaw(t, e, "application/octet-stream", []byte("hello world"))
	corrupt := digest.FromString("original")
	plant(t, layout, corrupt, []byte("tampered"))
	data := []byte(`{"a":1}`)
	dataDesc := ispec.Descriptor{MediaType: "x", Digest: digest.FromBytes(data), Size: int64(len(data)), Data: data}
	emptyAbsent := ispec.DescriptorEmptyJSON // not stored: served from the descriptor

	tests := []struct {
		name    string
		desc    ispec.Descriptor
		want    string
		check   func(error) bool // nil: expect success
		wantMsg string
	}{
		{name: "good", desc: good, want: "hello world"},
		{name: "embedded data", desc: dataDesc, want: `{"a":1}`},
		{name: "canonical empty json", desc: emptyAbsent, want: "{}"},
		{name: "corrupt content", desc: ispec.Descriptor{Digest: corrupt, Size: 8}, check: isMismatch, wantMsg: corrupt.String() + ": verified reader digest mismatch: "},
		{name: "size larger than blob", desc: ispec.Descriptor{Digest: good.Digest, Size: good.Size + 1}, check: is(cas.ErrSizeMismatch), wantMsg: good.Digest.String() + ": verified reader size mismatch: "},
		{name: "size smaller than blob", desc: ispec.Descriptor{Digest: good.Digest, Size: good.Size - 1}, check: is(cas.ErrSizeMismatch), wantMsg: good.Digest.String() + ": verified reader size mismatch: "},
		{name: "negative size", desc: ispec.Descriptor{Digest: good.Digest, Size: -1}, check: is(cas.ErrInvalid), wantMsg: "negative size"},
		{name: "malformed digest", desc: ispec.Descriptor{Digest: "sha256:../../etc/passwd", Size: 1}, check: is(cas.ErrInvalid)},
		{name: "empty digest", desc: ispec.Descriptor{Size: 1}, check: is(cas.ErrInvalid)},
		{name: "missing", desc: ispec.Descriptor{Digest: digest.FromString("nope"), Size: 4}, check: is(cas.ErrNotExist)},
		{name: "embedded data wrong digest", desc: ispec.Descriptor{Digest: digest.FromString("x"), Size: int64(len(data)), Data: data}, check: is(cas.ErrDigestMismatch), wantMsg: "verified reader digest mismatch: "},
		{name: "embedded data wrong size", desc: ispec.Descriptor{Digest: dataDesc.Digest, Size: 3, Data: data}, check: is(cas.ErrSizeMismatch), wantMsg: "verified reader size mismatch: "},
		{name: "empty json wrong digest", desc: ispec.Descriptor{MediaType: ispec.MediaTypeEmptyJSON, Digest: good.Digest, Size: 2}, check: is(cas.ErrInvalid), wantMsg: "canonical"},
		{name: "empty json wrong size", desc: ispec.Descriptor{MediaType: ispec.MediaTypeEmptyJSON, Digest: ispec.DescriptorEmptyJSON.Digest, Size: 3}, check: is(cas.ErrInvalid)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readVerified(t, e, tc.desc)
			if tc.check == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if string(got) != tc.want {
					t.Errorf("content = %q, want %q", got, tc.want)
				}
				return
			}
			if err == nil || !tc.check(err) {
				t.Fatalf("error = %v, wrong or missing", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tc.wantMsg)
			}
		})
	}
}

// TestGetVerifiedBlobNeverOverreads: a blob longer than its descriptor says
// never hands out more than desc.Size bytes.
func TestGetVerifiedBlobNeverOverreads(t *testing.T) {
	e := newTestEngine(t)
	good := putRaw(t, e, "x", []byte("0123456789"))
	rc, err := e.GetVerifiedBlob(t.Context(), ispec.Descriptor{Digest: good.Digest, Size: 4})
	if err != nil {
		// Refused before any byte is handed out: the strictest answer.
		if !errors.Is(err, cas.ErrDigestMismatch) {
			t.Fatalf("error = %v, want a digest mismatch", err)
		}
		return
	}
	b, err := io.ReadAll(rc)
	_ = rc.Close()
	if len(b) > 4 {
		t.Errorf("read %d bytes past a 4-byte descriptor", len(b))
	}
	if err == nil {
		t.Errorf("over-long blob accepted")
	}
}

// TestGetVerifiedBlobCloseVerifies: closing before EOF still reports
// corruption.
func TestGetVerifiedBlobCloseVerifies(t *testing.T) {
	e, layout := newDirEngine(t)
	d := digest.FromString("original content")
	plant(t, layout, d, []byte("tampered content"))
	rc, err := e.GetVerifiedBlob(t.Context(), ispec.Descriptor{Digest: d, Size: 16})
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); !isMismatch(err) {
		t.Errorf("Close = %v, want a digest mismatch", err)
	}
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

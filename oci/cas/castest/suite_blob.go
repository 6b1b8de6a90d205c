package castest

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

var blobTests = []subtest{
	{"PutGetRoundTrip", testPutGetRoundTrip},
	{"PutIdempotent", testPutIdempotent},
	{"PutFailureLeavesNothing", testPutFailure},
	{"DeleteIdempotent", testDeleteIdempotent},
	{"NotFound", testNotFound},
	{"InvalidDigests", testInvalidDigests},
	{"DigestMismatchOnRead", testDigestMismatch},
	{"ListBlobs", testListBlobs},
}

func testPutGetRoundTrip(t *testing.T, h Harness) {
	for _, size := range []int{0, 1, 4096, 1<<20 + 7} {
		data := payload("round trip ", size)
		d := put(t, h.Engine, data)
		if got := get(t, h.Engine, d); !bytes.Equal(got, data) {
			t.Fatalf("size %d: GetBlob returned %d different bytes", size, len(got))
		}
		n, err := h.Engine.StatBlob(t.Context(), d)
		if err != nil || n != int64(size) {
			t.Fatalf("StatBlob = %d, %v; want %d", n, err, size)
		}
	}
	// A second engine on the same store sees the blob.
	d := put(t, h.Engine, []byte("shared"))
	if got := get(t, reopen(t, h), d); string(got) != "shared" {
		t.Fatalf("reopened engine read %q", got)
	}
}

func testPutIdempotent(t *testing.T, h Harness) {
	data := []byte("idempotent content")
	d1 := put(t, h.Engine, data)
	d2 := put(t, h.Engine, data)
	d3 := put(t, reopen(t, h), data)
	if d1 != d2 || d1 != d3 {
		t.Fatalf("digests differ: %s %s %s", d1, d2, d3)
	}
	if got := listed(t, h.Engine); !slices.Equal(got, []digest.Digest{d1}) {
		t.Fatalf("ListBlobs = %v, want [%s]", got, d1)
	}
	if got := get(t, h.Engine, d1); !bytes.Equal(got, data) {
		t.Fatalf("content changed: %q", got)
	}
}

func testPutFailure(t *testing.T, h Harness) {
	_, _, err := h.Engine.PutBlob(t.Context(), &errReader{data: []byte("partial"), err: errBoom})
	wantErr(t, "PutBlob from failing reader", err, errBoom)
	if _, _, err := h.Engine.PutBlob(cancelled(t), strings.NewReader("never stored")); err == nil {
		t.Fatal("PutBlob with cancelled context succeeded")
	}
	if got := listed(t, h.Engine); len(got) != 0 {
		t.Fatalf("failed puts left blobs: %v", got)
	}
}

func testDeleteIdempotent(t *testing.T, h Harness) {
	d := put(t, h.Engine, []byte("to delete"))
	for i := range 2 {
		if err := h.Engine.DeleteBlob(t.Context(), d); err != nil {
			t.Fatalf("DeleteBlob #%d: %v", i+1, err)
		}
	}
	_, err := h.Engine.GetBlob(t.Context(), d)
	wantErr(t, "GetBlob after delete", err, cas.ErrNotExist)
	_, err = h.Engine.StatBlob(t.Context(), d)
	wantErr(t, "StatBlob after delete", err, cas.ErrNotExist)
	if got := listed(t, h.Engine); len(got) != 0 {
		t.Fatalf("ListBlobs after delete = %v", got)
	}
	// Putting it again works after a delete.
	put(t, h.Engine, []byte("to delete"))
}

func testNotFound(t *testing.T, h Harness) {
	put(t, h.Engine, []byte("some other blob"))
	d := digest.SHA256.FromString("never stored")
	_, err := h.Engine.GetBlob(t.Context(), d)
	wantErr(t, "GetBlob", err, cas.ErrNotExist)
	_, err = h.Engine.StatBlob(t.Context(), d)
	wantErr(t, "StatBlob", err, cas.ErrNotExist)
	if err := h.Engine.DeleteBlob(t.Context(), d); err != nil {
		t.Fatalf("DeleteBlob of missing blob: %v", err)
	}
}

func testInvalidDigests(t *testing.T, h Harness) {
	good := digest.SHA256.FromString("x")
	bad := []digest.Digest{
		"",
		"sha256:",
		"sha256",
		"sha256:../../x",
		"sha256:../../../index.json",
		"sha256:../" + good[len("sha256:")+3:],
		digest.Digest(strings.ToUpper(string(good))),
		"sha256:" + digest.Digest(strings.ToUpper(good.Encoded())),
		good[:len(good)-1],
		good + "0",
		good + "/..",
		digest.SHA512.FromString("x"),
		digest.SHA384.FromString("x"),
		"md5:9dd4e461268c8034f5c8564e155c67a6",
		"sha256:" + digest.Digest(strings.Repeat("g", 64)),
	}
	put(t, h.Engine, []byte("x"))
	for _, d := range bad {
		_, err := h.Engine.GetBlob(t.Context(), d)
		wantErr(t, "GetBlob "+string(d), err, cas.ErrInvalid)
		_, err = h.Engine.StatBlob(t.Context(), d)
		wantErr(t, "StatBlob "+string(d), err, cas.ErrInvalid)
		err = h.Engine.DeleteBlob(t.Context(), d)
		wantErr(t, "DeleteBlob "+string(d), err, cas.ErrInvalid)
	}
	if got := listed(t, h.Engine); len(got) != 1 {
		t.Fatalf("ListBlobs after invalid deletes = %v", got)
	}
}

func testDigestMismatch(t *testing.T, h Harness) {
	tests := []struct {
		name    string
		corrupt []byte
	}{
		{"same size", []byte("CORRUPTED CONTENT!!")},
		{"shorter", []byte("short")},
		{"longer", payload("much longer corrupted content ", 100000)},
		{"empty", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := put(t, h.Engine, []byte("original content!!!"))
			h.Corrupt(t, d, tc.corrupt)
			defer func() { _ = h.Engine.DeleteBlob(t.Context(), d) }()

			rc, err := h.Engine.GetBlob(t.Context(), d)
			if err != nil {
				t.Fatalf("GetBlob: %v", err)
			}
			_, err = io.ReadAll(rc)
			wantErr(t, "full read", err, cas.ErrDigestMismatch)
			wantErr(t, "Close after full read", rc.Close(), cas.ErrDigestMismatch)
			if !strings.Contains(err.Error(), d.String()) {
				t.Errorf("error %q does not name digest %s", err, d)
			}

			rc, err = h.Engine.GetBlob(t.Context(), d)
			if err != nil {
				t.Fatalf("GetBlob: %v", err)
			}
			if len(tc.corrupt) > 0 {
				if _, err := rc.Read(make([]byte, 1)); err != nil {
					t.Fatalf("first read: %v", err)
				}
			}
			wantErr(t, "Close after partial read", rc.Close(), cas.ErrDigestMismatch)
		})
	}
}

func testListBlobs(t *testing.T, h Harness) {
	if got := listed(t, h.Engine); len(got) != 0 {
		t.Fatalf("empty store lists %v", got)
	}
	var want []digest.Digest
	for _, s := range []string{"a", "b", "c"} {
		want = append(want, put(t, h.Engine, []byte(s)))
	}
	if err := h.Engine.PutIndex(t.Context(), sampleIndex(2)); err != nil {
		t.Fatalf("PutIndex: %v", err)
	}
	slices.Sort(want)
	if got := listed(t, h.Engine); !slices.Equal(got, want) {
		t.Fatalf("ListBlobs = %v, want %v", got, want)
	}
}

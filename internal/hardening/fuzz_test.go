package hardening

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/opencontainers/go-digest"
)

// FuzzVerifiedReader checks the reader's invariants on arbitrary content,
// sizes and digests: it never panics, never hands out more than size bytes,
// succeeds exactly when content matches digest and size, and Close agrees
// with the full read.
func FuzzVerifiedReader(f *testing.F) {
	f.Add([]byte("hello"), int64(5), "", false)
	f.Add([]byte("hello"), int64(4), "", false)
	f.Add([]byte(""), int64(-1), "", true)
	f.Add([]byte("abc"), int64(3), "sha256:zz", false)
	f.Add([]byte("abc"), int64(-9), "md5:00", false)
	f.Fuzz(func(t *testing.T, content []byte, size int64, d string, flip bool) {
		dig := digest.Digest(d)
		if d == "" {
			dig = digest.FromBytes(content)
		}
		data := content
		if flip && len(content) > 0 {
			data = append([]byte{}, content...)
			data[0] ^= 1
		}
		vr := NewVerifiedReader(io.NopCloser(bytes.NewReader(data)), dig, size)
		got, err := io.ReadAll(vr)
		if size >= 0 && int64(len(got)) > size {
			t.Fatalf("handed out %d bytes, size %d", len(got), size)
		}
		if !bytes.HasPrefix(data, got) {
			t.Fatalf("handed out bytes that are not a prefix of the content")
		}
		valid := dig.Validate() == nil && size >= -1
		match := valid && digest.FromBytes(data) == dig && (size == -1 || size == int64(len(data)))
		if dig.Validate() == nil && dig.Algorithm() != digest.SHA256 {
			match = valid && dig.Algorithm().FromBytes(data) == dig && (size == -1 || size == int64(len(data)))
		}
		if match != (err == nil) {
			t.Fatalf("match=%v but ReadAll error %v", match, err)
		}
		cerr := vr.Close()
		if match != (cerr == nil) {
			t.Fatalf("match=%v but Close error %v", match, cerr)
		}
		if valid && !match && !errors.Is(err, ErrDigestMismatch) {
			t.Fatalf("mismatch error %v does not wrap ErrDigestMismatch", err)
		}
	})
}

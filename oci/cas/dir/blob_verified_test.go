package dir

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// endless is a reader that never ends: a source that lies about its size
// must not fill the disk.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestPutBlobVerified(t *testing.T) {
	root := newLayout(t)
	e := mustOpen(t, root)
	vp, ok := e.(cas.VerifyingPutter)
	if !ok {
		t.Fatal("the dir engine is not a cas.VerifyingPutter")
	}
	content := []byte(strings.Repeat("layer content ", 100000))
	d := digest.FromBytes(content)
	size := int64(len(content))

	for _, tc := range []struct {
		name string
		r    io.Reader
		size int64
	}{
		{"other bytes", bytes.NewReader(append([]byte{'X'}, content[1:]...)), size},
		{"shorter", bytes.NewReader(content[:size-1]), size},
		{"longer", bytes.NewReader(append(content, '!')), size},
		{"endless", &endless{}, size},
	} {
		err := vp.PutBlobVerified(t.Context(), d, tc.size, tc.r)
		if !errors.Is(err, cas.ErrDigestMismatch) {
			t.Errorf("%s: %v, want ErrDigestMismatch", tc.name, err)
		}
		if _, err := e.StatBlob(t.Context(), d); !errors.Is(err, cas.ErrNotExist) {
			t.Errorf("%s: blob stored after a mismatch: %v", tc.name, err)
		}
		if blobs, _ := os.ReadDir(blobDir(root)); len(blobs) != 0 {
			t.Errorf("%s: blobs after a mismatch: %v", tc.name, blobs)
		}
		if e, ok := tc.r.(*endless); ok && e.read > size+copyBufferSize {
			t.Errorf("endless: read %d bytes for a %d-byte blob", e.read, size)
		}
	}
	if tmp := tempNames(t, root); len(tmp) != 0 {
		t.Fatalf("temp files left: %v", tmp)
	}
	if err := vp.PutBlobVerified(t.Context(), d, size, bytes.NewReader(content)); err != nil {
		t.Fatalf("PutBlobVerified: %v", err)
	}
	// Idempotent, and readable back as the same bytes.
	if err := vp.PutBlobVerified(t.Context(), d, size, bytes.NewReader(content)); err != nil {
		t.Fatalf("PutBlobVerified again: %v", err)
	}
	rc, err := e.GetBlob(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("read back: %v, %d bytes", err, len(got))
	}
	if err := vp.PutBlobVerified(t.Context(), "sha256:nothex", 1, bytes.NewReader(nil)); !errors.Is(err, cas.ErrInvalid) {
		t.Fatalf("invalid digest: %v", err)
	}
}

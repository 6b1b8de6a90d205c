package archive

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestWritesRefused checks that every write method fails with
// cas.ErrReadOnly and a message telling how to get a writable layout, and
// that the archive file is left byte-identical.
func TestWritesRefused(t *testing.T) {
	content := "blob"
	p := writeTar(t, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName(content), content))
	before, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, p)
	d := digest.FromString(content)
	called := false
	writes := []struct {
		name string
		call func() error
	}{
		{"PutBlob", func() error { _, _, err := e.PutBlob(t.Context(), bytes.NewReader([]byte("new"))); return err }},
		{"DeleteBlob", func() error { return e.DeleteBlob(t.Context(), d) }},
		{"PutIndex", func() error { return e.PutIndex(t.Context(), ispec.Index{}) }},
		{"UpdateIndex", func() error {
			return e.UpdateIndex(t.Context(), func(*ispec.Index) error { called = true; return nil })
		}},
		{"LockExclusive", func() error { return e.LockExclusive(t.Context()) }},
		{"Clean", func() error { return e.Clean(t.Context()) }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			err := w.call()
			wantErr(t, w.name, err, cas.ErrReadOnly)
			for _, s := range []string{"archive " + p + " is read-only", "skopeo copy oci-archive:" + p} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	if called {
		t.Error("UpdateIndex called fn")
	}
	if got, err := readAll(t, e, d); err != nil || string(got) != content {
		t.Fatalf("GetBlob after refused writes = %q, %v", got, err)
	}
	after, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(before) != sha256.Sum256(after) {
		t.Fatal("archive changed")
	}
}

func TestClose(t *testing.T) {
	content := "blob"
	e := mustOpen(t, writeTar(t, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName(content), content)))
	d := digest.FromString(content)
	rc, err := e.GetBlob(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := e.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	if _, err := rc.Read(make([]byte, 10)); err == nil {
		t.Error("reading a blob after Close succeeded")
	}
	calls := map[string]error{}
	_, calls["GetBlob"] = e.GetBlob(t.Context(), d)
	_, calls["StatBlob"] = e.StatBlob(t.Context(), d)
	_, calls["ListBlobs"] = e.ListBlobs(t.Context())
	_, calls["GetIndex"] = e.GetIndex(t.Context())
	calls["PutIndex"] = e.PutIndex(t.Context(), ispec.Index{})
	for name, err := range calls {
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("%s after Close: %v, want os.ErrClosed", name, err)
		}
	}
}

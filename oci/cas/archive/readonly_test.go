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

// TestWritesRefused checks that every write method of an engine that
// cannot write (a legacy archive; an archive read from memory) fails with
// cas.ErrReadOnly and a message telling how to get a writable layout, and
// that the archive file is left byte-identical.
func TestWritesRefused(t *testing.T) {
	l := layerTar(t, "f")
	cfg := imageConfig(t, l)
	legacy := tarBytes(t, file(configName(cfg), cfg), file("a/layer.tar", l),
		file("manifest.json", `[{"Config":"`+configName(cfg)+`","RepoTags":["x:1"],"Layers":["a/layer.tar"]}]`))
	content := "blob"
	oci := tarBytes(t, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName(content), content))
	for _, tc := range []struct {
		name, source string
		data         []byte
		open         func(t *testing.T, p string, data []byte) *Engine
		d            digest.Digest
	}{
		{"legacy", "docker-archive:%s:NAME:TAG", legacy, func(t *testing.T, p string, _ []byte) *Engine {
			return mustOpen(t, p)
		}, digest.FromString(l)},
		{"memory", "oci-archive:%s:TAG", oci, func(t *testing.T, p string, data []byte) *Engine {
			e, err := openReader(t.Context(), bytes.NewReader(data), int64(len(data)), p)
			if err != nil {
				t.Fatal(err)
			}
			return e
		}, digest.FromString(content)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "img.tar", tc.data)
			e := tc.open(t, p, tc.data)
			writesRefused(t, e, p, strings.ReplaceAll(tc.source, "%s", p), tc.d)
			after, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if sha256.Sum256(tc.data) != sha256.Sum256(after) {
				t.Fatal("archive changed")
			}
		})
	}
}

// writesRefused calls every write method of e and checks the error.
func writesRefused(t *testing.T, e *Engine, p, source string, d digest.Digest) {
	t.Helper()
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
			for _, s := range []string{"archive " + p + " is read-only", "skopeo copy " + source} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	if called {
		t.Error("UpdateIndex called fn")
	}
	if _, err := readAll(t, e, d); err != nil {
		t.Fatalf("GetBlob after refused writes: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
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

package dir

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
)

func TestOpenErrors(t *testing.T) {
	write := func(name, content string) func(t *testing.T, root string) {
		return func(t *testing.T, root string) {
			if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(name string) func(t *testing.T, root string) {
		return func(t *testing.T, root string) {
			if err := os.RemoveAll(filepath.Join(root, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	replaceWithDir := func(name string) func(t *testing.T, root string) {
		return func(t *testing.T, root string) {
			remove(name)(t, root)
			if err := os.Mkdir(filepath.Join(root, name), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	// moveOut moves name to a directory next to the layout (outside it)
	// and leaves a symlink to it in its place.
	moveOut := func(name string) func(t *testing.T, root string) {
		return func(t *testing.T, root string) {
			outside := filepath.Join(t.TempDir(), "outside")
			if err := os.Rename(filepath.Join(root, name), outside); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(root, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		mutate  func(t *testing.T, root string)
		path    func(root string) string // default: root
		kind    error
		wantMsg string // prefix; PATH is replaced by the path given to Open
	}{
		{"missing path", nil, func(r string) string { return filepath.Join(r, "nope") }, cas.ErrNotExist, "open layout: PATH does not exist"},
		{"path is a file", nil, func(r string) string { return filepath.Join(r, indexFile) }, cas.ErrInvalid, "open layout: PATH is not a directory"},
		{"empty path", nil, func(string) string { return "" }, cas.ErrInvalid, "open layout: empty path"},
		{"missing oci-layout", remove(layoutFile), nil, cas.ErrInvalid, "open layout: missing oci-layout file"},
		{"garbage oci-layout", write(layoutFile, "garbage"), nil, cas.ErrInvalid, "open layout: oci-layout: invalid JSON: "},
		{"empty oci-layout", write(layoutFile, ""), nil, cas.ErrInvalid, "open layout: oci-layout: invalid JSON: "},
		{"wrong version", write(layoutFile, `{"imageLayoutVersion":"2.0"}`), nil, cas.ErrInvalid, `open layout: oci-layout: unsupported imageLayoutVersion "2.0"`},
		{"no version", write(layoutFile, `{}`), nil, cas.ErrInvalid, `open layout: oci-layout: unsupported imageLayoutVersion ""`},
		{"oci-layout is a dir", replaceWithDir(layoutFile), nil, cas.ErrInvalid, "open layout: oci-layout is not a regular file"},
		{"missing blobs", remove(blobsDir), nil, cas.ErrInvalid, "open layout: missing blobs directory"},
		{"blobs is a file", func(t *testing.T, root string) { remove(blobsDir)(t, root); write(blobsDir, "x")(t, root) }, nil, cas.ErrInvalid, "open layout: blobs is not a directory"},
		{"blobs/sha256 is a file", func(t *testing.T, root string) { remove("blobs/sha256")(t, root); write("blobs/sha256", "x")(t, root) }, nil, cas.ErrInvalid, "open layout: blobs/sha256 is not a directory"},
		{"missing index.json", remove(indexFile), nil, cas.ErrInvalid, "open layout: missing index.json file"},
		{"index.json is a dir", replaceWithDir(indexFile), nil, cas.ErrInvalid, "open layout: index.json is not a regular file"},
		{"garbage index.json", write(indexFile, "{not json"), nil, cas.ErrInvalid, "open layout: index.json: invalid JSON: "},
		{"blobs/sha256 is a symlink", moveOut("blobs/sha256"), nil, cas.ErrInvalid, "open layout: blobs/sha256 is a symlink: everything a layout holds must be inside it"},
		{"blobs is a symlink", moveOut(blobsDir), nil, cas.ErrInvalid, "open layout: blobs is a symlink: everything a layout holds must be inside it"},
		{"index.json is a symlink", moveOut(indexFile), nil, cas.ErrInvalid, "open layout: index.json is a symlink: "},
		{"oci-layout is a symlink", moveOut(layoutFile), nil, cas.ErrInvalid, "open layout: oci-layout is a symlink: "},
		{"truncated index.json", write(indexFile, `{"schemaVersion":2,"manifests":[`), nil, cas.ErrInvalid, "open layout: index.json: invalid JSON: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := newLayout(t)
			if tc.mutate != nil {
				tc.mutate(t, root)
			}
			path := root
			if tc.path != nil {
				path = tc.path(root)
			}
			e, err := Open(t.Context(), path)
			if err == nil {
				e.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %v does not match %v", err, tc.kind)
			}
			want := strings.ReplaceAll(tc.wantMsg, "PATH", path)
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q, want prefix %q", err, want)
			}
		})
	}
}

func TestOpenAccepts(t *testing.T) {
	t.Run("null manifests", func(t *testing.T) {
		root := newLayout(t)
		if err := os.WriteFile(filepath.Join(root, indexFile), []byte(`{"schemaVersion":2,"manifests":null}`), 0o644); err != nil {
			t.Fatal(err)
		}
		idx, err := mustOpen(t, root).GetIndex(t.Context())
		if err != nil || idx.Manifests == nil || len(idx.Manifests) != 0 {
			t.Fatalf("GetIndex = %+v, %v; want empty non-nil manifests", idx, err)
		}
	})
	t.Run("missing blobs/sha256", func(t *testing.T) {
		root := newLayout(t)
		if err := os.Remove(blobDir(root)); err != nil {
			t.Fatal(err)
		}
		e := mustOpen(t, root)
		if ds, err := e.ListBlobs(t.Context()); err != nil || len(ds) != 0 {
			t.Fatalf("ListBlobs = %v, %v", ds, err)
		}
		d, _, err := e.PutBlob(t.Context(), strings.NewReader("x"))
		if err != nil {
			t.Fatalf("PutBlob: %v", err)
		}
		if _, err := os.Stat(filepath.Join(blobDir(root), d.Encoded())); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ListBlobs skips junk", func(t *testing.T) {
		root := newLayout(t)
		e := mustOpen(t, root)
		d, _, err := e.PutBlob(t.Context(), strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		for _, junk := range []string{"README", strings.ToUpper(d.Encoded()), d.Encoded()[:63]} {
			if err := os.WriteFile(filepath.Join(blobDir(root), junk), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(filepath.Join(blobDir(root), strings.Repeat("0", 64)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, blobsDir, "sha512"), 0o755); err != nil {
			t.Fatal(err)
		}
		ds, err := e.ListBlobs(t.Context())
		if err != nil || len(ds) != 1 || ds[0] != d {
			t.Fatalf("ListBlobs = %v, %v; want [%s]", ds, err, d)
		}
	})
}

// TestOpenUmociLayout reads every blob of the reference layout made by umoci.
func TestOpenUmociLayout(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..", "shared", "spec", "examples", "umoci-layout")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("reference layout not available: %v", err)
	}
	e := mustOpen(t, root)
	idx, err := e.GetIndex(t.Context())
	if err != nil || len(idx.Manifests) == 0 {
		t.Fatalf("GetIndex = %d manifests, %v", len(idx.Manifests), err)
	}
	ds, err := e.ListBlobs(t.Context())
	if err != nil || len(ds) == 0 {
		t.Fatalf("ListBlobs = %v, %v", ds, err)
	}
	for _, m := range idx.Manifests {
		if !slices.Contains(ds, m.Digest) {
			t.Errorf("index entry %s not listed", m.Digest)
		}
	}
	for _, d := range ds {
		rc, err := e.GetBlob(t.Context(), d)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		if err != nil {
			t.Fatalf("read %s: %v", d, err)
		}
		if err := rc.Close(); err != nil {
			t.Fatal(err)
		}
		if size, err := e.StatBlob(t.Context(), d); err != nil || size != n {
			t.Fatalf("StatBlob %s = %d, %v; read %d", d, size, err, n)
		}
	}
}

package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/opencontainers/go-digest"
)

// entry is one tar member to write: the header (Size is filled in for
// regular files from body) and its content.
type entry struct {
	hdr  tar.Header
	body string
}

// file is a regular member name holding body.
func file(name, body string) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644}, body: body}
}

// link is a member of type flag (hard link, symlink, ...) at name.
func link(flag byte, name, target string) entry {
	return entry{hdr: tar.Header{Name: name, Linkname: target, Typeflag: flag, Mode: 0o777}}
}

// blobName is the member name of content's blob.
func blobName(content string) string {
	return "blobs/sha256/" + digest.FromString(content).Encoded()
}

const (
	okLayout = `{"imageLayoutVersion":"1.0.0"}`
	okIndex  = `{"schemaVersion":2,"manifests":[]}`
)

// tarBytes renders entries as a tar stream.
func tarBytes(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := e.hdr
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatalf("write header %s: %v", hdr.Name, err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatalf("write %s: %v", hdr.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to a new file in a temp dir and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeTar writes entries as a tar file and returns its path.
func writeTar(t testing.TB, entries ...entry) string {
	t.Helper()
	return writeFile(t, "img.tar", tarBytes(t, entries...))
}

// mustOpen opens the archive at p and closes it when the test ends.
func mustOpen(t testing.TB, p string) *Engine {
	t.Helper()
	e, err := Open(context.Background(), p)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// smallLayout writes lade's "small" test image as "latest" and a second
// image as "other" into a new layout directory and returns its path.
func smallLayout(t testing.TB) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "layout")
	ctx := context.Background()
	if _, err := testimage.Small().Write(ctx, root, "latest"); err != nil {
		t.Fatalf("write small image: %v", err)
	}
	other := testimage.New().AddLayer(testimage.Zstd, "other",
		testimage.File("etc/other", "other image\n", 0o644))
	if _, err := other.Write(ctx, root, "other"); err != nil {
		t.Fatalf("write other image: %v", err)
	}
	return root
}

// layoutTar writes the layout directory root as a tar file the way skopeo
// does (directories, then files; names relative to root) and returns its
// path.
func layoutTar(t testing.TB, root string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.AddFS(os.DirFS(root)); err != nil {
		t.Fatalf("tar %s: %v", root, err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "layout.tar", buf.Bytes())
}

// wantErr fails unless err matches target.
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

package bundle

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
)

// flatImage writes a two-layer image exercising whiteouts, an opaque
// directory, hardlinks, symlinks, setuid bits and owners, tagged "flat",
// and returns its engine and path.
func flatImage(t *testing.T) (casext.Engine, casext.DescriptorPath) {
	t.Helper()
	b := testimage.New()
	b.Config.Env = []string{"PATH=/bin"}
	b.AddLayer(testimage.Gzip, "base",
		testimage.Dir("bin", 0o755),
		testimage.File("bin/su", "su binary", 0o4755),
		testimage.Hardlink("bin/sudo", "bin/su"),
		testimage.Symlink("bin/sh", "busybox"),
		testimage.File("bin/busybox", "busybox", 0o755),
		testimage.Dir("etc", 0o755),
		testimage.File("etc/passwd", "root:x:0:0\n", 0o644),
		testimage.File("etc/shadow", "root:*:\n", 0o640).Owned(0, 42),
		testimage.Dir("opt", 0o750).Owned(1000, 1000),
		testimage.File("opt/data", "data", 0o600).Owned(1000, 1001),
		testimage.Dir("usr", 0o755),
		testimage.File("usr/gone", "deleted later", 0o644),
		testimage.Dir("var", 0o755),
		testimage.Dir("var/cache", 0o1777),
		testimage.File("var/cache/a", "a", 0o644),
		testimage.File("var/cache/b", "b", 0o644),
	)
	b.AddLayer(testimage.Zstd, "change",
		testimage.Whiteout("usr/gone"),
		testimage.Opaque("var/cache"),
		testimage.File("var/cache/new", "new", 0o644),
		testimage.File("etc/motd", "hello\n", 0o644).At(testimage.Epoch.Add(time.Hour)),
		testimage.Hardlink("etc/motd2", "etc/motd"),
	)
	return writeFlat(t, b)
}

// writeFlat writes b to a fresh layout as "flat" and opens it.
func writeFlat(t *testing.T, b *testimage.Builder) (casext.Engine, casext.DescriptorPath) {
	t.Helper()
	ctx := t.Context()
	layout := filepath.Join(t.TempDir(), "layout")
	if _, err := b.Write(ctx, layout, "flat"); err != nil {
		t.Fatalf("write image: %v", err)
	}
	cas, err := dir.Open(ctx, layout)
	if err != nil {
		t.Fatalf("open layout: %v", err)
	}
	engine := casext.NewEngine(cas)
	t.Cleanup(func() { _ = engine.Close() })
	path, err := engine.ResolveOne(ctx, "flat")
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	return engine, path
}

// tarEntry is a header of a read-back archive with its content.
type tarEntry struct {
	hdr     *tar.Header
	content string
}

// readTar returns the entries of an uncompressed tar in order.
func readTar(t *testing.T, data []byte) ([]string, map[string]tarEntry) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	var names []string
	entries := map[string]tarEntry{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, entries
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", hdr.Name, err)
		}
		if _, dup := entries[hdr.Name]; dup {
			t.Errorf("duplicate entry %q", hdr.Name)
		}
		names = append(names, hdr.Name)
		entries[hdr.Name] = tarEntry{hdr: hdr, content: string(body)}
	}
}

// assertEmptyDir fails unless dir exists and holds nothing.
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	for _, n := range names {
		t.Errorf("left behind in %s: %s", dir, n.Name())
	}
}

// failWriter accepts limit bytes, then fails.
type failWriter struct{ limit int }

var errWriteFailed = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errWriteFailed
	}
	w.limit -= len(p)
	return len(p), nil
}

// bufioReader wraps data for compress.Detect.
func bufioReader(data []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(data)) }

package layer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// unpack applies each layer in turn to root.
func unpack(t *testing.T, root string, opts *UnpackOptions, layers ...[]layertest.Entry) error {
	t.Helper()
	for _, l := range layers {
		if err := UnpackLayer(t.Context(), root, bytes.NewReader(layertest.Tar(t, l...)), opts); err != nil {
			return err
		}
	}
	return nil
}

func mustUnpack(t *testing.T, root string, opts *UnpackOptions, layers ...[]layertest.Entry) {
	t.Helper()
	if err := unpack(t, root, opts, layers...); err != nil {
		t.Fatalf("unpack: %v", err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return string(b)
}

func lstat(t *testing.T, p string) (os.FileInfo, *syscall.Stat_t) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatalf("lstat %s: %v", p, err)
	}
	return fi, fi.Sys().(*syscall.Stat_t)
}

func assertMissing(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !os.IsNotExist(err) {
		t.Fatalf("%s exists (err %v), want missing", p, err)
	}
}

// listDir returns the sorted names in dir joined by ",".
func listDir(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read dir %s: %v", dir, err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("requires root")
	}
}

func newRoot(t *testing.T) string { return filepath.Join(t.TempDir(), "rootfs") }

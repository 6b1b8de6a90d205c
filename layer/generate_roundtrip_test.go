package layer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vbatts/go-mtree"
)

// generateUnpack applies layers in order to a fresh root.
func generateUnpack(t *testing.T, layers ...[]byte) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "rootfs")
	for i, l := range layers {
		if err := UnpackLayer(t.Context(), root, bytes.NewReader(l), nil); err != nil {
			t.Fatalf("unpack layer %d: %v", i, err)
		}
	}
	return root
}

// generateSameTree fails when the trees at a and b differ in umoci's
// mtree keywords.
func generateSameTree(t *testing.T, want, got string) {
	t.Helper()
	deltas, err := mtree.Check(got, generateWalk(t, want), generateTestKeywords, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deltas {
		t.Errorf("unpacked tree differs: %s", d)
	}
}

// TestGenerateRoundTrip repacks a changed tree and checks that the base
// plus the generated layer unpack to exactly the changed tree.
func TestGenerateRoundTrip(t *testing.T) {
	src := t.TempDir()
	generateWrite(t, src, "etc/passwd", "root:x:0:0", 0o644)
	generateWrite(t, src, "opt/d/f", "hello", 0o644)
	if err := os.Link(filepath.Join(src, "opt/d/f"), filepath.Join(src, "opt/d/h")); err != nil {
		t.Fatal(err)
	}
	generateWrite(t, src, "usr/bin/tool", "#!/bin/sh", 0o755)
	if err := os.Symlink("../usr/bin/tool", filepath.Join(src, "opt/link")); err != nil {
		t.Fatal(err)
	}
	generateWrite(t, src, "var/gone/x", "x", 0o600)
	generateAgeTree(t, src)

	base := generateLayerBytes(t, src, generateAllDeltas(t, src), nil)
	rootfs := generateUnpack(t, base)
	generateSameTree(t, src, rootfs)

	// Change the unpacked tree the way a user of a bundle would.
	before := generateWalk(t, rootfs)
	for _, p := range []string{"opt/d/h", "var/gone/x", "var/gone"} {
		if err := os.Remove(filepath.Join(rootfs, p)); err != nil {
			t.Fatal(err)
		}
	}
	generateWrite(t, rootfs, "etc/passwd", "root:x:0:0\nuser:x:1000:1000", 0o644)
	generateWrite(t, rootfs, "newdir/file", "new", 0o640)
	deltas, err := mtree.Check(rootfs, before, generateTestKeywords, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff := generateLayerBytes(t, rootfs, deltas, nil)
	generateSameTree(t, rootfs, generateUnpack(t, base, diff))
}

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGCDryRun(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":keep")
	t.Setenv("SOURCE_DATE_EPOCH", "7")
	mustLade(t, "new", "--image", layout+":drop")
	dropped := readIndex(t, layout).Manifests[1].Digest
	stray := writeBlob(t, layout, []byte("stray\n"))
	mustLade(t, "rm", "--image", layout+":drop")
	if n := countBlobs(t, layout); n != 5 {
		t.Fatalf("%d blobs before gc, want 5", n)
	}

	r := mustLade(t, "gc", "--dry-run", "--layout", layout)
	got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(got) != 3 || !slices.IsSorted(got) || !slices.Contains(got, stray.String()) || !slices.Contains(got, dropped.String()) {
		t.Errorf("dry run printed %q, want 3 sorted digests including %s and %s", got, stray, dropped)
	}
	if r.stderr != "" {
		t.Errorf("dry run logged %q at the default level", r.stderr)
	}
	if n := countBlobs(t, layout); n != 5 {
		t.Errorf("dry run deleted blobs: %d left", n)
	}
	r = mustLade(t, "--verbose", "gc", "--dry-run", "--layout", layout)
	if !strings.Contains(r.stderr, "blobs_unreachable=3") {
		t.Errorf("--verbose dry run logged %q", r.stderr)
	}

	r = mustLade(t, "--verbose", "gc", "--layout", layout)
	if r.stdout != "" || !strings.Contains(r.stderr, "blobs_removed=3") {
		t.Errorf("gc printed %q / %q", r.stdout, r.stderr)
	}
	for _, d := range got {
		if _, err := os.Stat(filepath.Join(layout, "blobs", "sha256", strings.TrimPrefix(d, "sha256:"))); !os.IsNotExist(err) {
			t.Errorf("gc kept %s, which the dry run listed", d)
		}
	}
	if r := mustLade(t, "gc", "--dry-run", "--layout", layout); r.stdout != "" {
		t.Errorf("dry run after gc printed %q", r.stdout)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
)

func TestValidate(t *testing.T) {
	ctx := t.Context()
	layout := filepath.Join(t.TempDir(), "layout")
	good, err := testimage.Small().Write(ctx, layout, "good")
	if err != nil {
		t.Fatal(err)
	}
	b := testimage.New()
	b.AddLayer(testimage.Gzip, "other", testimage.File("other", "x\n", 0o644))
	bad, err := b.Write(ctx, layout, "bad")
	if err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{
		{"validate", "--layout", layout},
		{"validate", "--image", layout + ":good"},
		{"validate", "--image", layout + ":bad"},
	} {
		if r := mustLade(t, args...); r.stdout != "" || r.stderr != "" {
			t.Errorf("lade %v printed %q / %q", args, r.stdout, r.stderr)
		}
	}

	// Corrupt the layer of "bad" (same size), and remove its config.
	layer := filepath.Join(layout, "blobs", "sha256", bad.Layers[0].Digest.Encoded())
	data, err := os.ReadFile(layer)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 0xff
	if err := os.WriteFile(layer, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := failLade(t, "validate: 1 problem found", "validate", "--layout", layout)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `(tag "bad")`) || !strings.Contains(lines[0], bad.Layers[0].Digest.String()) {
		t.Errorf("problems = %q", r.stdout)
	}
	failLade(t, "validate: 1 problem found", "validate", "--image", layout+":bad")
	if r := mustLade(t, "validate", "--image", layout+":good"); r.stdout != "" {
		t.Errorf("good image of a broken layout: %q", r.stdout)
	}
	if err := os.Remove(filepath.Join(layout, "blobs", "sha256", good.Config.Digest.Encoded())); err != nil {
		t.Fatal(err)
	}
	r = failLade(t, "validate: 2 problems found", "validate", "--layout", layout)
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("want 2 problem lines, got:\n%s", r.stdout)
	}

	failLade(t, "tag not found: absent", "validate", "--image", layout+":absent")
	failLade(t, "mutually exclusive", "validate", "--layout", layout, "--image", layout)
	failLade(t, "missing mandatory argument: --layout (or --image)", "validate")
	failLade(t, "invalid number of positional arguments", "validate", "--layout", layout, "x")
	failLade(t, "open CAS", "validate", "--layout", filepath.Join(t.TempDir(), "missing"))
}

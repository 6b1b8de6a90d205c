package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/validate"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// indexLayout writes one image per arch/variant pair, tagged arch+variant.
func indexLayout(t *testing.T, archs ...[2]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "layout")
	for _, a := range archs {
		b := testimage.New()
		b.Architecture, b.Variant = a[0], a[1]
		b.AddLayer(testimage.Gzip, "arch", testimage.File("arch", a[0]+"\n", 0o644))
		if _, err := b.Write(t.Context(), path, a[0]+a[1]); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// validLayout fails the test unless validate.Layout accepts the layout.
func validLayout(t *testing.T, path string) {
	t.Helper()
	cas, err := dir.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cas.Close() }()
	if err := validate.Layout(t.Context(), casext.NewEngine(cas)); err != nil {
		t.Errorf("layout invalid: %v", err)
	}
}

// indexEntriesJSON returns the entries lade index ls --json prints.
func indexEntriesJSON(t *testing.T, image string) []ispec.Descriptor {
	t.Helper()
	var out []ispec.Descriptor
	if err := json.Unmarshal([]byte(mustLade(t, "index", "ls", "--json", "--image", image).stdout), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIndexCommands(t *testing.T) {
	path := indexLayout(t, [2]string{"amd64", ""}, [2]string{"arm64", "v8"}, [2]string{"ppc64le", ""})
	multi := path + ":multi"
	mustLade(t, "index", "create", "--annotation", "a=b", "--image", multi, "amd64", "arm64v8")
	validLayout(t, path)
	entries := indexEntriesJSON(t, multi)
	if len(entries) != 2 || casext.PlatformString(entries[1].Platform) != "linux/arm64/v8" {
		t.Fatalf("entries = %+v", entries)
	}
	if got := statDigest(t, "--platform", "linux/arm64", "--image", multi); got != entries[1].Digest.String() {
		t.Errorf("stat --platform linux/arm64 = %s, want %s", got, entries[1].Digest)
	}
	failLade(t, "tag is ambiguous: multi (platforms: linux/amd64, linux/arm64/v8)", "stat", "--image", multi)

	mustLade(t, "index", "add", "--image", multi, "ppc64le")
	mustLade(t, "index", "remove", "--platform", "linux/amd64", "--image", multi)
	r := mustLade(t, "index", "ls", "--image", multi)
	var platforms []string
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != 4 || fields[3] != ispec.MediaTypeImageManifest {
			t.Fatalf("bad ls line %q", line)
		}
		platforms = append(platforms, fields[0])
	}
	if strings.Join(platforms, " ") != "linux/arm64/v8 linux/ppc64le" {
		t.Errorf("platforms = %v", platforms)
	}
	validLayout(t, path)
}

func TestIndexCommandErrors(t *testing.T) {
	path := indexLayout(t, [2]string{"amd64", ""}, [2]string{"arm64", ""})
	multi := path + ":multi"
	tests := []struct {
		name string
		want string
		args []string
	}{
		{"no sources", "expected at least one <source-tag>", []string{"index", "create", "--image", multi}},
		{"missing source", "tag not found: nope", []string{"index", "create", "--image", multi, "nope"}},
		{"bad source", `invalid source tag "a b"`, []string{"index", "create", "--image", multi, "a b"}},
		{"bad tag", "invalid tag", []string{"index", "create", "--image", path + ":-x", "amd64"}},
		{"annotation", "must be of the form KEY=VALUE", []string{"index", "create", "--annotation", "k", "--image", multi, "amd64"}},
		{"duplicates", "duplicate platform: linux/amd64", []string{"index", "create", "--image", multi, "amd64", "amd64"}},
		{"add to image", "not an OCI image index", []string{"index", "add", "--image", path + ":amd64", "arm64"}},
		{"remove without platform", "missing mandatory argument: --platform", []string{"index", "rm", "--image", multi}},
		{"bad platform", "invalid --platform", []string{"index", "rm", "--platform", "linux/", "--image", multi}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			failLade(t, tc.want, tc.args...)
		})
	}
	if idx := readIndex(t, path); len(idx.Manifests) != 2 {
		t.Errorf("failed commands changed index.json: %+v", idx.Manifests)
	}
}

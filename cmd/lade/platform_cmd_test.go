package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// multiLayout is a layout whose tag "multi" is an index of two one-layer
// images, linux/amd64 and linux/arm64/v8 (platforms on the index entries),
// each holding /arch with its architecture name; "single" is the amd64
// image alone.
type multiLayout struct {
	path     string
	amd, arm ispec.Descriptor // manifests, as listed in the index
	index    ispec.Descriptor
}

func newMultiLayout(t *testing.T) multiLayout {
	t.Helper()
	ctx := t.Context()
	ml := multiLayout{path: filepath.Join(t.TempDir(), "layout")}
	write := func(arch, variant, tag string) ispec.Descriptor {
		b := testimage.New()
		b.Architecture, b.Variant = arch, variant
		b.AddLayer(testimage.Gzip, "arch "+arch, testimage.File("arch", arch+"\n", 0o644))
		res, err := b.Write(ctx, ml.path, tag)
		if err != nil {
			t.Fatal(err)
		}
		d := res.Manifest
		d.Annotations = nil
		d.Platform = &ispec.Platform{OS: "linux", Architecture: arch, Variant: variant}
		return d
	}
	ml.amd = write("amd64", "", "single")
	ml.arm = write("arm64", "v8", "arm-only")

	cas, err := dir.Open(ctx, ml.path)
	if err != nil {
		t.Fatal(err)
	}
	engine := casext.NewEngine(cas)
	defer func() { _ = engine.Close() }()
	idx := ispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageIndex,
		Manifests: []ispec.Descriptor{ml.amd, ml.arm},
	}
	d, n, err := engine.PutBlobJSON(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	ml.index = ispec.Descriptor{MediaType: ispec.MediaTypeImageIndex, Digest: d, Size: n}
	if err := engine.UpdateReference(ctx, "multi", ml.index); err != nil {
		t.Fatal(err)
	}
	if err := engine.DeleteReference(ctx, "arm-only"); err != nil {
		t.Fatal(err)
	}
	return ml
}

// childIndex reads the index tag points at and returns it.
func (ml multiLayout) childIndex(t *testing.T, tag string) ispec.Index {
	t.Helper()
	for _, d := range readIndex(t, ml.path).Manifests {
		if d.Annotations[ispec.AnnotationRefName] != tag {
			continue
		}
		if d.MediaType != ispec.MediaTypeImageIndex {
			t.Fatalf("tag %s points at a %s, want an index", tag, d.MediaType)
		}
		data, err := os.ReadFile(filepath.Join(ml.path, "blobs", "sha256", d.Digest.Encoded()))
		if err != nil {
			t.Fatal(err)
		}
		var idx ispec.Index
		if err := json.Unmarshal(data, &idx); err != nil {
			t.Fatal(err)
		}
		return idx
	}
	t.Fatalf("no tag %s", tag)
	return ispec.Index{}
}

// statDigest returns the manifest digest lade stat --json reports.
func statDigest(t *testing.T, args ...string) string {
	t.Helper()
	var out struct {
		Manifest struct {
			Descriptor ispec.Descriptor `json:"descriptor"`
		} `json:"manifest"`
	}
	r := mustLade(t, append([]string{"stat", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	return out.Manifest.Descriptor.Digest.String()
}

func TestPlatformResolve(t *testing.T) {
	ml := newMultiLayout(t)
	multi := ml.path + ":multi"

	failLade(t, "get descriptor: tag is ambiguous: multi (platforms: linux/amd64, linux/arm64/v8); pick one with --platform",
		"stat", "--image", multi)
	if got := statDigest(t, "--platform", "linux/arm64", "--image", multi); got != ml.arm.Digest.String() {
		t.Errorf("stat --platform linux/arm64 = %s, want %s", got, ml.arm.Digest)
	}
	if got := statDigest(t, "--platform", "linux/amd64", "--image", multi); got != ml.amd.Digest.String() {
		t.Errorf("stat --platform linux/amd64 = %s, want %s", got, ml.amd.Digest)
	}
	failLade(t, "get descriptor: no image for platform linux/s390x: tag multi has linux/amd64, linux/arm64/v8",
		"stat", "--platform", "linux/s390x", "--image", multi)
	failLade(t, "invalid --platform", "stat", "--platform", "linux", "--image", multi)
	// A single image: --platform is a check.
	mustLade(t, "stat", "--image", ml.path+":single")
	mustLade(t, "stat", "--platform", "linux/amd64", "--image", ml.path+":single")
	failLade(t, "no image for platform linux/arm64", "stat", "--platform", "linux/arm64", "--image", ml.path+":single")

	// tag --platform points the new tag at that child manifest.
	mustLade(t, "tag", "--platform", "linux/arm64/v8", "--image", multi, "arm")
	failLade(t, "tag is ambiguous", "tag", "--image", multi, "both")
	idx := readIndex(t, ml.path)
	last := idx.Manifests[len(idx.Manifests)-1]
	if last.Annotations[ispec.AnnotationRefName] != "arm" || last.Digest != ml.arm.Digest {
		t.Errorf("tag arm = %+v, want the arm64 manifest", last)
	}

	// raw unpack and raw runtime-config pick the right image.
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	mustLade(t, "raw", "unpack", "--rootless", "--platform", "linux/arm64", "--image", multi, rootfs)
	if b, err := os.ReadFile(filepath.Join(rootfs, "arch")); err != nil || string(b) != "arm64\n" {
		t.Errorf("rootfs/arch = %q, %v", b, err)
	}
	cfg := filepath.Join(t.TempDir(), "config.json")
	mustLade(t, "raw", "runtime-config", "--platform", "linux/amd64", "--image", multi, cfg)
	failLade(t, "pick one with --platform", "raw", "runtime-config", "--image", multi, cfg)
}

func TestPlatformEditKeepsIndex(t *testing.T) {
	ml := newMultiLayout(t)
	multi := ml.path + ":multi"
	src := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(src, []byte("hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	layerTar := filepath.Join(t.TempDir(), "layer.tar")
	if err := os.WriteFile(layerTar, make([]byte, 1024), 0o644); err != nil { // an empty tar
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		layer bool // the edit adds a layer
	}{
		{"config", []string{"config", "--platform", "linux/arm64", "--config.user", "1000", "--image", multi}, false},
		{"insert", []string{"insert", "--rootless", "--platform", "linux/arm64", "--image", multi, src, "/hello"}, true},
		{"raw add-layer", []string{"raw", "add-layer", "--platform", "linux/arm64", "--image", multi, layerTar}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := ml.childIndex(t, "multi")
			failLade(t, "pick one with --platform", withoutPlatform(tc.args)...)
			mustLade(t, tc.args...)
			after := ml.childIndex(t, "multi")
			if len(after.Manifests) != 2 {
				t.Fatalf("index has %d entries, want 2", len(after.Manifests))
			}
			if after.Manifests[0].Digest != before.Manifests[0].Digest {
				t.Errorf("the amd64 child changed")
			}
			if after.Manifests[1].Digest == before.Manifests[1].Digest {
				t.Errorf("the arm64 child did not change")
			}
			for i, d := range after.Manifests {
				if d.Platform == nil || d.Platform.Architecture != before.Manifests[i].Platform.Architecture {
					t.Errorf("entry %d lost its platform: %+v", i, d.Platform)
				}
			}
			r := mustLade(t, "stat", "--platform", "linux/arm64", "--image", multi)
			if tc.layer && !strings.Contains(r.stdout, "umoci ") {
				t.Errorf("stat of the edited child lacks the new history entry:\n%s", r.stdout)
			}
		})
	}
}

func TestPlatformUnpackRepackKeepsIndex(t *testing.T) {
	ml := newMultiLayout(t)
	multi := ml.path + ":multi"
	bundle := filepath.Join(t.TempDir(), "bundle")
	failLade(t, "pick one with --platform", "unpack", "--rootless", "--image", multi, bundle)
	mustLade(t, "unpack", "--rootless", "--platform", "linux/amd64", "--image", multi, bundle)
	if b, err := os.ReadFile(filepath.Join(bundle, "rootfs", "arch")); err != nil || string(b) != "amd64\n" {
		t.Fatalf("rootfs/arch = %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "rootfs", "new"), []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustLade(t, "repack", "--image", ml.path+":next", bundle)
	idx := ml.childIndex(t, "next")
	if len(idx.Manifests) != 2 || idx.Manifests[0].Digest == ml.amd.Digest || idx.Manifests[1].Digest != ml.arm.Digest {
		t.Errorf("repacked index = %+v, want a new amd64 child and the old arm64 one", idx.Manifests)
	}
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	mustLade(t, "raw", "unpack", "--rootless", "--platform", "linux/amd64", "--image", ml.path+":next", rootfs)
	if b, err := os.ReadFile(filepath.Join(rootfs, "new")); err != nil || string(b) != "new\n" {
		t.Errorf("repacked rootfs/new = %q, %v", b, err)
	}
}

// withoutPlatform returns args without "--platform VALUE".
func withoutPlatform(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--platform" {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

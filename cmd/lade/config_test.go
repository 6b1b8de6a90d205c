package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	ispecs "github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// demoConfigArgs are the config flags of the example's "demo" step
// (testdata/README: umoci config --image img:blank --tag demo ...).
var demoConfigArgs = []string{
	"--tag", "demo", "--config.user", "app", "--config.env", "FOO=bar",
	"--config.entrypoint", "/bin/sh", "--config.cmd", "-c", "--config.cmd", "echo hi",
	"--config.workingdir", "/home/app", "--config.volume", "/data",
	"--config.label", "org.example.label=value", "--config.exposedports", "8080/tcp",
	"--config.stopsignal", "SIGTERM", "--author", "Demo Author",
	"--manifest.annotation", "org.example.note=demo", "--platform.variant", "v2",
}

// configDemoDigest is the manifest umoci wrote for the demo step.
const configDemoDigest = "sha256:11c070471c76abcf2b817d33c601646c9ab85157582e3f76c82f7e817b2b5543"

// configReadBlob parses the blob d of layout into v.
func configReadBlob(t *testing.T, layout string, d ispec.Descriptor, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(layout, "blobs", d.Digest.Algorithm().String(), d.Digest.Encoded()))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("parse blob %s: %v", d.Digest, err)
	}
}

// configImageOf returns the image config of the manifest d.
func configImageOf(t *testing.T, layout string, d ispec.Descriptor) ispec.Image {
	t.Helper()
	var m ispec.Manifest
	configReadBlob(t, layout, d, &m)
	var img ispec.Image
	configReadBlob(t, layout, m.Config, &img)
	return img
}

func TestConfigReproducesUmociDemo(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	layout := exampleLayout(t)
	mustLade(t, "rm", "--image", layout+":demo")
	mustLade(t, append([]string{"config", "--image", layout + ":blank"}, demoConfigArgs...)...)
	got := mustLade(t, "stat", "--json", "--image", layout+":demo").stdout
	want, err := os.ReadFile(filepath.Join("testdata", "demo.stat.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("stat --json of the demo image differs from umoci's:\ngot:  %s\nwant: %s", got, want)
	}
	idx := readIndex(t, layout)
	if n := len(idx.Manifests); n != 2 || idx.Manifests[1].Digest != configDemoDigest {
		t.Errorf("index.json manifests = %+v, want blank then demo %s", idx.Manifests, configDemoDigest)
	}
}

func TestConfigKeepsVariantAndOverwritesTag(t *testing.T) {
	layout := exampleLayout(t)
	mustLade(t, "config", "--image", layout+":demo", "--author", "Someone Else", "--history.created", "2020-01-01T00:00:00Z")
	idx := readIndex(t, layout)
	if len(idx.Manifests) != 2 || idx.Manifests[1].Annotations[ispec.AnnotationRefName] != "demo" {
		t.Fatalf("index.json manifests = %+v, want blank then demo", idx.Manifests)
	}
	img := configImageOf(t, layout, idx.Manifests[1])
	if img.Variant != "v2" || img.Author != "Someone Else" || img.Config.User != "app" {
		t.Errorf("variant %q author %q user %q, want v2, Someone Else, app", img.Variant, img.Author, img.Config.User)
	}
	last := img.History[len(img.History)-1]
	if last.Author != "Someone Else" || last.CreatedBy != "umoci config" || !last.EmptyLayer ||
		last.Created == nil || last.Created.Format("2006") != "2020" {
		t.Errorf("history entry %+v", last)
	}
}

func TestConfigIndexStaysIndex(t *testing.T) {
	layout := exampleLayout(t)
	engine, err := openEngine(t.Context(), layout)
	if err != nil {
		t.Fatal(err)
	}
	idx := readIndex(t, layout)
	child := idx.Manifests[0]
	child.Annotations = map[string]string{"org.example.a": "b"}
	child.Platform = &ispec.Platform{OS: "linux", Architecture: "amd64"}
	d, size, err := engine.PutBlobJSON(t.Context(), ispec.Index{
		Versioned: ispecs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageIndex,
		Manifests: []ispec.Descriptor{child},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.UpdateReference(t.Context(), "multi", ispec.Descriptor{MediaType: ispec.MediaTypeImageIndex, Digest: d, Size: size}); err != nil {
		t.Fatal(err)
	}
	if err := engine.Close(); err != nil {
		t.Fatal(err)
	}

	mustLade(t, "config", "--image", layout+":multi", "--tag", "multi2", "--config.user", "nobody")
	idx = readIndex(t, layout)
	root := idx.Manifests[len(idx.Manifests)-1]
	if root.MediaType != ispec.MediaTypeImageIndex || root.Annotations[ispec.AnnotationRefName] != "multi2" || root.Digest == d {
		t.Fatalf("new root %+v, want a new index tagged multi2", root)
	}
	var index ispec.Index
	configReadBlob(t, layout, root, &index)
	if len(index.Manifests) != 1 || index.Manifests[0].Platform == nil || index.Manifests[0].Annotations["org.example.a"] != "b" {
		t.Fatalf("rewritten index lost child fields: %+v", index.Manifests)
	}
	if img := configImageOf(t, layout, index.Manifests[0]); img.Config.User != "nobody" {
		t.Errorf("user %q, want nobody", img.Config.User)
	}
}

func TestConfigErrors(t *testing.T) {
	layout := exampleLayout(t)
	before, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	img := layout + ":blank"
	tests := []struct {
		want string
		args []string
	}{
		{"invalid --tag", []string{"--image", img, "--tag", "bad tag"}},
		{"invalid --tag", []string{"--image", img, "--tag", ""}},
		{"tag not found", []string{"--image", layout + ":nope", "--author", "x"}},
		{"invalid number of positional arguments", []string{"--image", img, "extra"}},
		{"flags must come before positional arguments", []string{"--image", img, "x", "--author", "y"}},
		{"must be of the form KEY=VALUE", []string{"--image", img, "--manifest.annotation", "oops"}},
		{"KEY is empty", []string{"--image", img, "--config.env", "=v"}},
		{"invalid --created", []string{"--image", img, "--created", "2020-13-01T00:00:00Z"}},
		{"mutually exclusive", []string{"--image", img, "--no-history", "--history.comment", "c"}},
		{"parse SOURCE_DATE_EPOCH", nil},
		{"missing mandatory argument: --image", []string{"--author", "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			args := tc.args
			if args == nil {
				t.Setenv("SOURCE_DATE_EPOCH", "soon")
				args = []string{"--image", img}
			}
			failLade(t, tc.want, append([]string{"config"}, args...)...)
		})
	}
	after, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("failed config commands changed index.json:\n%s", after)
	}
}

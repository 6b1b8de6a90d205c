package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// readIndex parses a layout's index.json.
func readIndex(t *testing.T, layout string) ispec.Index {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx ispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatalf("parse index.json: %v", err)
	}
	return idx
}

// tagsOf runs lade ls.
func tagsOf(t *testing.T, layout string) []string {
	t.Helper()
	out := strings.TrimSuffix(mustLade(t, "ls", "--layout", layout).stdout, "\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

func TestInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "layout")
	mustLade(t, "init", "--layout", path)
	for _, name := range []string{"oci-layout", "index.json", "blobs/sha256"} {
		if _, err := os.Stat(filepath.Join(path, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	if idx := readIndex(t, path); idx.Manifests == nil || len(idx.Manifests) != 0 {
		t.Errorf("index.json manifests = %#v, want []", idx.Manifests)
	}
	failLade(t, "already exists", "init", "--layout", path)
}

func TestNewReproducible(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":blank")
	idx := readIndex(t, layout)
	if len(idx.Manifests) != 1 {
		t.Fatalf("want 1 manifest, got %d", len(idx.Manifests))
	}
	if hostVariant() == "" && idx.Manifests[0].Digest != blankManifestDigest {
		t.Errorf("blank manifest digest %s, want %s", idx.Manifests[0].Digest, blankManifestDigest)
	}
	for _, format := range []string{"txt", "json"} {
		args := []string{"stat", "--image", layout + ":blank"}
		if format == "json" {
			args = []string{"stat", "--json", "--image", layout + ":blank"}
		}
		got := mustLade(t, args...).stdout
		want, err := os.ReadFile(filepath.Join("testdata", "blank.stat."+format))
		if err != nil {
			t.Fatal(err)
		}
		if hostVariant() == "" && got != string(want) {
			t.Errorf("stat %s of a new image differs from umoci's:\n%s", format, got)
		}
	}
}

func TestNewDefaultsAndErrors(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout)
	if got := tagsOf(t, layout); !slices.Equal(got, []string{"latest"}) {
		t.Errorf("tags = %q, want [latest]", got)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	failLade(t, "SOURCE_DATE_EPOCH", "new", "--image", layout+":x")
}

func TestTagLsRm(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":a")
	mustLade(t, "tag", "--image", layout+":a", "b")
	mustLade(t, "tag", "--image", layout+":b", "c:with:colons")
	mustLade(t, "tag", "--image", layout+":a", "b") // moves b to the end
	if got, want := tagsOf(t, layout), []string{"a", "c:with:colons", "b"}; !slices.Equal(got, want) {
		t.Errorf("tags = %q, want %q", got, want)
	}
	idx := readIndex(t, layout)
	for _, d := range idx.Manifests[1:] {
		if d.Digest != idx.Manifests[0].Digest {
			t.Errorf("tag %s points at %s, want %s", d.Annotations[ispec.AnnotationRefName], d.Digest, idx.Manifests[0].Digest)
		}
	}
	mustLade(t, "rm", "--image", layout+":b")
	mustLade(t, "remove", "--image", layout+":never-existed")
	if got, want := tagsOf(t, layout), []string{"a", "c:with:colons"}; !slices.Equal(got, want) {
		t.Errorf("tags = %q, want %q", got, want)
	}
	failLade(t, "tag not found", "tag", "--image", layout+":b", "d")
}

func TestTagOfIndexPointsAtLeaf(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":img")
	idx := readIndex(t, layout)
	leaf := idx.Manifests[0]
	delete(leaf.Annotations, ispec.AnnotationRefName)
	leaf.Annotations["org.example.child"] = "yes"
	// Wrap the manifest in an index blob tagged "multi".
	child, err := json.Marshal(ispec.Index{
		Versioned: idx.Versioned, MediaType: ispec.MediaTypeImageIndex, Manifests: []ispec.Descriptor{leaf},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := writeBlob(t, layout, child)
	idx.Manifests = append(idx.Manifests, ispec.Descriptor{
		MediaType: ispec.MediaTypeImageIndex, Digest: d, Size: int64(len(child)),
		Annotations: map[string]string{ispec.AnnotationRefName: "multi"},
	})
	writeIndex(t, layout, idx)

	mustLade(t, "tag", "--image", layout+":multi", "flat")
	got := readIndex(t, layout).Manifests[2]
	if got.Digest != leaf.Digest || got.MediaType != ispec.MediaTypeImageManifest {
		t.Errorf("new tag points at %s %s, want the leaf manifest %s", got.MediaType, got.Digest, leaf.Digest)
	}
	if got.Annotations["org.example.child"] != "yes" || got.Annotations[ispec.AnnotationRefName] != "flat" {
		t.Errorf("annotations = %v", got.Annotations)
	}
}

func TestGC(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":keep")
	mustLade(t, "new", "--image", layout+":drop")
	stray := writeBlob(t, layout, []byte("stray"))
	mustLade(t, "rm", "--image", layout+":drop")
	before := countBlobs(t, layout)
	mustLade(t, "gc", "--layout", layout)
	after := countBlobs(t, layout)
	if _, err := os.Stat(filepath.Join(layout, "blobs", "sha256", stray.Encoded())); !os.IsNotExist(err) {
		t.Errorf("stray blob kept: %v", err)
	}
	if after != 2 || before <= after {
		t.Errorf("blobs before gc %d, after %d; want 2 after", before, after)
	}
	mustLade(t, "stat", "--image", layout+":keep")
}

func TestStatExample(t *testing.T) {
	layout := exampleLayout(t)
	want, err := os.ReadFile(filepath.Join("testdata", "demo.stat.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustLade(t, "stat", "--image", layout+":demo").stdout; got != string(want) {
		t.Errorf("stat differs:\n%s", got)
	}
	failLade(t, "tag not found", "stat", "--image", layout+":nope")
}

func TestStatRefusesNonManifest(t *testing.T) {
	layout := newLayout(t)
	d := writeBlob(t, layout, []byte("not a manifest"))
	idx := readIndex(t, layout)
	idx.Manifests = append(idx.Manifests, ispec.Descriptor{
		MediaType: "application/x.unknown", Digest: d, Size: 14,
		Annotations: map[string]string{ispec.AnnotationRefName: "odd"},
	})
	writeIndex(t, layout, idx)
	failLade(t, "not an image manifest", "stat", "--image", layout+":odd")
}

func TestCorruptLayout(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":a")
	if err := os.WriteFile(filepath.Join(layout, "index.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ls", "--layout", layout},
		{"stat", "--image", layout + ":a"},
		{"tag", "--image", layout + ":a", "b"},
		{"rm", "--image", layout + ":a"},
		{"gc", "--layout", layout},
	} {
		failLade(t, "", args...)
	}
	failLade(t, "open CAS:", "ls", "--layout", t.TempDir())
}

func TestInvalidArguments(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":a")
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"missing mandatory argument: --layout", []string{"init"}},
		{"path is empty", []string{"init", "--layout", ""}},
		{"may not contain ':'", []string{"init", "--layout", "a:b"}},
		{"expected 0, got 1", []string{"init", "--layout", t.TempDir() + "/x", "extra"}},
		{"missing mandatory argument: --image", []string{"new"}},
		{"path is empty", []string{"new", "--image", ":tag"}},
		{`invalid tag ""`, []string{"new", "--image", layout + ":"}},
		{`invalid tag "-bad"`, []string{"new", "--image", layout + ":-bad"}},
		{"flags must come before", []string{"new", "x", "--image", layout}},
		{"expected 0, got 1", []string{"ls", "--layout", layout, "x"}},
		{"flags must come before", []string{"ls", "--layout", layout, "x", "--json"}},
		{"expected <new-tag>, got 0", []string{"tag", "--image", layout + ":a"}},
		{"expected <new-tag>, got 2", []string{"tag", "--image", layout + ":a", "b", "c"}},
		{"flags must come before", []string{"tag", "b", "--image", layout + ":a"}},
		{`invalid new tag ""`, []string{"tag", "--image", layout + ":a", ""}},
		{`invalid new tag "a//b"`, []string{"tag", "--image", layout + ":a", "a//b"}},
		{"expected 0, got 1", []string{"rm", "--image", layout + ":a", "a"}},
		{`invalid tag "x y"`, []string{"rm", "--image", layout + ":x y"}},
		{"expected 0, got 1", []string{"stat", "--image", layout + ":a", "a"}},
		{"flags must come before", []string{"stat", "--image", layout + ":a", "x", "--json"}},
		{"expected 0, got 1", []string{"gc", "--layout", layout, "x"}},
		{"flag provided but not defined: --image", []string{"gc", "--image", layout}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			failLade(t, tc.want, tc.args...)
		})
	}
	if got := tagsOf(t, layout); !slices.Equal(got, []string{"a"}) {
		t.Errorf("failed commands changed the tags: %q", got)
	}
}

func TestAmbiguousTag(t *testing.T) {
	layout := newLayout(t)
	mustLade(t, "new", "--image", layout+":a")
	t.Setenv("SOURCE_DATE_EPOCH", "1")
	mustLade(t, "new", "--image", layout+":b")
	idx := readIndex(t, layout)
	// A two-platform style index: two manifests under one tag.
	child, err := json.Marshal(ispec.Index{Versioned: idx.Versioned, MediaType: ispec.MediaTypeImageIndex,
		Manifests: []ispec.Descriptor{idx.Manifests[0], idx.Manifests[1]}})
	if err != nil {
		t.Fatal(err)
	}
	d := writeBlob(t, layout, child)
	idx.Manifests = append(idx.Manifests, ispec.Descriptor{MediaType: ispec.MediaTypeImageIndex, Digest: d,
		Size: int64(len(child)), Annotations: map[string]string{ispec.AnnotationRefName: "multi"}})
	writeIndex(t, layout, idx)
	failLade(t, "tag is ambiguous", "stat", "--image", layout+":multi")
	failLade(t, "tag is ambiguous", "tag", "--image", layout+":multi", "x")
}

func TestMultiLineErrorIsOneLine(t *testing.T) {
	var b strings.Builder
	logger := setupLogging(&b)
	reportError(t.Context(), logger, "lade", errors.Join(errors.New("first"), errors.New("second")), false)
	if b.String() != "   ⨯ first; second\n" {
		t.Errorf("got %q", b.String())
	}
}

package peek

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// putBlob writes data as a blob of layout root.
func putBlob(t *testing.T, root, mediaType string, data []byte) ispec.Descriptor {
	t.Helper()
	d := digest.FromBytes(data)
	if err := os.WriteFile(filepath.Join(root, "blobs", "sha256", d.Encoded()), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return ispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}
}

// putIndex writes an image index of entries as a blob of root.
func putIndex(t *testing.T, root string, entries ...ispec.Descriptor) ispec.Descriptor {
	t.Helper()
	data, err := json.Marshal(ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ispec.MediaTypeImageIndex, Manifests: entries})
	if err != nil {
		t.Fatal(err)
	}
	return putBlob(t, root, ispec.MediaTypeImageIndex, data)
}

// tagged is d with the reference name tag.
func tagged(d ispec.Descriptor, tag string) ispec.Descriptor {
	d.Annotations = map[string]string{ispec.AnnotationRefName: tag}
	return d
}

// on is d with platform os/arch/variant.
func on(d ispec.Descriptor, os, arch, variant string) ispec.Descriptor {
	d.Platform = &ispec.Platform{OS: os, Architecture: arch, Variant: variant}
	return d
}

// setIndex replaces root's index.json by entries.
func setIndex(t *testing.T, root string, entries ...ispec.Descriptor) {
	t.Helper()
	data, err := json.Marshal(ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: entries})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "index.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// multiLayout writes a layout with two images tagged "amd" and "arm", a
// multi-platform index "multi" (amd64, arm64/v8 and, through a nested index
// without a platform, s390x), a second "amd" entry and an untagged entry.
func multiLayout(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "img")
	ctx := context.Background()
	amd, err := testimage.New().Write(ctx, root, "amd")
	if err != nil {
		t.Fatal(err)
	}
	arm, err := testimage.New().Write(ctx, root, "arm")
	if err != nil {
		t.Fatal(err)
	}
	nested := putIndex(t, root, on(arm.Manifest, "linux", "s390x", ""), on(amd.Manifest, "linux", "amd64", ""))
	multi := putIndex(t, root, on(amd.Manifest, "linux", "amd64", ""), on(arm.Manifest, "linux", "arm64", "v8"), nested)
	setIndex(t, root, tagged(amd.Manifest, "amd"), tagged(arm.Manifest, "arm"), tagged(multi, "multi"),
		tagged(amd.Manifest, "amd"), amd.Manifest)
	return root
}

// tarOf writes the layout directory root as an OCI archive and returns its
// path.
func tarOf(t *testing.T, root string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.AddFS(os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "img.tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTagsAndPlatforms(t *testing.T) {
	root := multiLayout(t)
	for _, path := range []string{root, tarOf(t, root)} {
		tags, err := Tags(t.Context(), path)
		if want := []string{"amd", "arm", "multi"}; err != nil || !slices.Equal(tags, want) {
			t.Errorf("Tags(%s) = %q, %v; want %q", path, tags, err, want)
		}
		for tag, want := range map[string][]string{
			"multi":   {"linux/amd64", "linux/arm64/v8", "linux/s390x"},
			"amd":     nil,
			"missing": nil,
		} {
			got, err := Platforms(t.Context(), path, tag)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Platforms(%s, %s) = %q, %v; want %q", path, tag, got, err, want)
			}
		}
	}
}

// TestNoLock: a layout that gc holds exclusively is read at once.
func TestNoLock(t *testing.T) {
	root := multiLayout(t)
	e, err := dir.Open(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.LockExclusive(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if tags, err := Tags(ctx, root); err != nil || len(tags) != 3 {
		t.Fatalf("Tags under an exclusive lock = %q, %v", tags, err)
	}
	if p, err := Platforms(ctx, root, "multi"); err != nil || len(p) != 3 {
		t.Fatalf("Platforms under an exclusive lock = %q, %v", p, err)
	}
}

// TestBadLayouts: anything missing, corrupt or not a regular file is an
// error, at once (a FIFO never blocks).
func TestBadLayouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	tmp := t.TempDir()

	corrupt := multiLayout(t)
	if err := os.WriteFile(filepath.Join(corrupt, "index.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := multiLayout(t)
	if err := os.Remove(filepath.Join(fifo, "index.json")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(fifo, "index.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(tmp, "junk.tar")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("junk"), 500), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"missing": filepath.Join(tmp, "none"), "empty dir": tmp, "corrupt index": corrupt,
		"fifo index": fifo, "junk archive": junk, "device": "/dev/null",
	} {
		if tags, err := Tags(ctx, path); err == nil {
			t.Errorf("Tags(%s) = %q, want an error", name, tags)
		}
	}

	// A corrupt or missing index blob fails Platforms, not Tags.
	bad := multiLayout(t)
	idx, err := dirSource(bad).index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(bad, "blobs", "sha256", idx.Manifests[2].Digest.Encoded())
	if err := os.WriteFile(blob, []byte(`{"manifests":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := Platforms(ctx, bad, "multi"); err == nil {
		t.Errorf("Platforms with a corrupt index blob = %q, want an error", p)
	}
	if err := os.Remove(blob); err != nil {
		t.Fatal(err)
	}
	if p, err := Platforms(ctx, bad, "multi"); err == nil {
		t.Errorf("Platforms with a missing index blob = %q, want an error", p)
	}
}

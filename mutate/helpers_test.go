package mutate

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas/castest"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

// backends are the two engines every behavioural test runs against.
var backends = []struct {
	name string
	open func(t *testing.T) casext.Engine
}{
	{"memory", func(t *testing.T) casext.Engine { return casext.NewEngine(castest.NewMemory()) }},
	{"dir", openDir},
}

// openDir creates a real layout in a temporary directory.
func openDir(t *testing.T) casext.Engine {
	t.Helper()
	path := filepath.Join(t.TempDir(), "layout")
	if err := dir.Create(t.Context(), path); err != nil {
		t.Fatalf("create layout: %v", err)
	}
	e, err := dir.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("open layout: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return casext.NewEngine(e)
}

var fixedTime = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

func timePtr(t time.Time) *time.Time { return &t }

// makeTar builds an uncompressed tar stream holding the given regular files
// (in order).
func makeTar(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i, name := range files {
		body := bytes.Repeat([]byte(name), 50+i)
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: fixedTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("write tar header: %v", err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatalf("write tar body: %v", err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("close tar: %v", err)
	}
	return buf.Bytes()
}

// putJSON stores v and returns a descriptor of the given media type.
func putJSON(t *testing.T, e casext.Engine, mediaType string, v any) ispec.Descriptor {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return putRaw(t, e, mediaType, raw)
}

func putRaw(t *testing.T, e casext.Engine, mediaType string, raw []byte) ispec.Descriptor {
	t.Helper()
	d, n, err := e.PutBlob(t.Context(), bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("put blob: %v", err)
	}
	return ispec.Descriptor{MediaType: mediaType, Digest: d, Size: n}
}

// readBlob returns the raw bytes of the blob desc points at.
func readBlob(t *testing.T, e casext.Engine, desc ispec.Descriptor) []byte {
	t.Helper()
	rc, err := e.GetBlob(t.Context(), desc.Digest)
	if err != nil {
		t.Fatalf("get blob %s: %v", desc.Digest, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read blob %s: %v", desc.Digest, err)
	}
	if int64(len(raw)) != desc.Size {
		t.Fatalf("blob %s: size %d, descriptor says %d", desc.Digest, len(raw), desc.Size)
	}
	return raw
}

// readJSON decodes the blob desc points at into v.
func readJSON(t *testing.T, e casext.Engine, desc ispec.Descriptor, v any) {
	t.Helper()
	if err := json.Unmarshal(readBlob(t, e, desc), v); err != nil {
		t.Fatalf("decode blob %s: %v", desc.Digest, err)
	}
}

// baseImage stores a one-layer image carrying every field the mutator must
// keep, and returns the descriptor of its manifest.
func baseImage(t *testing.T, e casext.Engine) ispec.Descriptor {
	t.Helper()
	layerTar := makeTar(t, "etc/hostname")
	var gz bytes.Buffer
	zw, err := compress.Gzip.Compress(&gz)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if _, err := zw.Write(layerTar); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	layer := putRaw(t, e, ispec.MediaTypeImageLayerGzip, gz.Bytes())
	layer.Annotations = map[string]string{"layer.note": "kept"}

	config := ispec.Image{
		Created: timePtr(fixedTime),
		Author:  "base author",
		Platform: ispec.Platform{
			OS: "linux", Architecture: "arm64", Variant: "v8",
			OSVersion: "5.15", OSFeatures: []string{"feat-a", "feat-b"},
		},
		Config: ispec.ImageConfig{
			User: "1000", Env: []string{"PATH=/bin"}, Cmd: []string{"/bin/sh"},
			Labels: map[string]string{"l": "v"}, ExposedPorts: map[string]struct{}{"80/tcp": {}},
		},
		RootFS:  ispec.RootFS{Type: "layers", DiffIDs: []digestT{digestOf(layerTar)}},
		History: []ispec.History{{Created: timePtr(fixedTime), CreatedBy: "base"}},
	}
	cfgDesc := putJSON(t, e, ispec.MediaTypeImageConfig, config)
	cfgDesc.Annotations = map[string]string{"config.note": "kept"}

	subject := emptyImage(t, e)
	manifest := ispec.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ispec.MediaTypeImageManifest,
		ArtifactType: "application/vnd.example.thing",
		Config:       cfgDesc,
		Layers:       []ispec.Descriptor{layer},
		Subject:      &subject,
		Annotations:  map[string]string{"manifest.note": "orig"},
	}
	return putJSON(t, e, ispec.MediaTypeImageManifest, manifest)
}

// emptyImage stores an image without layers and returns its manifest
// descriptor.
func emptyImage(t *testing.T, e casext.Engine) ispec.Descriptor {
	t.Helper()
	config := ispec.Image{
		Platform: ispec.Platform{OS: "linux", Architecture: "amd64"},
		RootFS:   ispec.RootFS{Type: "layers", DiffIDs: []digestT{}},
	}
	manifest := ispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageManifest,
		Config:    putJSON(t, e, ispec.MediaTypeImageConfig, config),
		Layers:    []ispec.Descriptor{},
	}
	return putJSON(t, e, ispec.MediaTypeImageManifest, manifest)
}

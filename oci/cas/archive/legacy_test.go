package archive

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
)

// TestLegacyArchive opens Docker- and skopeo-style legacy archives of two
// images sharing a layer (one image with two tags, the other untagged) and
// checks the synthesized index, manifests and the blobs they name.
func TestLegacyArchive(t *testing.T) {
	base, app, extra := layerTar(t, "bin/sh"), layerTar(t, "app/run"), layerTar(t, "etc/extra")
	one := legacyImg{config: imageConfig(t, base, app), layers: []string{base, app}, tags: []string{"busybox:latest", "docker.io/library/busybox:1"}}
	two := legacyImg{config: imageConfig(t, base, extra, base), layers: []string{base, extra, base}}
	styles := []struct {
		name    string
		entries []entry
	}{
		{"docker", dockerStyle(t, one, two)},
		{"skopeo", skopeoStyle(t, one, two)},
	}
	for _, st := range styles {
		t.Run(st.name, func(t *testing.T) {
			e := mustOpen(t, writeTar(t, st.entries...))
			got := refs(t, e)
			untagged := digest.FromString(two.config).Encoded()
			names := slices.Sorted(maps.Keys(got))
			if want := slices.Sorted(slices.Values([]string{"busybox:latest", "docker.io/library/busybox:1", untagged})); !slices.Equal(names, want) {
				t.Fatalf("ref names %v, want %v", names, want)
			}
			if got["busybox:latest"].Digest != got["docker.io/library/busybox:1"].Digest {
				t.Fatal("the two tags of one image name different manifests")
			}
			want := map[digest.Digest]string{}
			for name, img := range map[string]legacyImg{"busybox:latest": one, untagged: two} {
				d := got[name]
				if d.MediaType != mediatype.DockerManifest {
					t.Fatalf("%s: media type %q", name, d.MediaType)
				}
				m := readManifest(t, e, d)
				if m.MediaType != mediatype.DockerManifest || m.SchemaVersion != 2 ||
					m.Config.MediaType != mediatype.DockerConfig || m.Config.Digest != digest.FromString(img.config) ||
					m.Config.Size != int64(len(img.config)) || len(m.Layers) != len(img.layers) {
					t.Fatalf("%s: manifest %+v", name, m)
				}
				want[d.Digest] = ""
				want[m.Config.Digest] = img.config
				for i, l := range m.Layers {
					if l.MediaType != mediatype.DockerLayer || l.Digest != digest.FromString(img.layers[i]) || l.Size != int64(len(img.layers[i])) {
						t.Fatalf("%s: layer %d: %+v", name, i, l)
					}
					want[l.Digest] = img.layers[i]
				}
			}
			list, err := e.ListBlobs(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(want) {
				t.Fatalf("ListBlobs = %d blobs, want %d (2 manifests, 2 configs, 3 layers)", len(list), len(want))
			}
			for _, d := range list {
				content, ok := want[d]
				if !ok {
					t.Fatalf("ListBlobs lists %s, which no manifest names", d)
				}
				data, err := readAll(t, e, d)
				if err != nil || content != "" && string(data) != content {
					t.Fatalf("GetBlob %s = %d bytes, %v", d, len(data), err)
				}
				if size, err := e.StatBlob(t.Context(), d); err != nil || size != int64(len(data)) {
					t.Fatalf("StatBlob %s = %d, %v; content has %d bytes", d, size, err, len(data))
				}
			}
			// Synthesis is deterministic: a second Open gives the same index.
			again := refs(t, mustOpen(t, writeTar(t, st.entries...)))
			if again["busybox:latest"].Digest != got["busybox:latest"].Digest {
				t.Fatal("the manifest digest differs between two opens")
			}
		})
	}
}

// countingReader counts the bytes read through ReadAt.
type countingReader struct {
	r *bytes.Reader
	n atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// TestLegacySharedLayerHashedOnce: a layer several images (and a symlink)
// name is read once at Open, and nothing is read twice.
func TestLegacySharedLayerHashedOnce(t *testing.T) {
	big := layerTar(t, strings.Repeat("big/", 20)+"file") + strings.Repeat("\x00", 1<<20)
	small := layerTar(t, "small")
	imgs := []legacyImg{
		{config: imageConfig(t, big), layers: []string{big}, tags: []string{"a:1"}},
		{config: imageConfig(t, big, small, big), layers: []string{big, small, big}, tags: []string{"b:1"}},
	}
	data := tarBytes(t, dockerStyle(t, imgs...)...)
	r := &countingReader{r: bytes.NewReader(data)}
	e, err := openReader(t.Context(), r, int64(len(data)), "shared.tar")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n := r.n.Load(); n > int64(len(data)) {
		t.Fatalf("Open read %d bytes of a %d-byte archive", n, len(data))
	}
	if n := r.n.Load(); n < int64(len(big)) {
		t.Fatalf("Open read %d bytes: it did not hash the %d-byte layer", n, len(big))
	}
}

// TestLegacyCompressedLayers: a layer member holding gzip (zstd) data gets
// the gzip (zstd) media type; its diff_id is left to unpack to check.
func TestLegacyCompressedLayers(t *testing.T) {
	plain, packed := layerTar(t, "plain"), layerTar(t, "packed")
	gz := gzipped(t, packed)
	zst := "\x28\xb5\x2f\xfd not really zstd" // Open only looks at the magic number
	img := legacyImg{config: imageConfig(t, plain, packed, packed), layers: []string{plain, gz, zst}, tags: []string{"x:y"}}
	e := mustOpen(t, writeTar(t, skopeoStyle(t, img)...))
	m := readManifest(t, e, refs(t, e)["x:y"])
	if m.Layers[0].MediaType != mediatype.DockerLayer || m.Layers[1].MediaType != mediatype.DockerLayerGzip ||
		m.Layers[2].MediaType != mediatype.DockerLayerZstd {
		t.Fatalf("layer media types %q, %q, %q", m.Layers[0].MediaType, m.Layers[1].MediaType, m.Layers[2].MediaType)
	}
	if got, err := readAll(t, e, m.Layers[1].Digest); err != nil || string(got) != gz {
		t.Fatalf("gzip layer: %d bytes, %v", len(got), err)
	}
}

// TestLegacyReadOnly: writes are refused with a docker-archive hint.
func TestLegacyReadOnly(t *testing.T) {
	p := writeTar(t, dockerStyle(t, legacyImg{config: imageConfig(t), layers: []string{}, tags: []string{"empty:1"}})...)
	e := mustOpen(t, p)
	_, _, err := e.PutBlob(t.Context(), strings.NewReader("x"))
	wantErr(t, "PutBlob", err, cas.ErrReadOnly)
	if !strings.Contains(err.Error(), "skopeo copy docker-archive:"+p+":NAME:TAG oci:DIR:TAG") {
		t.Fatalf("error %q lacks the docker-archive hint", err)
	}
	if m := readManifest(t, e, refs(t, e)["empty:1"]); m.Layers == nil || len(m.Layers) != 0 {
		t.Fatalf("image with no layers: layers %v", m.Layers)
	}
}

// TestLegacyCanceled: Open stops hashing when its context is canceled.
func TestLegacyCanceled(t *testing.T) {
	l := layerTar(t, "f")
	data := tarBytes(t, dockerStyle(t, legacyImg{config: imageConfig(t, l), layers: []string{l}, tags: []string{"a:b"}})...)
	r := bytes.NewReader(data)
	cat, err := scan(t.Context(), r, int64(len(data)), "c.tar")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	e := &Engine{path: "c.tar", r: r, cat: cat}
	err = e.openLegacy(ctx)
	wantErr(t, "openLegacy", err, context.Canceled)
	if !strings.HasPrefix(err.Error(), "open archive: c.tar: ") {
		t.Fatalf("error %q", err)
	}
}

package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fixture is a layout on disk holding one good image tagged "good".
type fixture struct {
	path   string
	engine casext.Engine
	good   image
}

type image struct {
	manifest, config ispec.Descriptor
	layers           []ispec.Descriptor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "layout")
	if err := dir.Create(t.Context(), path); err != nil {
		t.Fatal(err)
	}
	e, err := dir.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{path: path, engine: casext.NewEngine(e)}
	t.Cleanup(func() { _ = f.engine.Close() })
	f.good = f.image(t, nil, "layer one", "layer two")
	f.tag(t, "good", f.good.manifest)
	return f
}

func (f *fixture) raw(t *testing.T, mt string, b []byte) ispec.Descriptor {
	t.Helper()
	d, n, err := f.engine.PutBlob(t.Context(), bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return ispec.Descriptor{MediaType: mt, Digest: d, Size: n}
}

func (f *fixture) json(t *testing.T, mt string, v any) ispec.Descriptor {
	t.Helper()
	d, n, err := f.engine.PutBlobJSON(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	return ispec.Descriptor{MediaType: mt, Digest: d, Size: n}
}

// image stores an image; edit, if set, may change the manifest before it is
// stored.
func (f *fixture) image(t *testing.T, edit func(*ispec.Manifest), layers ...string) image {
	t.Helper()
	var img image
	cfg := ispec.Image{Platform: ispec.Platform{OS: "linux", Architecture: "amd64"}, RootFS: ispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}}}
	for _, l := range layers {
		d := f.raw(t, mediatype.Layer, []byte(l))
		img.layers = append(img.layers, d)
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, d.Digest)
	}
	img.config = f.json(t, mediatype.Config, cfg)
	m := ispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediatype.Manifest, Config: img.config, Layers: append([]ispec.Descriptor{}, img.layers...)}
	if edit != nil {
		edit(&m)
	}
	img.manifest = f.json(t, mediatype.Manifest, m)
	return img
}

func (f *fixture) index(t *testing.T, descs ...ispec.Descriptor) ispec.Descriptor {
	t.Helper()
	return f.json(t, mediatype.Index, ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediatype.Index, Manifests: descs})
}

func (f *fixture) tag(t *testing.T, name string, d ispec.Descriptor) {
	t.Helper()
	if err := f.engine.UpdateReference(t.Context(), name, d); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) blobPath(d digest.Digest) string {
	return filepath.Join(f.path, "blobs", d.Algorithm().String(), d.Encoded())
}

func TestLayoutGood(t *testing.T) {
	f := newFixture(t)
	second := f.image(t, nil, "layer one", "other")
	empty := f.image(t, nil)
	f.tag(t, "multi", f.index(t, f.index(t, second.manifest, empty.manifest), f.good.manifest))
	if err := f.engine.UpdateIndex(t.Context(), func(idx *ispec.Index) error {
		idx.Manifests = append(idx.Manifests, empty.manifest) // untagged
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := Layout(t.Context(), f.engine); err != nil {
		t.Errorf("good layout refused: %v", err)
	}
	// A fresh layout is valid too.
	if err := Layout(t.Context(), newFixture(t).engine); err != nil {
		t.Errorf("fresh layout refused: %v", err)
	}
}

func TestLayoutBroken(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, f *fixture) string // returns a string the error must contain
		want   string
	}{
		{"missing layer", func(t *testing.T, f *fixture) string {
			if err := os.Remove(f.blobPath(f.good.layers[1].Digest)); err != nil {
				t.Fatal(err)
			}
			return f.good.layers[1].Digest.String()
		}, "missing"},
		{"missing manifest", func(t *testing.T, f *fixture) string {
			if err := os.Remove(f.blobPath(f.good.manifest.Digest)); err != nil {
				t.Fatal(err)
			}
			return f.good.manifest.Digest.String()
		}, "missing"},
		{"corrupt layer of the same size", func(t *testing.T, f *fixture) string {
			if err := os.WriteFile(f.blobPath(f.good.layers[0].Digest), []byte("layer ONE"), 0o644); err != nil {
				t.Fatal(err)
			}
			return f.good.layers[0].Digest.String()
		}, "mismatch"},
		{"truncated config", func(t *testing.T, f *fixture) string {
			if err := os.Truncate(f.blobPath(f.good.config.Digest), 5); err != nil {
				t.Fatal(err)
			}
			return f.good.config.Digest.String()
		}, "mismatch"},
		{"descriptor size wrong", func(t *testing.T, f *fixture) string {
			img := f.image(t, func(m *ispec.Manifest) { m.Layers[0].Size++ }, "sized")
			f.tag(t, "bad", img.manifest)
			return img.layers[0].Digest.String()
		}, "descriptor says"},
		{"index.json garbage", func(t *testing.T, f *fixture) string {
			if err := os.WriteFile(filepath.Join(f.path, "index.json"), []byte("{not json"), 0o644); err != nil {
				t.Fatal(err)
			}
			return "index.json"
		}, "index.json"},
		{"manifest unparseable", func(t *testing.T, f *fixture) string {
			d := f.raw(t, mediatype.Manifest, []byte("not a manifest"))
			f.tag(t, "bad", d)
			return d.Digest.String()
		}, "decode"},
		{"index with layers (CVE-2021-41190)", func(t *testing.T, f *fixture) string {
			d := f.raw(t, mediatype.Index, []byte(`{"schemaVersion":2,"manifests":[],"layers":[]}`))
			f.tag(t, "bad", d)
			return d.Digest.String()
		}, `"layers"`},
		{"config not an image config", func(t *testing.T, f *fixture) string {
			img := f.image(t, func(m *ispec.Manifest) { m.Config.MediaType = "application/x-thing" }, "x")
			f.tag(t, "bad", img.manifest)
			return img.manifest.Digest.String()
		}, "not an image config"},
		{"config unparseable", func(t *testing.T, f *fixture) string {
			cfg := f.raw(t, mediatype.Config, []byte(`["not","a","config"]`))
			img := f.image(t, func(m *ispec.Manifest) { m.Config = cfg })
			f.tag(t, "bad", img.manifest)
			return cfg.Digest.String()
		}, "decode"},
		{"diff_ids count", func(t *testing.T, f *fixture) string {
			extra := f.raw(t, mediatype.LayerGzip, []byte("extra"))
			img := f.image(t, func(m *ispec.Manifest) { m.Layers = append(m.Layers, extra) }, "a")
			f.tag(t, "bad", img.manifest)
			return img.manifest.Digest.String()
		}, "1 diff_ids for 2 layers"},
		{"layer not a layer", func(t *testing.T, f *fixture) string {
			img := f.image(t, func(m *ispec.Manifest) { m.Layers[0].MediaType = mediatype.Config }, "a")
			f.tag(t, "bad", img.manifest)
			return img.manifest.Digest.String()
		}, "not a layer"},
		{"nested index entry missing", func(t *testing.T, f *fixture) string {
			gone := ispec.Descriptor{MediaType: mediatype.Manifest, Digest: digest.FromString("gone"), Size: 4}
			f.tag(t, "bad", f.index(t, f.good.manifest, gone))
			return `tag "bad"`
		}, "missing"},
		{"descriptor without media type", func(t *testing.T, f *fixture) string {
			bad := ispec.Descriptor{Digest: f.good.manifest.Digest, Size: f.good.manifest.Size}
			if err := f.engine.UpdateIndex(t.Context(), func(idx *ispec.Index) error {
				idx.Manifests = append(idx.Manifests, bad)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return "untagged"
		}, "no mediaType"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if err := Layout(t.Context(), f.engine); err != nil {
				t.Fatalf("fixture invalid before breaking it: %v", err)
			}
			mention := tc.break_(t, f)
			err := Layout(t.Context(), f.engine)
			if err == nil {
				t.Fatal("broken layout accepted")
			}
			for _, s := range []string{tc.want, mention} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// TestLayoutReportsEveryProblem: two independent breakages are both named.
func TestLayoutReportsEveryProblem(t *testing.T) {
	f := newFixture(t)
	other := f.image(t, nil, "other")
	f.tag(t, "other", other.manifest)
	for _, d := range []digest.Digest{f.good.layers[0].Digest, other.config.Digest} {
		if err := os.Remove(f.blobPath(d)); err != nil {
			t.Fatal(err)
		}
	}
	err := Layout(t.Context(), f.engine)
	if err == nil {
		t.Fatal("broken layout accepted")
	}
	for _, s := range []string{f.good.layers[0].Digest.String(), other.config.Digest.String(), `tag "good"`, `tag "other"`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

package mutate

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
)

// scribble mutates every slice, map and pointer reachable from the values.
func scribbleManifest(m *ispec.Manifest) {
	m.Annotations["manifest.note"] = "scribbled"
	m.Layers[0].Annotations["layer.note"] = "scribbled"
	m.Layers[0].Digest = "sha256:bad"
	m.Config.Annotations["config.note"] = "scribbled"
	m.Subject.Size = 999
	m.Layers = append(m.Layers[:0], ispec.Descriptor{})
}

func scribbleImage(img *ispec.Image) {
	*img.Created = img.Created.AddDate(1, 0, 0)
	img.OSFeatures[0] = "scribbled"
	img.Config.Env[0] = "X=y"
	img.Config.Cmd[0] = "scribbled"
	img.Config.Labels["l"] = "scribbled"
	img.Config.ExposedPorts["1/udp"] = struct{}{}
	img.RootFS.DiffIDs[0] = "sha256:bad"
	*img.History[0].Created = img.History[0].Created.AddDate(1, 0, 0)
}

func TestGettersReturnDeepCopies(t *testing.T) {
	ctx := t.Context()
	e := backends[0].open(t)
	m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	man1, err := m.Manifest(ctx)
	if err != nil {
		t.Fatalf("Manifest: %v", err)
	}
	img1, err := m.Config(ctx)
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	meta1, err := m.Meta(ctx)
	if err != nil {
		t.Fatalf("Meta: %v", err)
	}
	// Snapshots as JSON, which shares nothing with the values.
	before := snapshot(t, man1, img1, meta1)

	scribbleManifest(&man1)
	scribbleImage(&img1)
	meta1.OSFeatures[0] = "scribbled"

	man3, _ := m.Manifest(ctx)
	img3, _ := m.Config(ctx)
	meta3, _ := m.Meta(ctx)
	if after := snapshot(t, man3, img3, meta3); after != before {
		t.Errorf("getters share state with callers:\nbefore %s\nafter  %s", before, after)
	}
}

func snapshot(t *testing.T, vs ...any) string {
	t.Helper()
	raw, err := json.Marshal(vs)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(raw)
}

func TestSetAndAddCopyArguments(t *testing.T) {
	ctx := t.Context()
	e := backends[0].open(t)
	m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	cfg := ispec.ImageConfig{Env: []string{"A=1"}, Labels: map[string]string{"k": "v"}}
	ann := map[string]string{"a": "1"}
	hist := ispec.History{Created: timePtr(fixedTime), CreatedBy: "x"}
	meta := Meta{OS: "linux", Architecture: "amd64", OSFeatures: []string{"f"}}
	if err := m.Set(ctx, cfg, meta, ann, &hist); err != nil {
		t.Fatalf("Set: %v", err)
	}
	cfg.Env[0], cfg.Labels["k"], ann["a"], meta.OSFeatures[0] = "B=2", "w", "2", "g"
	*hist.Created = fixedTime.AddDate(1, 0, 0)

	img, _ := m.Config(ctx)
	man, _ := m.Manifest(ctx)
	if img.Config.Env[0] != "A=1" || img.Config.Labels["k"] != "v" || img.OSFeatures[0] != "f" ||
		!img.History[len(img.History)-1].Created.Equal(fixedTime) || man.Annotations["a"] != "1" {
		t.Errorf("Set kept references to caller values: %+v %+v", img, man.Annotations)
	}
}

func TestNewRejects(t *testing.T) {
	e := backends[0].open(t)
	tests := []struct {
		name string
		path casext.DescriptorPath
	}{
		{"empty path", casext.DescriptorPath{}},
		{"index target", casext.DescriptorPath{Walk: []ispec.Descriptor{{MediaType: ispec.MediaTypeImageIndex}}}},
		{"docker manifest list target", casext.DescriptorPath{Walk: []ispec.Descriptor{{MediaType: "application/vnd.docker.distribution.manifest.list.v2+json"}}}},
		{"config target", casext.DescriptorPath{Walk: []ispec.Descriptor{{MediaType: ispec.MediaTypeImageConfig}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if m, err := New(e, tc.path); err == nil {
				t.Fatalf("New succeeded: %+v", m)
			}
		})
	}
}

func TestUnsupportedImages(t *testing.T) {
	ctx := t.Context()
	e := backends[0].open(t)
	blobCfg := putJSON(t, e, "application/octet-stream", ispec.Image{})
	manifest := putJSON(t, e, ispec.MediaTypeImageManifest, ispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ispec.MediaTypeImageManifest,
		Config: blobCfg, Layers: []ispec.Descriptor{},
	})
	m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{manifest}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := m.Config(ctx); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Config of an image whose config is not an image config = %v, want ErrUnsupported", err)
	}

	// A parent that is not an index cannot be rewritten.
	good := baseImage(t, e)
	other := putJSON(t, e, "application/vnd.example.list+json", ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: []ispec.Descriptor{good}})
	m, err = New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{other, good}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := m.Set(ctx, ispec.ImageConfig{}, Meta{OS: "linux", Architecture: "amd64"}, nil, nil); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if _, err := m.Commit(ctx); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Commit through a non-index parent = %v, want ErrUnsupported", err)
	}
}

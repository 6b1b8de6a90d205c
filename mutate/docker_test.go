package mutate

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
)

// dockerImage stores baseImage again in Docker v2s2 form: Docker manifest,
// Docker config (with Docker-only fields) and a Docker gzip layer type, the
// blobs of the layer shared. It returns the manifest descriptor.
func dockerImage(t *testing.T, e casext.Engine) ispec.Descriptor {
	t.Helper()
	var manifest ispec.Manifest
	readJSON(t, e, baseImage(t, e), &manifest)
	var config map[string]any
	readJSON(t, e, manifest.Config, &config)
	config["docker_version"] = "24.0.7"
	config["container"] = "0123abcd"
	cfg := putJSON(t, e, mediatype.DockerConfig, config)
	layer := manifest.Layers[0]
	layer.MediaType = mediatype.DockerLayerGzip
	return putJSON(t, e, mediatype.DockerManifest, ispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: mediatype.DockerManifest,
		Config:    cfg,
		Layers:    []ispec.Descriptor{layer},
	})
}

// captureLogs sends the default logger to a buffer for the test.
func captureLogs(t *testing.T) *bytes.Buffer {
	t.Helper()
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &logs
}

func TestCommitConvertsDockerImage(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(t *testing.T, m *Mutator)
		added int
	}{
		{"config", func(t *testing.T, m *Mutator) {
			if err := m.Set(t.Context(), ispec.ImageConfig{Cmd: []string{"/bin/x"}}, Meta{OS: "linux", Architecture: "arm64", Variant: "v8"}, nil, nil); err != nil {
				t.Fatalf("Set: %v", err)
			}
		}, 0},
		{"add layer", func(t *testing.T, m *Mutator) {
			if _, err := m.Add(t.Context(), bytes.NewReader(makeTar(t, "new")), compress.Gzip, &ispec.History{CreatedBy: "add"}, nil); err != nil {
				t.Fatalf("Add: %v", err)
			}
		}, 1},
	}
	for _, b := range backends {
		for _, tc := range tests {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				logs := captureLogs(t)
				ctx := t.Context()
				e := b.open(t)
				src := dockerImage(t, e)
				if err := e.UpdateReference(ctx, "t", src); err != nil {
					t.Fatal(err)
				}
				var before ispec.Manifest
				readJSON(t, e, src, &before)

				m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{src}})
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				tc.edit(t, m)
				path, err := m.Commit(ctx)
				if err != nil {
					t.Fatalf("Commit: %v", err)
				}
				if err := e.UpdateReference(ctx, "t", path.Root()); err != nil {
					t.Fatal(err)
				}
				if mt := path.Descriptor().MediaType; mt != mediatype.Manifest {
					t.Errorf("committed descriptor is %q, want OCI manifest", mt)
				}
				var after ispec.Manifest
				readJSON(t, e, path.Descriptor(), &after)
				if after.MediaType != mediatype.Manifest || after.Config.MediaType != mediatype.Config {
					t.Errorf("manifest %q config %q, want OCI", after.MediaType, after.Config.MediaType)
				}
				if len(after.Layers) != 1+tc.added {
					t.Fatalf("%d layers, want %d", len(after.Layers), 1+tc.added)
				}
				l0 := after.Layers[0]
				if l0.MediaType != mediatype.LayerGzip || l0.Digest != before.Layers[0].Digest ||
					l0.Size != before.Layers[0].Size || l0.Annotations["layer.note"] != "kept" {
					t.Errorf("converted layer = %+v, want %s as %s with annotations", l0, before.Layers[0].Digest, mediatype.LayerGzip)
				}
				for i, l := range after.Layers {
					if mediatype.IsDocker(l.MediaType) {
						t.Errorf("layer %d is still %q", i, l.MediaType)
					}
				}
				var cfg ispec.Image
				readJSON(t, e, after.Config, &cfg)
				if len(cfg.History) == 0 || cfg.History[0].CreatedBy != "base" || len(cfg.RootFS.DiffIDs) != 1+tc.added {
					t.Errorf("config lost fields: %+v", cfg)
				}
				if !strings.Contains(logs.String(), "level=INFO") || !strings.Contains(logs.String(), "converted image from Docker v2s2 to OCI") {
					t.Errorf("no info log of the conversion: %q", logs.String())
				}
				validateLayout(t, e)

				// The converted mutator is OCI now: a second commit
				// logs no conversion.
				logs.Reset()
				tc.edit(t, m)
				if _, err := m.Commit(ctx); err != nil {
					t.Fatalf("second Commit: %v", err)
				}
				if strings.Contains(logs.String(), "converted") {
					t.Errorf("second commit converted again: %q", logs.String())
				}
			})
		}
	}
}

func TestCommitConvertsDockerManifestList(t *testing.T) {
	captureLogs(t)
	ctx := t.Context()
	e := backends[1].open(t)
	docker := dockerImage(t, e)
	docker.Platform = &ispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	other := emptyImage(t, e)
	other.Platform = &ispec.Platform{OS: "linux", Architecture: "amd64"}
	list := ispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: mediatype.DockerManifestList,
		Manifests: []ispec.Descriptor{docker, other},
	}
	listDesc := putJSON(t, e, mediatype.DockerManifestList, list)
	if err := e.UpdateReference(ctx, "t", listDesc); err != nil {
		t.Fatal(err)
	}
	// --platform resolution walks the Docker list.
	p, err := casext.ParsePlatform("linux/arm64/v8")
	if err != nil {
		t.Fatal(err)
	}
	path, err := e.ResolvePlatform(ctx, "t", &p)
	if err != nil {
		t.Fatalf("ResolvePlatform: %v", err)
	}
	if len(path.Walk) != 2 || path.Descriptor().Digest != docker.Digest {
		t.Fatalf("resolved %+v, want the Docker child", path.Walk)
	}

	m, err := New(e, path)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := m.Set(ctx, ispec.ImageConfig{Cmd: []string{"/x"}}, Meta{OS: "linux", Architecture: "arm64", Variant: "v8"}, nil, nil); err != nil {
		t.Fatalf("Set: %v", err)
	}
	newPath, err := m.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := e.UpdateReference(ctx, "t", newPath.Root()); err != nil {
		t.Fatal(err)
	}
	if mt := newPath.Root().MediaType; mt != mediatype.Index {
		t.Errorf("root is %q, want an OCI index", mt)
	}
	raw := readBlob(t, e, newPath.Root())
	var index ispec.Index
	if err := json.Unmarshal(raw, &index); err != nil {
		t.Fatal(err)
	}
	if index.MediaType != mediatype.Index || len(index.Manifests) != 2 {
		t.Fatalf("index = %s", raw)
	}
	if got := index.Manifests[0]; got.MediaType != mediatype.Manifest || got.Digest != newPath.Descriptor().Digest ||
		got.Platform == nil || got.Platform.Variant != "v8" {
		t.Errorf("edited entry = %+v", got)
	}
	if got := index.Manifests[1]; !descriptorEqual(got, other) {
		t.Errorf("other entry = %+v, want %+v unchanged", got, other)
	}
	validateLayout(t, e)
}

package mutate

import (
	"reflect"
	"slices"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
)

func TestSetKeepsEverythingNotEdited(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			e := b.open(t)
			src := baseImage(t, e)
			m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{src}})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			meta, err := m.Meta(ctx)
			if err != nil {
				t.Fatalf("Meta: %v", err)
			}
			want := Meta{Created: fixedTime, Author: "base author", OS: "linux", Architecture: "arm64",
				Variant: "v8", OSVersion: "5.15", OSFeatures: []string{"feat-a", "feat-b"}}
			if !reflect.DeepEqual(meta, want) {
				t.Fatalf("Meta = %+v, want %+v", meta, want)
			}
			before, err := m.Config(ctx)
			if err != nil {
				t.Fatalf("Config: %v", err)
			}
			oldManifest, err := m.Manifest(ctx)
			if err != nil {
				t.Fatalf("Manifest: %v", err)
			}

			// Edit only the author, as `config --author` does.
			meta.Author = "new author"
			hist := ispec.History{Created: timePtr(fixedTime.Add(time.Hour)), CreatedBy: "lade config", EmptyLayer: false}
			if err := m.Set(ctx, before.Config, meta, map[string]string{"a": "1"}, &hist); err != nil {
				t.Fatalf("Set: %v", err)
			}
			path, err := m.Commit(ctx)
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}

			var manifest ispec.Manifest
			readJSON(t, e, path.Descriptor(), &manifest)
			var config ispec.Image
			readJSON(t, e, manifest.Config, &config)

			if config.Variant != "v8" || config.OSVersion != "5.15" || !slices.Equal(config.OSFeatures, []string{"feat-a", "feat-b"}) {
				t.Errorf("platform lost: %+v", config.Platform)
			}
			if config.Author != "new author" || !config.Created.Equal(fixedTime) {
				t.Errorf("author/created = %q/%v", config.Author, config.Created)
			}
			if !reflect.DeepEqual(config.Config, before.Config) || !slices.Equal(config.RootFS.DiffIDs, before.RootFS.DiffIDs) {
				t.Errorf("config.config or rootfs changed: %+v", config)
			}
			if n := len(config.History); n != 2 || !config.History[1].EmptyLayer || config.History[1].CreatedBy != "lade config" {
				t.Errorf("history = %+v, want base + empty_layer entry", config.History)
			}
			if !reflect.DeepEqual(manifest.Annotations, map[string]string{"a": "1"}) {
				t.Errorf("manifest annotations = %v", manifest.Annotations)
			}
			if manifest.MediaType != ispec.MediaTypeImageManifest || manifest.SchemaVersion != 2 {
				t.Errorf("manifest mediaType/schemaVersion = %q/%d", manifest.MediaType, manifest.SchemaVersion)
			}
			if manifest.ArtifactType != oldManifest.ArtifactType || !reflect.DeepEqual(manifest.Subject, oldManifest.Subject) {
				t.Errorf("artifactType/subject lost: %q %v", manifest.ArtifactType, manifest.Subject)
			}
			if !reflect.DeepEqual(manifest.Layers, oldManifest.Layers) {
				t.Errorf("layers changed: %+v", manifest.Layers)
			}
			if manifest.Config.Annotations["config.note"] != "kept" || manifest.Config.MediaType != ispec.MediaTypeImageConfig {
				t.Errorf("config descriptor = %+v", manifest.Config)
			}
			if manifest.Config.Digest != digestOf(readBlob(t, e, manifest.Config)) {
				t.Errorf("config descriptor digest does not match its content")
			}
		})
	}
}

func TestSetReplaces(t *testing.T) {
	ctx := t.Context()
	e := backends[0].open(t)
	m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	cfg := ispec.ImageConfig{User: "0", Env: []string{"A=b"}}
	meta := Meta{OS: "linux", Architecture: "amd64"} // zero Created, no variant
	if err := m.Set(ctx, cfg, meta, nil, nil); err != nil {
		t.Fatalf("Set: %v", err)
	}
	path, err := m.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	var manifest ispec.Manifest
	readJSON(t, e, path.Descriptor(), &manifest)
	var config ispec.Image
	readJSON(t, e, manifest.Config, &config)
	if manifest.Annotations != nil {
		t.Errorf("nil annotations must clear them, got %v", manifest.Annotations)
	}
	if config.Created != nil || config.Author != "" || config.Variant != "" || config.OSFeatures != nil {
		t.Errorf("metadata not replaced: %+v", config)
	}
	if !reflect.DeepEqual(config.Config, cfg) {
		t.Errorf("config.config = %+v, want %+v", config.Config, cfg)
	}
	if len(config.History) != 1 {
		t.Errorf("nil history must add no entry, got %d entries", len(config.History))
	}
}

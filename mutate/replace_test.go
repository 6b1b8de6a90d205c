package mutate

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

func TestSetLayersSquash(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			e := b.open(t)
			m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			before, err := m.Config(ctx)
			if err != nil {
				t.Fatal(err)
			}
			flat := makeTar(t, "etc/hostname", "etc/passwd")
			desc, err := m.Add(ctx, bytes.NewReader(flat), compress.Gzip, nil, nil)
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			hist := []ispec.History{{Created: timePtr(fixedTime), CreatedBy: "lade squash"}}
			if err := m.SetLayers(ctx, []ispec.Descriptor{desc}, []digest.Digest{digest.FromBytes(flat)}, hist); err != nil {
				t.Fatalf("SetLayers: %v", err)
			}
			hist[0].CreatedBy = "changed by caller" // must not leak into the mutator
			path, err := m.Commit(ctx)
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			var manifest ispec.Manifest
			readJSON(t, e, path.Descriptor(), &manifest)
			if len(manifest.Layers) != 1 || manifest.Layers[0].Digest != desc.Digest {
				t.Fatalf("layers = %v, want only %s", manifest.Layers, desc.Digest)
			}
			if manifest.Annotations["manifest.note"] != "orig" || manifest.Subject == nil {
				t.Errorf("manifest fields lost: %+v", manifest)
			}
			var config ispec.Image
			readJSON(t, e, manifest.Config, &config)
			if want := []digest.Digest{digest.FromBytes(flat)}; !reflect.DeepEqual(config.RootFS.DiffIDs, want) {
				t.Errorf("diff_ids = %v, want %v", config.RootFS.DiffIDs, want)
			}
			if len(config.History) != 1 || config.History[0].CreatedBy != "lade squash" {
				t.Errorf("history = %+v", config.History)
			}
			if !reflect.DeepEqual(config.Config, before.Config) || config.Author != before.Author ||
				!reflect.DeepEqual(config.Platform, before.Platform) || !config.Created.Equal(*before.Created) {
				t.Errorf("non-layer config fields changed:\n got %+v\nwant %+v", config, before)
			}
		})
	}
}

func TestSetLayersNoHistory(t *testing.T) {
	ctx := t.Context()
	e := openDir(t)
	m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetLayers(ctx, nil, nil, nil); err != nil {
		t.Fatalf("SetLayers: %v", err)
	}
	path, err := m.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var manifest ispec.Manifest
	readJSON(t, e, path.Descriptor(), &manifest)
	var config ispec.Image
	readJSON(t, e, manifest.Config, &config)
	if manifest.Layers == nil || len(manifest.Layers) != 0 || config.RootFS.DiffIDs == nil || len(config.RootFS.DiffIDs) != 0 {
		t.Errorf("want empty (non-null) layers and diff_ids, got %v / %v", manifest.Layers, config.RootFS.DiffIDs)
	}
	if config.History != nil {
		t.Errorf("history = %+v, want none", config.History)
	}
}

func TestSetLayersInvalid(t *testing.T) {
	layer := ispec.Descriptor{MediaType: ispec.MediaTypeImageLayer, Digest: digest.FromString("l"), Size: 1}
	diff := digest.FromString("d")
	full := ispec.History{CreatedBy: "layer"}
	empty := ispec.History{CreatedBy: "config", EmptyLayer: true}
	tests := []struct {
		name    string
		layers  []ispec.Descriptor
		diffIDs []digest.Digest
		history []ispec.History
		wantErr error
	}{
		{"more diff_ids", []ispec.Descriptor{layer}, []digest.Digest{diff, diff}, nil, ErrLayerMismatch},
		{"more layers", []ispec.Descriptor{layer, layer}, []digest.Digest{diff}, nil, ErrLayerMismatch},
		{"history short", []ispec.Descriptor{layer, layer}, []digest.Digest{diff, diff}, []ispec.History{full, empty}, ErrLayerMismatch},
		{"history long", []ispec.Descriptor{layer}, []digest.Digest{diff}, []ispec.History{full, full}, ErrLayerMismatch},
		{"bad layer digest", []ispec.Descriptor{{Digest: "zz"}}, []digest.Digest{diff}, nil, digest.ErrDigestInvalidFormat},
		{"bad diff_id", []ispec.Descriptor{layer}, []digest.Digest{"nope"}, nil, digest.ErrDigestInvalidFormat},
		{"empty entries ok", []ispec.Descriptor{layer}, []digest.Digest{diff}, []ispec.History{empty, full, empty}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			e := openDir(t)
			src := baseImage(t, e)
			m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{src}})
			if err != nil {
				t.Fatal(err)
			}
			before, err := m.Manifest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = m.SetLayers(ctx, tc.layers, tc.diffIDs, tc.history)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("SetLayers: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("SetLayers: %v, want %v", err, tc.wantErr)
			}
			after, err := m.Manifest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("manifest changed by a failed SetLayers")
			}
			if path, err := m.Commit(ctx); err != nil || path.Descriptor().Digest != src.Digest {
				t.Errorf("Commit after a failed SetLayers wrote a new manifest (%v)", err)
			}
		})
	}
}

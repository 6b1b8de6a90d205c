package casext

import (
	"context"
	"errors"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// collectWalk walks root and returns the digests of the visited path ends
// and the depth of each.
func collectWalk(t *testing.T, e Engine, root ispec.Descriptor, skip func(ispec.Descriptor) bool) ([]digest.Digest, []int, error) {
	t.Helper()
	var ds []digest.Digest
	var depths []int
	err := e.Walk(t.Context(), root, func(_ context.Context, p DescriptorPath) error {
		ds = append(ds, p.Descriptor().Digest)
		depths = append(depths, len(p.Walk))
		if p.Root().Digest != root.Digest {
			t.Errorf("path does not start at the root")
		}
		if skip != nil && skip(p.Descriptor()) {
			return ErrSkipDescriptor
		}
		return nil
	})
	return ds, depths, err
}

func TestWalkOrder(t *testing.T) {
	e := newTestEngine(t)
	a := putImage(t, e, "a1", "a2")
	b := putImage(t, e, "b1")
	root := putIndex(t, e, a.manifest, b.manifest)

	got, depths, err := collectWalk(t, e, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []digest.Digest{root.Digest,
		a.manifest.Digest, a.config.Digest, a.layers[0].Digest, a.layers[1].Digest,
		b.manifest.Digest, b.config.Digest, b.layers[0].Digest}
	wantDepths := []int{1, 2, 3, 3, 3, 2, 3, 3}
	if len(got) != len(want) {
		t.Fatalf("visited %d descriptors, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] || depths[i] != wantDepths[i] {
			t.Errorf("visit %d: %s at depth %d, want %s at depth %d", i, got[i], depths[i], want[i], wantDepths[i])
		}
	}

	t.Run("skip", func(t *testing.T) {
		got, _, err := collectWalk(t, e, root, func(d ispec.Descriptor) bool { return d.Digest == a.manifest.Digest })
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got[1] != a.manifest.Digest || got[2] != b.manifest.Digest {
			t.Errorf("skip did not prune a's children: %v", got)
		}
	})
	t.Run("error stops the walk", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := e.Walk(t.Context(), root, func(context.Context, DescriptorPath) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("err = %v after %d visits, want stop after 3", err, n)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := e.Walk(ctx, root, func(context.Context, DescriptorPath) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

func TestWalkDockerAndSubjectAndDescriptorBlob(t *testing.T) {
	e := newTestEngine(t)
	cfg := putRaw(t, e, mediatype.DockerConfig, []byte(`{"os":"linux"}`))
	layer := putRaw(t, e, mediatype.DockerLayerGzip, []byte("gz"))
	dm := putJSON(t, e, mediatype.DockerManifest, ispec.Manifest{Versioned: specsVersioned(), MediaType: mediatype.DockerManifest, Config: cfg, Layers: []ispec.Descriptor{layer}})
	list := putJSON(t, e, mediatype.DockerManifestList, ispec.Index{Versioned: specsVersioned(), MediaType: mediatype.DockerManifestList, Manifests: []ispec.Descriptor{dm}})
	subject := putImage(t, e, "s")
	artifact := putJSON(t, e, mediatype.Manifest, ispec.Manifest{Versioned: specsVersioned(), MediaType: mediatype.Manifest,
		Config: ispec.DescriptorEmptyJSON, Layers: []ispec.Descriptor{}, Subject: &subject.manifest})
	pointer := putJSON(t, e, mediatype.Descriptor, list)
	root := putIndex(t, e, pointer, artifact)

	got, _, err := collectWalk(t, e, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[digest.Digest]bool{}
	for _, d := range got {
		seen[d] = true
	}
	for name, d := range map[string]ispec.Descriptor{"docker list": list, "docker manifest": dm, "docker config": cfg, "docker layer": layer,
		"descriptor blob": pointer, "subject": subject.manifest, "subject config": subject.config, "empty config": ispec.DescriptorEmptyJSON} {
		if !seen[d.Digest] {
			t.Errorf("%s not visited", name)
		}
	}
}

func TestWalkErrors(t *testing.T) {
	e := newTestEngine(t)
	missing := ispec.Descriptor{MediaType: mediatype.Manifest, Digest: digest.FromString("gone"), Size: 4}
	root := putIndex(t, e, missing)
	_, _, err := collectWalk(t, e, root, nil)
	if !errors.Is(err, cas.ErrNotExist) {
		t.Errorf("missing manifest: err = %v, want ErrNotExist", err)
	}

	t.Run("depth", func(t *testing.T) {
		d := putImage(t, e).manifest
		for range MaxWalkDepth {
			d = putIndex(t, e, d)
		}
		_, _, err := collectWalk(t, e, d, nil)
		if !errors.Is(err, ErrWalkLimit) {
			t.Errorf("err = %v, want ErrWalkLimit", err)
		}
	})
	t.Run("visit budget", func(t *testing.T) {
		old := maxWalkVisits
		maxWalkVisits = 1000
		defer func() { maxWalkVisits = old }()
		// Each level doubles the number of paths: 2^12 paths from 12 blobs.
		d := putImage(t, e).manifest
		for range 11 {
			d = putIndex(t, e, d, d)
		}
		_, _, err := collectWalk(t, e, d, nil)
		if !errors.Is(err, ErrWalkLimit) {
			t.Errorf("err = %v, want ErrWalkLimit", err)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		// A content-addressed cycle cannot be built, so check the guard
		// directly.
		a := ispec.Descriptor{Digest: digest.FromString("a")}
		b := ispec.Descriptor{Digest: digest.FromString("b")}
		w := newWalker(e, nil, true)
		if err := w.checkLimits(DescriptorPath{Walk: []ispec.Descriptor{a, b, a}}); !errors.Is(err, ErrWalkLimit) {
			t.Errorf("err = %v, want ErrWalkLimit", err)
		}
		if err := w.checkLimits(DescriptorPath{Walk: []ispec.Descriptor{a, b}}); err != nil {
			t.Errorf("no cycle: err = %v", err)
		}
	})
}

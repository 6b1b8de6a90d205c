package mutate

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

// nested is a tag → index A → index B → manifest M layout, where A and B
// each have another child (manifest O) that must stay untouched.
type nested struct {
	path   casext.DescriptorPath // A, B, M
	a, b   ispec.Index
	otherA ispec.Descriptor // O as listed in A
	otherB ispec.Descriptor // O as listed in B
}

func buildNested(t *testing.T, e casext.Engine) nested {
	t.Helper()
	ctx := t.Context()
	mDesc := baseImage(t, e)
	mRaw := readBlob(t, e, mDesc)
	oDesc := emptyImage(t, e)

	var n nested
	n.otherB = oDesc
	n.otherB.Platform = &ispec.Platform{OS: "linux", Architecture: "amd64"}
	mInB := mDesc
	mInB.Platform = &ispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8", OSFeatures: []string{"f"}}
	mInB.Annotations = map[string]string{"m.note": "kept"}
	mInB.Data = mRaw // embedded data, stale after the commit
	n.b = ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ispec.MediaTypeImageIndex,
		Manifests: []ispec.Descriptor{n.otherB, mInB}, Annotations: map[string]string{"b": "1"}}
	bDesc := putJSON(t, e, ispec.MediaTypeImageIndex, n.b)

	n.otherA = oDesc
	n.otherA.Annotations = map[string]string{"o.note": "a"}
	bInA := bDesc
	bInA.Annotations = map[string]string{"b.note": "kept"}
	n.a = ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ispec.MediaTypeImageIndex,
		Manifests: []ispec.Descriptor{bInA, n.otherA}}
	aDesc := putJSON(t, e, ispec.MediaTypeImageIndex, n.a)

	if err := e.UpdateReference(ctx, "t", aDesc); err != nil {
		t.Fatalf("UpdateReference: %v", err)
	}
	index, err := e.GetIndex(ctx)
	if err != nil {
		t.Fatalf("GetIndex: %v", err)
	}
	if len(index.Manifests) != 1 {
		t.Fatalf("index.json has %d entries, want 1", len(index.Manifests))
	}
	n.path = casext.DescriptorPath{Walk: []ispec.Descriptor{index.Manifests[0], bInA, mInB}}
	return n
}

func TestCommitRewritesNestedIndexes(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			e := b.open(t)
			n := buildNested(t, e)
			m, err := New(e, n.path)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if _, err := m.Add(ctx, bytes.NewReader(makeTar(t, "new")), compress.Gzip, &ispec.History{CreatedBy: "t"}, nil); err != nil {
				t.Fatalf("Add: %v", err)
			}
			path, err := m.Commit(ctx)
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if len(path.Walk) != 3 {
				t.Fatalf("new path has %d descriptors, want 3", len(path.Walk))
			}
			root, bNew, mNew := path.Walk[0], path.Walk[1], path.Walk[2]
			if root.MediaType != ispec.MediaTypeImageIndex || bNew.MediaType != ispec.MediaTypeImageIndex {
				t.Errorf("indexes became %q, %q", root.MediaType, bNew.MediaType)
			}
			if !reflect.DeepEqual(root.Annotations, n.path.Walk[0].Annotations) {
				t.Errorf("root annotations = %v, want %v", root.Annotations, n.path.Walk[0].Annotations)
			}

			var a, bIdx ispec.Index
			readJSON(t, e, root, &a)
			readJSON(t, e, bNew, &bIdx)
			if a.MediaType != ispec.MediaTypeImageIndex || len(a.Manifests) != 2 {
				t.Fatalf("index A = %+v", a)
			}
			if !reflect.DeepEqual(a.Manifests[1], n.otherA) {
				t.Errorf("other child of A changed: %+v", a.Manifests[1])
			}
			if got := a.Manifests[0]; got.Digest != bNew.Digest || got.Size != bNew.Size || got.Annotations["b.note"] != "kept" {
				t.Errorf("A's entry for B = %+v, want digest %s with its annotations", got, bNew.Digest)
			}
			if bIdx.MediaType != ispec.MediaTypeImageIndex || len(bIdx.Manifests) != 2 || bIdx.Annotations["b"] != "1" {
				t.Fatalf("index B = %+v", bIdx)
			}
			if !reflect.DeepEqual(bIdx.Manifests[0], n.otherB) {
				t.Errorf("other child of B changed: %+v", bIdx.Manifests[0])
			}
			got := bIdx.Manifests[1]
			if got.Digest != mNew.Digest || got.Data != nil || got.Annotations["m.note"] != "kept" ||
				got.Platform == nil || got.Platform.Variant != "v8" || !slices.Equal(got.Platform.OSFeatures, []string{"f"}) {
				t.Errorf("B's entry for M = %+v", got)
			}
			if !reflect.DeepEqual(got, mNew) {
				t.Errorf("path target %+v differs from B's entry %+v", mNew, got)
			}
			var manifest ispec.Manifest
			readJSON(t, e, mNew, &manifest)
			if len(manifest.Layers) != 2 {
				t.Errorf("manifest has %d layers, want 2", len(manifest.Layers))
			}

			// Tag the new root the way commands do; the tag now leads there.
			if err := e.UpdateReference(ctx, "t", path.Root()); err != nil {
				t.Fatalf("UpdateReference: %v", err)
			}
			index, err := e.GetIndex(ctx)
			if err != nil || len(index.Manifests) != 1 || index.Manifests[0].Digest != root.Digest {
				t.Fatalf("index.json after tagging = %+v, %v", index, err)
			}
			validateLayout(t, e)
		})
	}
}

func TestCommitUnmodifiedWritesNothing(t *testing.T) {
	ctx := t.Context()
	e := openDir(t)
	n := buildNested(t, e)
	blobsBefore, err := e.ListBlobs(ctx)
	if err != nil {
		t.Fatalf("ListBlobs: %v", err)
	}
	m, err := New(e, n.path)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := m.Config(ctx); err != nil { // loaded but not edited
		t.Fatalf("Config: %v", err)
	}
	path, err := m.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if !reflect.DeepEqual(path, n.path) {
		t.Errorf("Commit returned %+v, want the source path", path)
	}
	blobsAfter, err := e.ListBlobs(ctx)
	if err != nil {
		t.Fatalf("ListBlobs: %v", err)
	}
	slices.Sort(blobsBefore)
	slices.Sort(blobsAfter)
	if !slices.Equal(blobsBefore, blobsAfter) {
		t.Errorf("unmodified Commit wrote blobs: %d before, %d after", len(blobsBefore), len(blobsAfter))
	}
}

func TestCommitTwice(t *testing.T) {
	ctx := t.Context()
	e := backends[0].open(t)
	n := buildNested(t, e)
	m, err := New(e, n.path)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	meta, _ := m.Meta(ctx)
	img, _ := m.Config(ctx)
	if err := m.Set(ctx, img.Config, meta, map[string]string{"k": "v"}, nil); err != nil {
		t.Fatalf("Set: %v", err)
	}
	first, err := m.Commit(ctx)
	if err != nil {
		t.Fatalf("first Commit: %v", err)
	}
	if again, err := m.Commit(ctx); err != nil || !reflect.DeepEqual(again, first) {
		t.Fatalf("Commit without edits = %+v, %v; want %+v", again, err, first)
	}
	if _, err := m.Add(ctx, bytes.NewReader(makeTar(t, "x")), compress.Zstd, &ispec.History{CreatedBy: "t"}, nil); err != nil {
		t.Fatalf("Add: %v", err)
	}
	second, err := m.Commit(ctx)
	if err != nil {
		t.Fatalf("second Commit: %v", err)
	}
	// Reopening the second root from scratch sees both edits.
	m2, err := New(e, second)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	manifest, err := m2.Manifest(ctx)
	if err != nil {
		t.Fatalf("Manifest: %v", err)
	}
	if manifest.Annotations["k"] != "v" || len(manifest.Layers) != 2 {
		t.Errorf("second commit lost an edit: %+v", manifest)
	}
}

package castest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var indexTests = []subtest{
	{"EmptyIndex", testEmptyIndex},
	{"PutGetIndexRoundTrip", testIndexRoundTrip},
	{"UpdateIndexErrorLeavesIndex", testUpdateIndexError},
	{"UpdateIndexConcurrent", testUpdateIndexConcurrent},
}

// sampleIndex is an index with n tagged manifest descriptors.
func sampleIndex(n int) ispec.Index {
	idx := ispec.Index{Manifests: []ispec.Descriptor{}}
	idx.SchemaVersion = 2
	idx.MediaType = ispec.MediaTypeImageIndex
	for i := range n {
		idx.Manifests = append(idx.Manifests, descriptor(fmt.Sprintf("tag-%d", i)))
	}
	return idx
}

// descriptor is a manifest descriptor tagged name.
func descriptor(name string) ispec.Descriptor {
	return ispec.Descriptor{
		MediaType:   ispec.MediaTypeImageManifest,
		Digest:      digest.SHA256.FromString(name),
		Size:        int64(len(name)),
		Annotations: map[string]string{ispec.AnnotationRefName: name},
	}
}

func getIndex(t *testing.T, e cas.Engine) ispec.Index {
	t.Helper()
	idx, err := e.GetIndex(t.Context())
	if err != nil {
		t.Fatalf("GetIndex: %v", err)
	}
	if idx.Manifests == nil {
		t.Fatal("GetIndex returned nil Manifests")
	}
	return idx
}

func testEmptyIndex(t *testing.T, h Harness) {
	idx := getIndex(t, h.Engine)
	if len(idx.Manifests) != 0 || idx.SchemaVersion != 2 || idx.MediaType != ispec.MediaTypeImageIndex {
		t.Fatalf("fresh index = %+v", idx)
	}
	// Writing an index with nil Manifests reads back non-nil and encodes as [].
	if err := h.Engine.PutIndex(t.Context(), ispec.Index{}); err != nil {
		t.Fatalf("PutIndex: %v", err)
	}
	idx = getIndex(t, h.Engine)
	raw, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`
	if string(raw) != want {
		t.Fatalf("index after PutIndex(nil manifests) = %s, want %s", raw, want)
	}
}

func testIndexRoundTrip(t *testing.T, h Harness) {
	in := sampleIndex(3)
	in.Annotations = map[string]string{"org.example": "value"}
	in.MediaType = "" // forced to the OCI index type on write
	if err := h.Engine.PutIndex(t.Context(), in); err != nil {
		t.Fatalf("PutIndex: %v", err)
	}
	in.MediaType = ispec.MediaTypeImageIndex
	for _, e := range []cas.Engine{h.Engine, reopen(t, h)} {
		if got := getIndex(t, e); !reflect.DeepEqual(got, in) {
			t.Fatalf("GetIndex = %+v, want %+v", got, in)
		}
	}
	// Mutating what GetIndex returned must not change the store.
	got := getIndex(t, h.Engine)
	got.Manifests[0].Annotations[ispec.AnnotationRefName] = "mutated"
	if again := getIndex(t, h.Engine); !reflect.DeepEqual(again, in) {
		t.Fatal("GetIndex result aliases stored state")
	}
}

func testUpdateIndexError(t *testing.T, h Harness) {
	orig := sampleIndex(1)
	if err := h.Engine.PutIndex(t.Context(), orig); err != nil {
		t.Fatalf("PutIndex: %v", err)
	}
	err := h.Engine.UpdateIndex(t.Context(), func(idx *ispec.Index) error {
		idx.Manifests = append(idx.Manifests, descriptor("added"))
		idx.Manifests[0].Annotations[ispec.AnnotationRefName] = "changed"
		return errBoom
	})
	wantErr(t, "UpdateIndex", err, errBoom)
	if got := getIndex(t, h.Engine); !reflect.DeepEqual(got, orig) {
		t.Fatalf("index after failed update = %+v, want %+v", got, orig)
	}
	// A successful update is visible.
	err = h.Engine.UpdateIndex(t.Context(), func(idx *ispec.Index) error {
		idx.Manifests = append(idx.Manifests, descriptor("added"))
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateIndex: %v", err)
	}
	if got := getIndex(t, h.Engine); len(got.Manifests) != 2 {
		t.Fatalf("index after update has %d entries, want 2", len(got.Manifests))
	}
}

func testUpdateIndexConcurrent(t *testing.T, h Harness) {
	const writers = 20
	engines := make([]cas.Engine, writers)
	for i := range engines {
		engines[i] = reopen(t, h)
	}
	var done atomic.Bool
	readerErr := make(chan error, 1)
	go func() { // GetIndex must never see a torn index.json
		var err error
		for !done.Load() && err == nil {
			_, err = h.Engine.GetIndex(t.Context())
		}
		readerErr <- err
	}()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i, e := range engines {
		wg.Go(func() {
			errs <- e.UpdateIndex(t.Context(), func(idx *ispec.Index) error {
				idx.Manifests = append(idx.Manifests, descriptor(fmt.Sprintf("writer-%d", i)))
				return nil
			})
		})
	}
	wg.Wait()
	done.Store(true)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("UpdateIndex: %v", err)
		}
	}
	if err := <-readerErr; err != nil {
		t.Errorf("concurrent GetIndex: %v", err)
	}
	seen := map[string]bool{}
	for _, d := range getIndex(t, h.Engine).Manifests {
		seen[d.Annotations[ispec.AnnotationRefName]] = true
	}
	for i := range writers {
		if name := fmt.Sprintf("writer-%d", i); !seen[name] {
			t.Errorf("entry %s lost", name)
		}
	}
	if len(seen) != writers {
		t.Errorf("index has %d distinct entries, want %d", len(seen), writers)
	}
}

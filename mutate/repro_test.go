package mutate

import (
	"bytes"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/compress"
)

// TestReproducible checks that the same edits with fixed times give the same
// digests, whatever the backend and however often they are made.
func TestReproducible(t *testing.T) {
	type result struct {
		backend string
		root    digest.Digest
	}
	var roots []result
	for _, b := range append(backends, backends...) {
		ctx := t.Context()
		e := b.open(t)
		n := buildNested(t, e)
		m, err := New(e, n.path)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		meta, _ := m.Meta(ctx)
		img, _ := m.Config(ctx)
		img.Config.Env = append(img.Config.Env, "NEW=1")
		hist := ispec.History{Created: timePtr(fixedTime), CreatedBy: "lade config"}
		if err := m.Set(ctx, img.Config, meta, map[string]string{"a": "b"}, &hist); err != nil {
			t.Fatalf("Set: %v", err)
		}
		for _, alg := range []compress.Algorithm{compress.Gzip, compress.Zstd, compress.None} {
			if _, err := m.Add(ctx, bytes.NewReader(makeTar(t, alg.Name())), alg, &hist, nil); err != nil {
				t.Fatalf("Add %s: %v", alg.Name(), err)
			}
		}
		path, err := m.Commit(ctx)
		if err != nil {
			t.Fatalf("Commit: %v", err)
		}
		roots = append(roots, result{b.name, path.Root().Digest})
	}
	for _, r := range roots[1:] {
		if r.root != roots[0].root {
			t.Errorf("root digests differ: %+v", roots)
			break
		}
	}
}

package casext

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func tagged(d ispec.Descriptor, name string) ispec.Descriptor {
	d.Annotations = map[string]string{RefNameAnnotation: name}
	return d
}

// TestResolveNestedIndexes is the Appendix B.2 case: tag → X → Z → Y →
// {m1, m2} must give two distinct paths ending at m1 and m2.
func TestResolveNestedIndexes(t *testing.T) {
	e := newTestEngine(t)
	m1 := putImage(t, e, "one").manifest
	m2 := putImage(t, e, "two").manifest
	y := putIndex(t, e, m1, m2)
	z := putIndex(t, e, y)
	x := putIndex(t, e, z)
	if err := e.UpdateReference(t.Context(), "nested", x); err != nil {
		t.Fatal(err)
	}
	paths, err := e.ResolveReference(t.Context(), "nested")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("got %d paths, want 2", len(paths))
	}
	for i, want := range []digest.Digest{m1.Digest, m2.Digest} {
		p := paths[i]
		chain := []digest.Digest{x.Digest, z.Digest, y.Digest, want}
		if len(p.Walk) != len(chain) {
			t.Fatalf("path %d has %d steps, want %d", i, len(p.Walk), len(chain))
		}
		for j, d := range chain {
			if p.Walk[j].Digest != d {
				t.Errorf("path %d step %d = %s, want %s", i, j, p.Walk[j].Digest, d)
			}
		}
		if p.Root().Annotations[RefNameAnnotation] != "nested" {
			t.Errorf("path %d root lacks the tag annotation", i)
		}
	}
	if _, err := e.ResolveOne(t.Context(), "nested"); !errors.Is(err, ErrTagAmbiguous) || err.Error() != "tag is ambiguous: nested" {
		t.Errorf("ResolveOne = %v, want %q", err, "tag is ambiguous: nested")
	}
}

func TestResolve(t *testing.T) {
	e := newTestEngine(t)
	img := putImage(t, e, "x")
	other := putImage(t, e, "y")
	// Nested annotations must be ignored: only top-level entries are tags.
	inner := putIndex(t, e, tagged(other.manifest, "hidden"))
	dockerList := putJSON(t, e, mediatype.DockerManifestList, ispec.Index{Versioned: specsVersioned(), MediaType: mediatype.DockerManifestList,
		Manifests: []ispec.Descriptor{{MediaType: mediatype.DockerManifest, Digest: img.manifest.Digest, Size: img.manifest.Size}}})
	unknown := ispec.Descriptor{MediaType: "application/x-unknown", Digest: digest.FromString("opaque"), Size: 6}
	ctx := t.Context()
	for name, d := range map[string]ispec.Descriptor{"direct": img.manifest, "inner": inner, "docker": dockerList, "unknown": unknown} {
		if err := e.UpdateReference(ctx, name, d); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		tag  string
		want []digest.Digest // path of the single result
	}{
		{"direct", []digest.Digest{img.manifest.Digest}},
		{"inner", []digest.Digest{inner.Digest, other.manifest.Digest}},
		{"docker", []digest.Digest{dockerList.Digest, img.manifest.Digest}},
		{"unknown", []digest.Digest{unknown.Digest}},
	}
	for _, tc := range tests {
		t.Run(tc.tag, func(t *testing.T) {
			p, err := e.ResolveOne(ctx, tc.tag)
			if err != nil {
				t.Fatal(err)
			}
			var got []digest.Digest
			for _, d := range p.Walk {
				got = append(got, d.Digest)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("path = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("nested tag is not a tag", func(t *testing.T) {
		_, err := e.ResolveOne(ctx, "hidden")
		if !errors.Is(err, ErrTagNotFound) || err.Error() != "tag not found: hidden" {
			t.Errorf("err = %v, want %q", err, "tag not found: hidden")
		}
	})
	t.Run("duplicate top-level entries are ambiguous", func(t *testing.T) {
		err := e.UpdateIndex(ctx, func(idx *ispec.Index) error {
			idx.Manifests = append(idx.Manifests, tagged(other.manifest, "dup"), tagged(img.manifest, "dup"))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		paths, err := e.ResolveReference(ctx, "dup")
		if err != nil || len(paths) != 2 || paths[0].Descriptor().Digest != other.manifest.Digest {
			t.Errorf("paths = %v, err = %v", paths, err)
		}
	})
	t.Run("missing nested index is an error", func(t *testing.T) {
		gone := ispec.Descriptor{MediaType: mediatype.Index, Digest: digest.FromString("gone"), Size: 4}
		if err := e.UpdateReference(ctx, "broken", gone); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ResolveReference(ctx, "broken"); err == nil || !strings.Contains(err.Error(), gone.Digest.String()) {
			t.Errorf("err = %v, want an error naming %s", err, gone.Digest)
		}
	})
}

func TestUpdateDeleteListReferences(t *testing.T) {
	e := newTestEngine(t)
	ctx := t.Context()
	a := putImage(t, e, "a").manifest
	b := putImage(t, e, "b").manifest
	a.Annotations = map[string]string{"keep": "me", RefNameAnnotation: "stale"}

	// An untagged entry and a duplicate, written behind casext's back.
	err := e.UpdateIndex(ctx, func(idx *ispec.Index) error {
		idx.Manifests = append(idx.Manifests, b, tagged(b, "x"), tagged(b, "y"), tagged(b, "x"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertRefs(t, e, "x", "y", "x")

	if err := e.UpdateReference(ctx, "x", a); err != nil {
		t.Fatal(err)
	}
	if a.Annotations[RefNameAnnotation] != "stale" {
		t.Errorf("UpdateReference modified the caller's annotations")
	}
	assertRefs(t, e, "y", "x")
	idx, _ := e.GetIndex(ctx)
	last := idx.Manifests[len(idx.Manifests)-1]
	if last.Digest != a.Digest || last.Annotations["keep"] != "me" || last.Annotations[RefNameAnnotation] != "x" {
		t.Errorf("updated entry = %+v", last)
	}
	if len(idx.Manifests) != 3 || idx.Manifests[0].Annotations != nil {
		t.Errorf("untagged entry not kept in place: %+v", idx.Manifests)
	}

	if err := e.DeleteReference(ctx, "y"); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteReference(ctx, "absent"); err != nil {
		t.Errorf("deleting an absent tag: %v", err)
	}
	assertRefs(t, e, "x")

	t.Run("invalid names are refused", func(t *testing.T) {
		for _, name := range []string{"", "-bad", "a b"} {
			errs := []error{
				e.UpdateReference(ctx, name, a),
				e.DeleteReference(ctx, name),
			}
			_, err := e.ResolveReference(ctx, name)
			errs = append(errs, err)
			_, err = e.ResolveOne(ctx, name)
			errs = append(errs, err)
			for i, err := range errs {
				if !errors.Is(err, ErrInvalidRefName) || !strings.Contains(err.Error(), `"`+name+`"`) {
					t.Errorf("call %d with %q: err = %v", i, name, err)
				}
			}
		}
		assertRefs(t, e, "x")
	})
	t.Run("invalid descriptors are refused", func(t *testing.T) {
		for _, d := range []ispec.Descriptor{
			{MediaType: mediatype.Manifest, Digest: "sha256:nothex", Size: 1},
			{MediaType: mediatype.Manifest, Digest: a.Digest, Size: -1},
			{Digest: a.Digest, Size: a.Size},
		} {
			if err := e.UpdateReference(ctx, "x", d); err == nil {
				t.Errorf("UpdateReference accepted %+v", d)
			}
		}
		assertRefs(t, e, "x")
	})
}

func assertRefs(t *testing.T, e Engine, want ...string) {
	t.Helper()
	got, err := e.ListReferences(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListReferences = %q, want %q", got, want)
	}
}

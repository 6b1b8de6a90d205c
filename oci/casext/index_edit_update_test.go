package casext_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/validate"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestEditIndexAddRemove(t *testing.T) {
	e := archLayout(t, [2]string{"amd64", ""}, [2]string{"arm64", "v8"}, [2]string{"s390x", ""}, [2]string{"arm64", ""})
	ctx := t.Context()
	create(t, e, "multi", "amd64", "arm64v8")

	add := func(tags ...string) error {
		_, err := e.EditIndex(ctx, "multi", func(idx *ispec.Index) error {
			return casext.AddIndexEntries(idx, entries(t, e, false, tags...))
		})
		return err
	}
	remove := func(p string) error {
		want, err := casext.ParsePlatform(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.EditIndex(ctx, "multi", func(idx *ispec.Index) error {
			_, err := casext.RemoveIndexEntries(idx, want)
			return err
		})
		return err
	}
	if err := add("s390x"); err != nil {
		t.Fatal(err)
	}
	if got := platforms(t, e, "multi"); !slices.Equal(got, []string{"linux/amd64", "linux/arm64/v8", "linux/s390x"}) {
		t.Errorf("after add: %v", got)
	}
	// arm64 without a variant is the same platform as arm64/v8: replaced in place.
	armOnly, _ := e.ResolveOne(ctx, "arm64")
	if err := add("arm64"); err != nil {
		t.Fatal(err)
	}
	_, idx, _ := e.TaggedIndex(ctx, "multi")
	if len(idx.Manifests) != 3 || idx.Manifests[1].Digest != armOnly.Descriptor().Digest || idx.Annotations["k"] != "v" {
		t.Errorf("after replace: %+v", idx)
	}
	if err := add("amd64", "amd64"); !errors.Is(err, casext.ErrDuplicatePlatform) {
		t.Errorf("same platform twice: %v", err)
	}
	if err := remove("linux/arm64"); err != nil {
		t.Fatal(err)
	}
	if err := remove("linux/ppc64le"); !errors.Is(err, casext.ErrPlatformNotFound) {
		t.Errorf("remove absent: %v", err)
	}
	if err := remove("linux/s390x"); err != nil {
		t.Fatal(err)
	}
	if err := remove("linux/amd64"); !errors.Is(err, casext.ErrIndexEmpty) {
		t.Errorf("remove last: %v", err)
	}
	if got := platforms(t, e, "multi"); !slices.Equal(got, []string{"linux/amd64"}) {
		t.Errorf("after removes: %v", got)
	}
	if err := validate.Layout(ctx, e); err != nil {
		t.Errorf("layout invalid: %v", err)
	}
	// Editing a tag that is an image is refused.
	if _, err := e.EditIndex(ctx, "amd64", func(*ispec.Index) error { return nil }); !errors.Is(err, casext.ErrNotIndex) {
		t.Errorf("edit an image: %v", err)
	}
}

func TestEditIndexNested(t *testing.T) {
	e := archLayout(t, [2]string{"amd64", ""}, [2]string{"arm64", ""}, [2]string{"riscv64", ""})
	ctx := t.Context()
	create(t, e, "inner", "amd64", "arm64")
	create(t, e, "outer", "riscv64")
	_, err := e.EditIndex(ctx, "outer", func(idx *ispec.Index) error {
		return casext.AddIndexEntries(idx, entries(t, e, true, "inner"))
	})
	if err != nil {
		t.Fatal(err)
	}
	// Added twice: the nested entry is replaced, not duplicated.
	_, err = e.EditIndex(ctx, "outer", func(idx *ispec.Index) error {
		return casext.AddIndexEntries(idx, entries(t, e, true, "inner"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := platforms(t, e, "outer"); !slices.Equal(got, []string{"linux/riscv64", "unknown"}) {
		t.Errorf("outer = %v", got)
	}
	paths, err := e.ResolveReference(ctx, "outer")
	if err != nil || len(paths) != 3 {
		t.Errorf("outer resolves to %d images, want 3 (%v)", len(paths), err)
	}
	if err := validate.Layout(ctx, e); err != nil {
		t.Errorf("layout invalid: %v", err)
	}
}

// TestEditIndexConcurrent runs several adds at once: none is lost.
func TestEditIndexConcurrent(t *testing.T) {
	archs := [][2]string{{"amd64", ""}, {"arm64", ""}, {"s390x", ""}, {"ppc64le", ""}, {"riscv64", ""}}
	e := archLayout(t, archs...)
	ctx := t.Context()
	create(t, e, "multi", "amd64")
	var wg sync.WaitGroup
	errs := make([]error, len(archs))
	for i, a := range archs[1:] {
		entry := entries(t, e, false, a[0])
		wg.Go(func() {
			_, errs[i] = e.EditIndex(ctx, "multi", func(idx *ispec.Index) error {
				return casext.AddIndexEntries(idx, entry)
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := platforms(t, e, "multi"); len(got) != len(archs) {
		t.Errorf("index has %v, want all %d platforms", got, len(archs))
	}
}

func TestSamePlatform(t *testing.T) {
	p := func(os, arch, variant, version string, features ...string) *ispec.Platform {
		return &ispec.Platform{OS: os, Architecture: arch, Variant: variant, OSVersion: version, OSFeatures: features}
	}
	tests := []struct {
		name string
		a, b *ispec.Platform
		same bool
	}{
		{"equal", p("linux", "amd64", "", ""), p("linux", "amd64", "", ""), true},
		{"arch", p("linux", "amd64", "", ""), p("linux", "arm64", "", ""), false},
		{"default variant", p("linux", "arm64", "", ""), p("linux", "arm64", "v8", ""), true},
		{"variant", p("linux", "arm", "v6", ""), p("linux", "arm", "v7", ""), false},
		{"os.version", p("windows", "amd64", "", "1"), p("windows", "amd64", "", "2"), false},
		{"features order", p("windows", "amd64", "", "", "a", "b"), p("windows", "amd64", "", "", "b", "a"), true},
		{"features differ", p("windows", "amd64", "", "", "a"), p("windows", "amd64", "", ""), false},
		{"nil", nil, p("linux", "amd64", "", ""), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := casext.SamePlatform(tc.a, tc.b); got != tc.same {
				t.Errorf("SamePlatform = %v, want %v", got, tc.same)
			}
		})
	}
	if s := casext.PlatformString(p("windows", "amd64", "", "10.0", "win32k")); s != "windows/amd64:10.0+win32k" {
		t.Errorf("PlatformString = %q", s)
	}
}

// TestEditIndexDockerList: a Docker manifest list can be read but is not
// edited (lade does not mix OCI entries into it).
func TestEditIndexDockerList(t *testing.T) {
	e := archLayout(t, [2]string{"amd64", ""})
	ctx := t.Context()
	src, err := e.ResolveOne(ctx, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	list := map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediatype.DockerManifestList,
		"manifests":     []ispec.Descriptor{{MediaType: mediatype.Manifest, Digest: src.Descriptor().Digest, Size: src.Descriptor().Size}},
	}
	d, n, err := e.PutBlobJSON(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateReference(ctx, "dl", ispec.Descriptor{MediaType: mediatype.DockerManifestList, Digest: d, Size: n}); err != nil {
		t.Fatal(err)
	}
	if _, idx, err := e.TaggedIndex(ctx, "dl"); err != nil || len(idx.Manifests) != 1 {
		t.Errorf("TaggedIndex(dl) = %+v, %v", idx, err)
	}
	_, err = e.EditIndex(ctx, "dl", func(*ispec.Index) error { return nil })
	if !errors.Is(err, casext.ErrNotIndex) {
		t.Errorf("edit a Docker list: %v", err)
	}
}

package casext_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/validate"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// archLayout writes one image per "arch[/variant]" of archs into a new
// directory layout, tagged with the arch name, and opens it.
func archLayout(t *testing.T, archs ...[2]string) casext.Engine {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "layout")
	for _, a := range archs {
		b := testimage.New()
		b.Architecture, b.Variant = a[0], a[1]
		b.AddLayer(testimage.Gzip, "arch", testimage.File("arch", a[0]+a[1]+"\n", 0o644))
		if _, err := b.Write(ctx, path, a[0]+a[1]); err != nil {
			t.Fatal(err)
		}
	}
	cas, err := dir.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	e := casext.NewEngine(cas)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// entries resolves each tag to an index entry.
func entries(t *testing.T, e casext.Engine, nested bool, tags ...string) []ispec.Descriptor {
	t.Helper()
	var out []ispec.Descriptor
	for _, tag := range tags {
		d, err := e.IndexEntry(t.Context(), tag, nested)
		if err != nil {
			t.Fatalf("IndexEntry(%s): %v", tag, err)
		}
		out = append(out, d)
	}
	return out
}

// create makes an index of tags and tags it name.
func create(t *testing.T, e casext.Engine, name string, tags ...string) ispec.Descriptor {
	t.Helper()
	idx, err := casext.NewIndex(entries(t, e, false, tags...), map[string]string{"k": "v"}, false)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.PutIndexBlob(t.Context(), idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateReference(t.Context(), name, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// platforms lists the platforms of the index tagged name.
func platforms(t *testing.T, e casext.Engine, name string) []string {
	t.Helper()
	_, idx, err := e.TaggedIndex(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range idx.Manifests {
		out = append(out, casext.PlatformString(d.Platform))
	}
	return out
}

func TestIndexCreate(t *testing.T) {
	e := archLayout(t, [2]string{"amd64", ""}, [2]string{"arm64", "v8"}, [2]string{"arm", "v7"})
	ctx := t.Context()
	create(t, e, "multi", "amd64", "arm64v8", "armv7")
	if err := validate.Layout(ctx, e); err != nil {
		t.Fatalf("layout invalid: %v", err)
	}
	_, idx, err := e.TaggedIndex(ctx, "multi")
	if err != nil {
		t.Fatal(err)
	}
	if idx.SchemaVersion != 2 || idx.MediaType != ispec.MediaTypeImageIndex || idx.Annotations["k"] != "v" {
		t.Errorf("index header = %d %q %v", idx.SchemaVersion, idx.MediaType, idx.Annotations)
	}
	for _, d := range idx.Manifests {
		if d.Annotations != nil || d.MediaType != ispec.MediaTypeImageManifest {
			t.Errorf("entry %+v: want a bare manifest descriptor", d)
		}
	}
	if got := platforms(t, e, "multi"); len(got) != 3 || got[0] != "linux/amd64" || got[1] != "linux/arm64/v8" || got[2] != "linux/arm/v7" {
		t.Errorf("platforms = %v", got)
	}
	// Each platform resolves to its source image.
	for _, tc := range []struct{ platform, tag string }{{"linux/arm64", "arm64v8"}, {"linux/arm/v7", "armv7"}, {"linux/amd64", "amd64"}} {
		want, _ := casext.ParsePlatform(tc.platform)
		got, err := e.ResolvePlatform(ctx, "multi", &want)
		if err != nil {
			t.Fatal(err)
		}
		src, _ := e.ResolveOne(ctx, tc.tag)
		if got.Descriptor().Digest != src.Descriptor().Digest {
			t.Errorf("%s resolved to %s, want %s", tc.platform, got.Descriptor().Digest, src.Descriptor().Digest)
		}
	}
}

func TestIndexEntryErrors(t *testing.T) {
	e := archLayout(t, [2]string{"amd64", ""}, [2]string{"arm64", ""})
	ctx := t.Context()
	create(t, e, "multi", "amd64", "arm64")
	create(t, e, "one", "arm64")
	if _, err := e.IndexEntry(ctx, "nope", false); !errors.Is(err, casext.ErrTagNotFound) {
		t.Errorf("missing tag: %v", err)
	}
	_, err := e.IndexEntry(ctx, "multi", false)
	if !errors.Is(err, casext.ErrSourceIsIndex) || !errors.Is(err, casext.ErrTagAmbiguous) {
		t.Errorf("index source without nested: %v", err)
	}
	d, err := e.IndexEntry(ctx, "multi", true)
	if err != nil || d.MediaType != ispec.MediaTypeImageIndex || d.Platform != nil || d.Annotations != nil {
		t.Errorf("nested entry = %+v, %v", d, err)
	}
	// An index of one image gives that image.
	d, err = e.IndexEntry(ctx, "one", false)
	if err != nil || d.MediaType != ispec.MediaTypeImageManifest || casext.PlatformString(d.Platform) != "linux/arm64" {
		t.Errorf("one-image index entry = %+v, %v", d, err)
	}
	// A tag on something that is not an image.
	blob, n, err := e.PutBlobJSON(ctx, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateReference(ctx, "odd", ispec.Descriptor{MediaType: "application/x-odd", Digest: blob, Size: n}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IndexEntry(ctx, "odd", false); !errors.Is(err, casext.ErrBadSource) {
		t.Errorf("odd source: %v", err)
	}
}

func TestNewIndexDuplicates(t *testing.T) {
	e := archLayout(t, [2]string{"arm64", ""}, [2]string{"arm64", "v8"}, [2]string{"amd64", ""})
	all := entries(t, e, false, "arm64", "arm64v8", "amd64")
	if _, err := casext.NewIndex(all, nil, false); !errors.Is(err, casext.ErrDuplicatePlatform) {
		t.Errorf("arm64 and arm64/v8: %v", err)
	}
	idx, err := casext.NewIndex(all, nil, true)
	if err != nil || len(idx.Manifests) != 3 || idx.Annotations != nil {
		t.Errorf("allowed duplicates: %+v, %v", idx, err)
	}
	if _, err := casext.NewIndex(nil, nil, false); !errors.Is(err, casext.ErrIndexEmpty) {
		t.Errorf("empty: %v", err)
	}
	// os.version tells windows builds apart.
	w1 := ispec.Descriptor{Digest: all[0].Digest, Platform: &ispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.1"}}
	w2 := ispec.Descriptor{Digest: all[1].Digest, Platform: &ispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.2"}}
	if _, err := casext.NewIndex([]ispec.Descriptor{w1, w2}, nil, false); err != nil {
		t.Errorf("distinct os.version: %v", err)
	}
}

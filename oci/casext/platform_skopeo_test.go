package casext

import (
	"errors"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// platformIndex builds an index whose entries have the platforms given as
// "os/arch[/variant]" ("-" for an entry without a platform).
func platformIndex(t *testing.T, platforms ...string) *ispec.Index {
	t.Helper()
	idx := &ispec.Index{}
	for i, s := range platforms {
		d := ispec.Descriptor{MediaType: mediatype.Manifest, Digest: digest.Digest("sha256:" + strings.Repeat(string(rune('a'+i)), 64)), Size: 1}
		if s != "-" {
			p, err := ParsePlatform(s)
			if err != nil {
				t.Fatal(err)
			}
			d.Platform = &p
		}
		idx.Manifests = append(idx.Manifests, d)
	}
	return idx
}

func noVariant() string { return "" }

// TestChooseIndexEntryLikeSkopeo checks the choices skopeo 1.9.3 makes, as
// observed with --override-arch/--override-variant on OCI layouts holding
// these indexes.
func TestChooseIndexEntryLikeSkopeo(t *testing.T) {
	arm := []string{"linux/amd64", "linux/arm/v6", "linux/arm/v7", "linux/arm64", "linux/arm64/v8"}
	arm2 := []string{"linux/arm/v7", "linux/arm64/v8", "linux/arm/v5"}
	tests := []struct {
		index      []string
		arch, vari string
		want       string // platform chosen, "" for an error
	}{
		{arm, "arm64", "", "linux/arm64"},
		{arm, "arm", "", "linux/arm/v7"},
		{arm, "arm", "v7", "linux/arm/v7"},
		{arm, "arm", "v8", "linux/arm/v7"},
		{arm, "arm64", "v8", "linux/arm64/v8"},
		{arm2, "arm64", "", "linux/arm64/v8"},
		{arm2, "arm", "", "linux/arm/v7"},
		{arm2, "arm", "v6", "linux/arm/v5"},
		{arm2, "arm", "v9", ""},
		{[]string{"linux/arm/v5", "linux/arm/v6", "linux/arm/v7"}, "arm", "", "linux/arm/v7"},
		{[]string{"linux/arm64/v8", "linux/arm64"}, "arm64", "", "linux/arm64"},
		{[]string{"linux/arm/v5", "linux/arm"}, "arm", "", "linux/arm"},
		{[]string{"linux/arm/v5", "linux/arm"}, "arm", "v7", "linux/arm/v5"},
		{[]string{"linux/arm/v7", "linux/arm/v8"}, "arm", "", "linux/arm/v8"},
		{[]string{"linux/arm/v7", "linux/arm/v8"}, "arm", "v7", "linux/arm/v7"},
		{[]string{"linux/arm64/v8", "linux/arm64"}, "arm64", "v8", "linux/arm64/v8"},
		{[]string{"linux/arm64/v8", "linux/arm64"}, "arm64", "v9", "linux/arm64"},
		{[]string{"linux/amd64/v3", "linux/arm64"}, "amd64", "", ""},
		{[]string{"linux/amd64/v3", "linux/amd64"}, "amd64", "", "linux/amd64"},
		{[]string{"linux/arm/v6", "linux/arm/v8"}, "arm", "", "linux/arm/v8"},
		{[]string{"linux/arm64/v9", "linux/arm/v7"}, "arm64", "", ""},
		{[]string{"linux/arm64/v9", "linux/arm/v7"}, "arm64", "v8", ""},
		{[]string{"linux/arm/v6", "linux/arm/v8"}, "arm", "v5", ""},
		{[]string{"windows/amd64", "linux/amd64"}, "amd64", "", "linux/amd64"},
	}
	for _, tc := range tests {
		name := strings.Join(tc.index, ",") + " " + tc.arch + "/" + tc.vari
		t.Run(name, func(t *testing.T) {
			want := ispec.Platform{OS: "linux", Architecture: tc.arch, Variant: tc.vari}
			d, err := chooseIndexEntry(platformIndex(t, tc.index...), mediatype.Index, want, noVariant)
			if tc.want == "" {
				if !errors.Is(err, ErrPlatformNotFound) {
					t.Fatalf("chose %v, err %v; want ErrPlatformNotFound", d.Platform, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatPlatform(d.Platform); got != tc.want {
				t.Errorf("chose %s, want %s", got, tc.want)
			}
		})
	}
}

// TestChooseIndexEntryPreference checks that the most wanted platform wins
// whatever the order of the index, that variants are matched exactly, and
// the fallback of an OCI index to an entry without a platform.
func TestChooseIndexEntryPreference(t *testing.T) {
	idx := platformIndex(t, "linux/arm/v6", "linux/arm/v7", "linux/amd64/v3", "linux/arm64", "-")
	name := []string{"armv6", "armv7", "amd64v3", "arm64", "any"}
	for _, tc := range []struct {
		arch, variant, indexType string
		want                     string // entry chosen, "" for an error
	}{
		{"arm", "v7", mediatype.Index, "armv7"},
		{"arm", "v8", mediatype.Index, "armv7"},
		{"arm", "", mediatype.Index, "armv7"},
		{"arm", "v6", mediatype.Index, "armv6"},
		{"arm64", "", mediatype.Index, "arm64"},
		{"arm64", "v8", mediatype.Index, "arm64"},
		// An amd64/v3 image is not an amd64 one.
		{"amd64", "", mediatype.Index, "any"},
		{"amd64", "", mediatype.DockerManifestList, ""},
		{"amd64", "v3", mediatype.DockerManifestList, "amd64v3"},
		{"s390x", "", mediatype.Index, "any"},
	} {
		want := ispec.Platform{OS: "linux", Architecture: tc.arch, Variant: tc.variant}
		d, err := chooseIndexEntry(idx, tc.indexType, want, noVariant)
		got := ""
		for i, e := range idx.Manifests {
			if err == nil && e.Digest == d.Digest {
				got = name[i]
			}
		}
		if got != tc.want {
			t.Errorf("%s/%s in %s: chose %q (err %v), want %q", tc.arch, tc.variant, tc.indexType, got, err, tc.want)
		}
	}
}

func TestChooseIndexEntryNoPlatformFallback(t *testing.T) {
	want := ispec.Platform{OS: "linux", Architecture: "s390x"}
	// An OCI index falls back to its first entry without a platform
	// (skopeo picks it even when another platform is asked for).
	idx := platformIndex(t, "linux/amd64", "-", "-")
	d, err := chooseIndexEntry(idx, mediatype.Index, want, noVariant)
	if err != nil || d.Digest != idx.Manifests[1].Digest {
		t.Fatalf("chose %s, %v; want the first entry without platform", d.Digest, err)
	}
	// A match still wins over the fallback.
	idx = platformIndex(t, "-", "linux/s390x")
	if d, _ := chooseIndexEntry(idx, mediatype.Index, want, noVariant); d.Digest != idx.Manifests[1].Digest {
		t.Errorf("fallback chosen over a match")
	}
	// A Docker manifest list has no such fallback.
	if _, err := chooseIndexEntry(platformIndex(t, "-"), mediatype.DockerManifestList, want, noVariant); !errors.Is(err, ErrPlatformNotFound) {
		t.Errorf("manifest list fallback: %v", err)
	}
}

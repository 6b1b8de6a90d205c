package imagecopy

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// index builds an index whose entries have the platforms given as
// "os/arch[/variant]" ("-" for an entry without a platform).
func index(platforms ...string) *ispec.Index {
	idx := &ispec.Index{}
	for i, s := range platforms {
		d := ispec.Descriptor{MediaType: mediatype.Manifest, Digest: digest.Digest("sha256:" + strings.Repeat(string(rune('a'+i)), 64)), Size: 1}
		if s != "-" {
			p, err := casext.ParsePlatform(s)
			if err != nil {
				panic(err)
			}
			d.Platform = &p
		}
		idx.Manifests = append(idx.Manifests, d)
	}
	return idx
}

func noVariant() string { return "" }

// TestChoosePlatformLikeSkopeo checks the choices skopeo 1.9.3 makes, as
// observed with --override-arch/--override-variant on OCI layouts holding
// these indexes.
func TestChoosePlatformLikeSkopeo(t *testing.T) {
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
			choice := ispec.Platform{OS: "linux", Architecture: tc.arch, Variant: tc.vari}
			d, err := choosePlatform(index(tc.index...), mediatype.Index, choice, noVariant)
			if tc.want == "" {
				if !errors.Is(err, casext.ErrPlatformNotFound) {
					t.Fatalf("chose %v, err %v; want ErrPlatformNotFound", d.Platform, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := platformOf(d); got != tc.want {
				t.Errorf("chose %s, want %s", got, tc.want)
			}
		})
	}
}

func TestChoosePlatformNoPlatformFallback(t *testing.T) {
	choice := ispec.Platform{OS: "linux", Architecture: "s390x"}
	// An OCI index falls back to its first entry without a platform
	// (skopeo picks it even when another platform is asked for).
	idx := index("linux/amd64", "-", "-")
	d, err := choosePlatform(idx, mediatype.Index, choice, noVariant)
	if err != nil || d.Digest != idx.Manifests[1].Digest {
		t.Fatalf("chose %s, %v; want the first entry without platform", d.Digest, err)
	}
	// A match still wins over the fallback.
	idx = index("-", "linux/s390x")
	if d, _ := choosePlatform(idx, mediatype.Index, choice, noVariant); d.Digest != idx.Manifests[1].Digest {
		t.Errorf("fallback chosen over a match")
	}
	// A Docker manifest list has no such fallback.
	if _, err := choosePlatform(index("-"), mediatype.DockerManifestList, choice, noVariant); !errors.Is(err, casext.ErrPlatformNotFound) {
		t.Errorf("manifest list fallback: %v", err)
	}
}

func TestChoosePlatformErrorNamesPlatforms(t *testing.T) {
	_, err := choosePlatform(index("linux/amd64", "linux/arm/v7"), mediatype.Index,
		ispec.Platform{OS: "linux", Architecture: "ppc64le"}, noVariant)
	if err == nil || !strings.Contains(err.Error(), "linux/ppc64le") || !strings.Contains(err.Error(), "linux/amd64, linux/arm/v7") {
		t.Errorf("error %v does not name the wanted and available platforms", err)
	}
}

func TestWantedPlatformsHost(t *testing.T) {
	detected := func() string { return "v7" }
	// Empty fields are the host's; the host variant is used only when the
	// architecture is the host's.
	w := wantedPlatforms(ispec.Platform{}, detected)
	if w[0].OS != runtime.GOOS || w[0].Architecture != runtime.GOARCH || w[0].Variant != "v7" {
		t.Errorf("host choice starts with %+v", w[0])
	}
	w = wantedPlatforms(ispec.Platform{Architecture: "arm"}, detected)
	if w[0].Variant != "" {
		t.Errorf("an overridden architecture used the detected variant: %+v", w)
	}
	w = wantedPlatforms(ispec.Platform{Variant: "v6"}, detected)
	if w[0].Architecture != runtime.GOARCH || w[0].Variant != "v6" {
		t.Errorf("variant override: %+v", w)
	}
	w = wantedPlatforms(ispec.Platform{OS: "freebsd"}, noVariant)
	if w[0].OS != "freebsd" {
		t.Errorf("os override: %+v", w)
	}
}

func TestCPUInfoVariant(t *testing.T) {
	for in, want := range map[string]string{
		"processor\t: 0\nCPU architecture: 8\n":        "v8",
		"CPU architecture: AArch64\n":                  "v8",
		"model name : ARMv7\nCPU architecture: 7\n":    "v7",
		"CPU architecture\t: 6TEJ\n":                   "v6",
		"CPU architecture: 5te\n":                      "v5",
		"CPU architecture: 42\n":                       "",
		"vendor_id : GenuineIntel\nflags : sse sse2\n": "",
	} {
		if got := cpuInfoVariant(strings.NewReader(in)); got != want {
			t.Errorf("cpuInfoVariant(%q) = %q, want %q", in, got, want)
		}
	}
}

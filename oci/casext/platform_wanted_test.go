package casext

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

func TestWantedPlatforms(t *testing.T) {
	for _, tc := range []struct {
		p    ispec.Platform
		want string // os/arch/variant, best first
	}{
		{ispec.Platform{OS: "linux", Architecture: "amd64"}, "linux/amd64/"},
		{ispec.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}, "linux/amd64/v3 linux/amd64/"},
		{ispec.Platform{OS: "linux", Architecture: "arm64"}, "linux/arm64/ linux/arm64/v8"},
		{ispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, "linux/arm64/v8 linux/arm64/"},
		{ispec.Platform{OS: "linux", Architecture: "arm"}, "linux/arm/ linux/arm/v8 linux/arm/v7 linux/arm/v6 linux/arm/v5"},
		{ispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "linux/arm/v7 linux/arm/v6 linux/arm/v5 linux/arm/"},
		{ispec.Platform{OS: "linux", Architecture: "arm", Variant: "v4"}, "linux/arm/v4 linux/arm/"},
		{ispec.Platform{OS: "windows", Architecture: "arm", Variant: "v5"}, "windows/arm/v5 windows/arm/"},
		{ispec.Platform{Architecture: "s390x"}, runtime.GOOS + "/s390x/"},
	} {
		var got []string
		for _, p := range wantedPlatforms(tc.p, noVariant) {
			got = append(got, p.OS+"/"+p.Architecture+"/"+p.Variant)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%+v: wanted %v, want %s", tc.p, got, tc.want)
		}
	}
	// No call changes the variant lists the next one uses.
	for _, v := range []string{"", "v8", "v7", "v5", "v9"} {
		wantedPlatforms(ispec.Platform{Architecture: "arm", Variant: v}, noVariant)
		wantedPlatforms(ispec.Platform{Architecture: "arm64", Variant: v}, noVariant)
	}
	if a, a64 := strings.Join(skopeoVariants["arm"], ","), strings.Join(skopeoVariants["arm64"], ","); a != "v8,v7,v6,v5" || a64 != "v8" {
		t.Fatalf("skopeoVariants changed: arm %s, arm64 %s", a, a64)
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
	// Even when the overridden architecture is the host's (skopeo: the
	// variant could not be overridden back to none otherwise).
	w = wantedPlatforms(ispec.Platform{Architecture: runtime.GOARCH}, detected)
	if w[0].Variant != "" {
		t.Errorf("the host's architecture given used the detected variant: %+v", w)
	}
	w = wantedPlatforms(ispec.Platform{Variant: "v6"}, detected)
	if w[0].Architecture != runtime.GOARCH || w[0].Variant != "v6" {
		t.Errorf("variant override: %+v", w)
	}
	w = wantedPlatforms(ispec.Platform{OS: "freebsd"}, noVariant)
	if w[0].OS != "freebsd" {
		t.Errorf("os override: %+v", w)
	}
	// The host's variant picks among the entries.
	idx := platformIndex(t, runtime.GOOS+"/"+runtime.GOARCH, runtime.GOOS+"/"+runtime.GOARCH+"/v7")
	if d, err := chooseIndexEntry(idx, mediatype.Index, ispec.Platform{}, detected); err != nil || d.Digest != idx.Manifests[1].Digest {
		t.Errorf("host v7: chose %v, %v; want the v7 entry", d.Platform, err)
	}
}

func TestPlatformNotFoundError(t *testing.T) {
	idx := platformIndex(t, "linux/amd64", "linux/arm/v7")
	for _, tc := range []struct {
		indexType, arch, variant, want string
	}{
		{mediatype.Index, "s390x", "", `no image found in image index for architecture s390x, variant "", OS linux`},
		{mediatype.DockerManifestList, "ppc64le", "", `no image found in manifest list for architecture ppc64le, variant "", OS linux`},
		{mediatype.Index, "arm", "v5", `no image found in image index for architecture arm, variant "v5", OS linux`},
	} {
		_, err := chooseIndexEntry(idx, tc.indexType, ispec.Platform{OS: "linux", Architecture: tc.arch, Variant: tc.variant}, noVariant)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s/%s in %s: %v, want error %q", tc.arch, tc.variant, tc.indexType, err, tc.want)
		}
		if !errors.Is(err, ErrPlatformNotFound) {
			t.Errorf("%v does not match ErrPlatformNotFound", err)
		}
		var pe *PlatformNotFoundError
		if !errors.As(err, &pe) {
			t.Fatalf("%v is not a *PlatformNotFoundError", err)
		}
		if pe.IndexType != tc.indexType || FormatPlatform(&pe.Wanted[0]) != FormatPlatform(&ispec.Platform{OS: "linux", Architecture: tc.arch, Variant: tc.variant}) {
			t.Errorf("error carries %s, %+v", pe.IndexType, pe.Wanted)
		}
		have := make([]string, len(pe.Have))
		for i, p := range pe.Have {
			have[i] = FormatPlatform(p)
		}
		if !slices.Equal(have, []string{"linux/amd64", "linux/arm/v7"}) {
			t.Errorf("error says the index has %v", have)
		}
	}
	// An entry without a platform is nil in Have.
	_, err := chooseIndexEntry(platformIndex(t, "-", "linux/amd64"), mediatype.DockerManifestList, ispec.Platform{OS: "linux", Architecture: "s390x"}, noVariant)
	var pe *PlatformNotFoundError
	if !errors.As(err, &pe) || len(pe.Have) != 2 || pe.Have[0] != nil || pe.Have[1] == nil {
		t.Errorf("error %v: have %v", err, pe)
	}
}

func TestCPUInfoVariant(t *testing.T) {
	for in, want := range map[string]string{
		"processor\t: 0\nCPU architecture: 8\n":                            "v8",
		"processor\t: 0\nBogoMIPS\t: 48.00\nCPU architecture: 8\n":         "v8",
		"CPU architecture: AArch64\n":                                      "v8",
		"model name : ARMv7\nCPU architecture: 7\n":                        "v7",
		"model name\t: ARMv7 Processor rev 4 (v7l)\nCPU architecture: 7\n": "v7",
		"CPU architecture: 7M\n":                                           "v7",
		"CPU architecture: ?(12)\n":                                        "v7",
		"CPU architecture\t: 6TEJ\n":                                       "v6",
		"cpu architecture : 6TEJ\n":                                        "v6",
		"CPU architecture: 5te\n":                                          "v5",
		"CPU architecture: 5TE\nCPU architecture: 7\n":                     "v5",
		"CPU architecture: 4T\n":                                           "v4",
		"CPU architecture: 3\n":                                            "v3",
		"CPU architecture: 42\n":                                           "",
		"CPU architecture: 9\n":                                            "",
		"CPU architecture: 9\nCPU architecture: 7\n":                       "",
		"vendor_id : GenuineIntel\nflags : sse sse2\n":                     "",
		"processor: 0\n":                                                   "",
		"":                                                                 "",
	} {
		if got := cpuInfoVariant(strings.NewReader(in)); got != want {
			t.Errorf("cpuInfoVariant(%q) = %q, want %q", in, got, want)
		}
	}
}

package inspect

import (
	"runtime"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

func TestPlatformWanted(t *testing.T) {
	for _, tc := range []struct {
		p    Platform
		want string // os/arch/variant, best first
	}{
		{Platform{OS: "linux", Architecture: "amd64"}, "linux/amd64/"},
		{Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}, "linux/amd64/v3 linux/amd64/"},
		{Platform{OS: "linux", Architecture: "arm64"}, "linux/arm64/ linux/arm64/v8"},
		{Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, "linux/arm64/v8 linux/arm64/"},
		{Platform{OS: "linux", Architecture: "arm"}, "linux/arm/ linux/arm/v8 linux/arm/v7 linux/arm/v6 linux/arm/v5"},
		{Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "linux/arm/v7 linux/arm/v6 linux/arm/v5 linux/arm/"},
		{Platform{OS: "linux", Architecture: "arm", Variant: "v4"}, "linux/arm/v4 linux/arm/"},
		{Platform{OS: "windows", Architecture: "arm", Variant: "v5"}, "windows/arm/v5 windows/arm/"},
		{Platform{Architecture: "s390x"}, runtime.GOOS + "/s390x/"},
	} {
		var got []string
		for _, p := range tc.p.wanted() {
			got = append(got, p.OS+"/"+p.Architecture+"/"+p.Variant)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%+v: wanted %v, want %s", tc.p, got, tc.want)
		}
	}
	// The variant list of one call must not leak into another's.
	Platform{Architecture: "arm", Variant: "v7"}.wanted()
	if v := variantOrder["arm"]; strings.Join(v, ",") != "v8,v7,v6,v5" {
		t.Fatalf("variantOrder changed: %v", v)
	}
	host := Platform{}.wanted()
	if host[0].OS != runtime.GOOS || host[0].Architecture != runtime.GOARCH {
		t.Errorf("host platform %+v", host[0])
	}
}

func TestPlatformChoose(t *testing.T) {
	entry := func(name string, p *ispec.Platform) ispec.Descriptor {
		return ispec.Descriptor{Digest: digest.Digest("sha256:" + name), Platform: p}
	}
	plat := func(arch, variant string) *ispec.Platform {
		return &ispec.Platform{OS: "linux", Architecture: arch, Variant: variant}
	}
	idx := &ispec.Index{Manifests: []ispec.Descriptor{
		entry("armv6", plat("arm", "v6")), entry("armv7", plat("arm", "v7")),
		entry("amd64v3", plat("amd64", "v3")), entry("arm64", plat("arm64", "")), entry("any", nil),
	}}
	for _, tc := range []struct {
		p         Platform
		mt        string
		want      string
		wantError string
	}{
		// The most wanted platform first, whatever the index order.
		{Platform{Architecture: "arm", Variant: "v7"}, mediatype.Index, "armv7", ""},
		{Platform{Architecture: "arm", Variant: "v8"}, mediatype.Index, "armv7", ""},
		{Platform{Architecture: "arm"}, mediatype.Index, "armv7", ""},
		{Platform{Architecture: "arm", Variant: "v6"}, mediatype.Index, "armv6", ""},
		{Platform{Architecture: "arm64"}, mediatype.Index, "arm64", ""},
		{Platform{Architecture: "arm64", Variant: "v8"}, mediatype.Index, "arm64", ""},
		// Variants are matched exactly: an amd64/v3 image is not an amd64 one.
		{Platform{Architecture: "amd64"}, mediatype.Index, "any", ""},
		{Platform{Architecture: "amd64"}, mediatype.DockerManifestList, "", `no image found in manifest list for architecture amd64, variant "", OS linux`},
		{Platform{Architecture: "amd64", Variant: "v3"}, mediatype.DockerManifestList, "amd64v3", ""},
		{Platform{Architecture: "s390x"}, mediatype.Index, "any", ""},
	} {
		tc.p.OS = "linux"
		d, err := tc.p.choose(tc.mt, idx)
		switch {
		case tc.wantError != "":
			if err == nil || err.Error() != tc.wantError {
				t.Errorf("%+v in %s: %v, %v; want error %q", tc.p, tc.mt, d.Digest, err, tc.wantError)
			}
		case err != nil || d.Digest.Encoded() != tc.want:
			t.Errorf("%+v in %s: %v, %v; want %s", tc.p, tc.mt, d.Digest, err, tc.want)
		}
	}
	noFallback := &ispec.Index{Manifests: idx.Manifests[:4]}
	_, err := Platform{OS: "linux", Architecture: "s390x"}.choose(mediatype.Index, noFallback)
	if err == nil || err.Error() != `no image found in image index for architecture s390x, variant "", OS linux` {
		t.Errorf("no match in an index: %v", err)
	}
}

func TestArmVariant(t *testing.T) {
	for cpuinfo, want := range map[string]string{
		"processor\t: 0\nBogoMIPS\t: 48.00\nCPU architecture: 8\n":         "v8",
		"CPU architecture: AArch64\n":                                      "v8",
		"model name\t: ARMv7 Processor rev 4 (v7l)\nCPU architecture: 7\n": "v7",
		"cpu architecture : 6TEJ\n":                                        "v6",
		"CPU architecture: 5TE\nCPU architecture: 7\n":                     "v5",
		"CPU architecture: 9\n":                                            "",
		"processor: 0\n":                                                   "",
	} {
		if got := armVariant(strings.NewReader(cpuinfo)); got != want {
			t.Errorf("armVariant(%q) = %q, want %q", cpuinfo, got, want)
		}
	}
}

package imagecopy

import (
	"errors"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// The choice itself is casext.ChooseIndexEntry's (tested there); copy
// words its failure with the platforms and the flags that choose another.
func TestChoosePlatformError(t *testing.T) {
	entry := func(hex string, p *ispec.Platform) ispec.Descriptor {
		return ispec.Descriptor{MediaType: mediatype.Manifest, Digest: digest.Digest("sha256:" + hex), Size: 1, Platform: p}
	}
	idx := &ispec.Index{Manifests: []ispec.Descriptor{
		entry("a", &ispec.Platform{OS: "linux", Architecture: "amd64"}),
		entry("b", &ispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}),
		entry("c", nil),
	}}
	_, err := choosePlatform(idx, mediatype.DockerManifestList, ispec.Platform{OS: "linux", Architecture: "ppc64le"})
	want := "choose image: no image for platform linux/ppc64le (the index has linux/amd64, linux/arm/v7, no platform; use --override-os, --override-arch, --override-variant or --all)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	var pe *casext.PlatformNotFoundError
	if !errors.Is(err, casext.ErrPlatformNotFound) || !errors.As(err, &pe) || pe.IndexType != mediatype.DockerManifestList {
		t.Errorf("error %v does not carry the casext error", err)
	}
	// An OCI index takes its entry without a platform instead.
	if d, err := choosePlatform(idx, mediatype.Index, ispec.Platform{OS: "linux", Architecture: "ppc64le"}); err != nil || d.Digest != idx.Manifests[2].Digest {
		t.Errorf("chose %s, %v; want the entry without a platform", d.Digest, err)
	}
}

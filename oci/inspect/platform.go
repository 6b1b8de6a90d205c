package inspect

import (
	"fmt"
	"runtime"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// Platform is the platform an image is picked for from an index or
// manifest list: the host's, with each non-empty field overriding its
// part (skopeo's --override-os, --override-arch, --override-variant).
type Platform struct {
	OS           string
	Architecture string
	Variant      string
}

// variantOrder lists, for the architectures that have variants, the known
// variants from the most to the least capable, as skopeo 1.9 does (an arm
// v8 host runs v7, v6 and v5 images).
var variantOrder = map[string][]string{
	"arm":   {"v8", "v7", "v6", "v5"},
	"arm64": {"v8"},
}

// wanted returns the platforms p accepts, best first, as skopeo 1.9
// computes them. The host's variant is detected only when the architecture
// is not overridden. A wanted variant is followed by the less capable
// ones, then by "no variant"; no wanted variant prefers an image without a
// variant, then any known variant of the architecture.
func (p Platform) wanted() []ispec.Platform {
	arch, variant := runtime.GOARCH, ""
	if p.Architecture != "" {
		arch = p.Architecture
	} else {
		variant = hostVariant(runtime.GOARCH)
	}
	if p.Variant != "" {
		variant = p.Variant
	}
	os := runtime.GOOS
	if p.OS != "" {
		os = p.OS
	}

	var variants []string
	if variant != "" {
		for i, v := range variantOrder[arch] {
			if v == variant {
				variants = variantOrder[arch][i:]
				break
			}
		}
		if variants == nil {
			variants = []string{variant}
		}
		variants = append(variants[:len(variants):len(variants)], "")
	} else {
		variants = append([]string{""}, variantOrder[arch]...)
	}
	res := make([]ispec.Platform, len(variants))
	for i, v := range variants {
		res[i] = ispec.Platform{OS: os, Architecture: arch, Variant: v}
	}
	return res
}

// choose returns the entry of idx (of media type mt) for p: the first
// entry, in order of preference of p.wanted(), whose os, architecture and
// variant are exactly the wanted ones. When none matches, an OCI index
// falls back to its first entry without a platform; a Docker manifest list
// has no such fallback.
func (p Platform) choose(mt string, idx *ispec.Index) (ispec.Descriptor, error) {
	wanted := p.wanted()
	for _, w := range wanted {
		for _, d := range idx.Manifests {
			if d.Platform == nil {
				continue
			}
			if d.Platform.OS == w.OS && d.Platform.Architecture == w.Architecture && d.Platform.Variant == w.Variant {
				return d, nil
			}
		}
	}
	kind := "manifest list"
	if mt == mediatype.Index {
		kind = "image index"
		for _, d := range idx.Manifests {
			if d.Platform == nil {
				return d, nil
			}
		}
	}
	return ispec.Descriptor{}, fmt.Errorf("no image found in %s for architecture %s, variant %q, OS %s",
		kind, wanted[0].Architecture, wanted[0].Variant, wanted[0].OS)
}

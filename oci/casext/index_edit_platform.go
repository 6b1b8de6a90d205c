package casext

import (
	"slices"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// SamePlatform reports whether a and b are the same platform, as index
// entries: same os, architecture and variant (an arm64 platform without a
// variant is v8, an arm one v7), same os.version and the same set of
// os.features. A nil platform is never the same as anything.
func SamePlatform(a, b *ispec.Platform) bool {
	if a == nil || b == nil {
		return false
	}
	if a.OS != b.OS || a.Architecture != b.Architecture || a.OSVersion != b.OSVersion {
		return false
	}
	if normalVariant(a.Architecture, a.Variant) != normalVariant(b.Architecture, b.Variant) {
		return false
	}
	fa, fb := slices.Clone(a.OSFeatures), slices.Clone(b.OSFeatures)
	slices.Sort(fa)
	slices.Sort(fb)
	return slices.Equal(slices.Compact(fa), slices.Compact(fb))
}

// PlatformString is FormatPlatform followed by ":" and the os.version when
// p has one (e.g. "windows/amd64:10.0.17763.1"), and by "+" and each
// os.feature.
func PlatformString(p *ispec.Platform) string {
	s := FormatPlatform(p)
	if p == nil {
		return s
	}
	if p.OSVersion != "" {
		s += ":" + p.OSVersion
	}
	for _, f := range p.OSFeatures {
		s += "+" + f
	}
	return s
}

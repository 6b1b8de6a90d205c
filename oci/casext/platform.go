package casext

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ErrPlatformNotFound is returned (wrapped with the tag and the platforms
// available) when no image of a tag matches the platform asked for.
var ErrPlatformNotFound = errors.New("no image for platform")

// ParsePlatform parses "os/arch[/variant]" (e.g. "linux/arm64/v8"). Every
// part must be non-empty; os and arch are required.
func ParsePlatform(s string) (ispec.Platform, error) {
	parts := strings.Split(s, "/")
	bad := func(part string) bool { return part == "" || strings.ContainsFunc(part, unicode.IsSpace) }
	if len(parts) < 2 || len(parts) > 3 || slices.ContainsFunc(parts, bad) {
		return ispec.Platform{}, fmt.Errorf("parse platform %q: want os/arch[/variant]", s)
	}
	p := ispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// FormatPlatform gives back the "os/arch[/variant]" form of p, or
// "unknown" when p is nil.
func FormatPlatform(p *ispec.Platform) string {
	if p == nil {
		return "unknown"
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// MatchPlatform reports whether have satisfies want: same os and
// architecture, and, when want names a variant, the same variant (an arm64
// image without a variant counts as v8, an arm one as v7). OS version and
// features are not compared. A nil have (platform unknown) never matches.
func MatchPlatform(want ispec.Platform, have *ispec.Platform) bool {
	if have == nil || want.OS != have.OS || want.Architecture != have.Architecture {
		return false
	}
	if want.Variant == "" {
		return true
	}
	return normalVariant(want.Architecture, want.Variant) == normalVariant(have.Architecture, have.Variant)
}

// normalVariant fills in the default variant of arm64 (v8) and arm (v7).
func normalVariant(arch, variant string) string {
	if variant != "" {
		return variant
	}
	switch arch {
	case "arm64":
		return "v8"
	case "arm":
		return "v7"
	}
	return ""
}

// PathPlatform returns the platform of the target of path: the platform
// of its descriptor (the index entry that led to it) if set, else the
// os/architecture/variant of the image config of the manifest it points at.
// It returns nil, without error, for a target that is not an image
// manifest or whose config is not an image config.
func (e Engine) PathPlatform(ctx context.Context, path DescriptorPath) (*ispec.Platform, error) {
	desc := path.Descriptor()
	if desc.Platform != nil {
		p := *desc.Platform
		return &p, nil
	}
	if !mediatype.IsManifest(desc.MediaType) {
		return nil, nil
	}
	blob, err := e.FromDescriptor(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("read platform of %s: %w", desc.Digest, err)
	}
	m, ok := blob.Data.(*ispec.Manifest)
	if !ok || !mediatype.IsConfig(m.Config.MediaType) {
		return nil, nil
	}
	cfg, err := e.FromDescriptor(ctx, m.Config)
	if err != nil {
		return nil, fmt.Errorf("read platform of %s: %w", desc.Digest, err)
	}
	img, ok := cfg.Data.(*ispec.Image)
	if !ok || (img.OS == "" && img.Architecture == "") {
		return nil, nil
	}
	return &ispec.Platform{OS: img.OS, Architecture: img.Architecture, Variant: img.Variant}, nil
}

package casext

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// skopeoVariants lists, per architecture, the variants skopeo 1.9 knows,
// most demanding first: a host of one variant runs images of the later
// ones too (an arm v7 host runs v6 and v5 images).
var skopeoVariants = map[string][]string{
	"arm":   {"v8", "v7", "v6", "v5"},
	"arm64": {"v8"},
}

// ChooseIndexEntry returns the entry of idx, an index of media type
// indexType (mediatype.Index or mediatype.DockerManifestList), that
// skopeo 1.9 picks for want. Each empty field of want is the host's:
// runtime.GOOS, runtime.GOARCH and, only when the architecture is the
// host's (want.Architecture empty), the host's variant ([HostVariant]);
// an architecture given without a variant never takes the host's variant,
// even when it is the host's architecture (skopeo's --override-arch).
//
// The platforms accepted are tried best first, and the first entry whose
// os, architecture and variant equal the one tried wins, whatever the
// order of the index:
//
//   - with a variant, that variant, then the ones a host of it also runs
//     (arm v7: v7, v6, v5), then an entry that names no variant; a variant
//     skopeo does not know is followed by no-variant only;
//   - without one, an entry that names no variant, then every variant
//     skopeo knows for the architecture (arm64: "", v8).
//
// When nothing matches, an OCI index falls back to its first entry
// without a platform (even though another platform was asked for); a
// Docker manifest list has no such fallback. Otherwise the error is a
// *[PlatformNotFoundError], which matches [ErrPlatformNotFound].
func ChooseIndexEntry(idx *ispec.Index, indexType string, want ispec.Platform) (ispec.Descriptor, error) {
	return chooseIndexEntry(idx, indexType, want, HostVariant)
}

// chooseIndexEntry is ChooseIndexEntry with the host's variant detection
// given (tests pass their own).
func chooseIndexEntry(idx *ispec.Index, indexType string, want ispec.Platform, hostVariant func() string) (ispec.Descriptor, error) {
	wanted := wantedPlatforms(want, hostVariant)
	for _, w := range wanted {
		for _, d := range idx.Manifests {
			if p := d.Platform; p != nil && p.OS == w.OS && p.Architecture == w.Architecture && p.Variant == w.Variant {
				return d, nil
			}
		}
	}
	if indexType == mediatype.Index {
		for _, d := range idx.Manifests {
			if d.Platform == nil {
				return d, nil
			}
		}
	}
	have := make([]*ispec.Platform, len(idx.Manifests))
	for i, d := range idx.Manifests {
		have[i] = d.Platform
	}
	return ispec.Descriptor{}, &PlatformNotFoundError{IndexType: indexType, Wanted: wanted, Have: have}
}

// wantedPlatforms returns the platforms accepted for want, best first, in
// the order ChooseIndexEntry describes.
func wantedPlatforms(want ispec.Platform, hostVariant func() string) []ispec.Platform {
	os := cmp.Or(want.OS, runtime.GOOS)
	arch, variant := want.Architecture, want.Variant
	if arch == "" {
		arch = runtime.GOARCH
		if variant == "" {
			variant = hostVariant()
		}
	}
	var variants []string
	if variant != "" {
		chain := skopeoVariants[arch]
		if i := slices.Index(chain, variant); i >= 0 {
			variants = slices.Clone(chain[i:])
		} else {
			variants = []string{variant}
		}
		variants = append(variants, "")
	} else {
		variants = append([]string{""}, skopeoVariants[arch]...)
	}
	wanted := make([]ispec.Platform, len(variants))
	for i, v := range variants {
		wanted[i] = ispec.Platform{OS: os, Architecture: arch, Variant: v}
	}
	return wanted
}

// PlatformNotFoundError is the error of [ChooseIndexEntry] when no entry
// of an index fits. It matches [ErrPlatformNotFound] (errors.Is); callers
// that want their own wording get the facts with errors.As.
type PlatformNotFoundError struct {
	// IndexType is the media type of the index searched.
	IndexType string
	// Wanted are the platforms accepted, best first: Wanted[0] is the
	// one asked for, with the host's values filled in.
	Wanted []ispec.Platform
	// Have is the platform of every entry of the index, in its order
	// (nil for an entry without one).
	Have []*ispec.Platform
}

// Error is skopeo 1.9's message, word for word: "no image found in image
// index for architecture arm64, variant "v8", OS linux" ("manifest list"
// for a Docker manifest list).
func (e *PlatformNotFoundError) Error() string {
	kind := "manifest list"
	if e.IndexType == mediatype.Index {
		kind = "image index"
	}
	var w ispec.Platform
	if len(e.Wanted) > 0 {
		w = e.Wanted[0]
	}
	return fmt.Sprintf("no image found in %s for architecture %s, variant %q, OS %s", kind, w.Architecture, w.Variant, w.OS)
}

// Unwrap makes the error match ErrPlatformNotFound.
func (e *PlatformNotFoundError) Unwrap() error { return ErrPlatformNotFound }

package imagecopy

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// armVariants lists, per architecture, the variants an image may need,
// most demanding first: a host of one variant runs images of the later
// ones too.
var armVariants = map[string][]string{
	"arm":   {"v8", "v7", "v6", "v5"},
	"arm64": {"v8"},
}

// wantedPlatforms returns the platforms to look for in an index, best
// first, for the choice (empty fields are the host's), in the order
// skopeo 1.9 tries them:
//
//   - a variant asked for (or detected) comes first, then the variants a
//     host of it also runs (arm v7: v7, v6, v5), then an image that names
//     no variant; an unknown variant is followed by no-variant only;
//   - with no variant, an image that names none comes first, then every
//     known variant of the architecture (arm64: "", v8).
//
// The host's variant is only detected when the architecture is the host's.
func wantedPlatforms(choice ispec.Platform, hostVariant func() string) []ispec.Platform {
	os := cmp.Or(choice.OS, runtime.GOOS)
	arch, variant := choice.Architecture, choice.Variant
	if arch == "" {
		arch = runtime.GOARCH
		if variant == "" {
			variant = hostVariant()
		}
	}
	var variants []string
	if variant != "" {
		chain := armVariants[arch]
		if i := slices.Index(chain, variant); i >= 0 {
			variants = slices.Clone(chain[i:])
		} else {
			variants = []string{variant}
		}
		variants = append(variants, "")
	} else {
		variants = append([]string{""}, armVariants[arch]...)
	}
	wanted := make([]ispec.Platform, len(variants))
	for i, v := range variants {
		wanted[i] = ispec.Platform{OS: os, Architecture: arch, Variant: v}
	}
	return wanted
}

// choosePlatform returns the entry of idx to copy for choice: the first
// entry matching the first wanted platform that any entry matches (os,
// architecture and variant equal). An OCI index without a match falls
// back to its first entry that has no platform, as skopeo does. No match
// is an error wrapping casext.ErrPlatformNotFound.
func choosePlatform(idx *ispec.Index, indexType string, choice ispec.Platform, hostVariant func() string) (ispec.Descriptor, error) {
	wanted := wantedPlatforms(choice, hostVariant)
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
	have := make([]string, 0, len(idx.Manifests))
	for _, d := range idx.Manifests {
		have = append(have, platformOf(d))
	}
	return ispec.Descriptor{}, fmt.Errorf("choose image: %w %s (the index has %s; use --override-os, --override-arch, --override-variant or --all)",
		casext.ErrPlatformNotFound, formatPlatform(wanted[0]), strings.Join(have, ", "))
}

func formatPlatform(p ispec.Platform) string {
	return casext.FormatPlatform(&p)
}

// hostVariant returns the ARM variant of the host ("v7", "v8"), or "" on
// other architectures or when it cannot be told.
func hostVariant() string {
	if runtime.GOARCH != "arm" && runtime.GOARCH != "arm64" {
		return ""
	}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	return cpuInfoVariant(f)
}

// cpuInfoVariant reads the "CPU architecture" line of /proc/cpuinfo.
func cpuInfoVariant(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "cpu architecture") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(value)) {
		case "8", "aarch64":
			return "v8"
		case "7", "7m", "?(12)", "?(13)", "?(14)", "?(15)", "?(16)", "?(17)":
			return "v7"
		case "6", "6tej":
			return "v6"
		case "5", "5t", "5te", "5tej":
			return "v5"
		case "4", "4t":
			return "v4"
		case "3":
			return "v3"
		}
		return ""
	}
	return ""
}

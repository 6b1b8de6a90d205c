package imagecopy

import (
	"errors"
	"fmt"
	"strings"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
)

// choosePlatform returns the entry of idx to copy for choice, as skopeo
// 1.9 picks it (casext.ChooseIndexEntry: empty fields of choice are the
// host's). No match is a *noPlatformError, which wraps the
// *casext.PlatformNotFoundError and so matches casext.ErrPlatformNotFound.
func choosePlatform(idx *ispec.Index, indexType string, choice ispec.Platform) (ispec.Descriptor, error) {
	d, err := casext.ChooseIndexEntry(idx, indexType, choice)
	var pe *casext.PlatformNotFoundError
	if errors.As(err, &pe) {
		return ispec.Descriptor{}, &noPlatformError{pe}
	}
	return d, err
}

// noPlatformError says in lade's words which platform copy wanted, which
// ones the index has and how to choose another.
type noPlatformError struct {
	*casext.PlatformNotFoundError
}

func (e *noPlatformError) Error() string {
	have := make([]string, len(e.Have))
	for i, p := range e.Have {
		have[i] = "no platform"
		if p != nil {
			have[i] = casext.FormatPlatform(p)
		}
	}
	wanted := "unknown"
	if len(e.Wanted) > 0 {
		wanted = casext.FormatPlatform(&e.Wanted[0])
	}
	return fmt.Sprintf("choose image: %s %s (the index has %s; use --override-os, --override-arch, --override-variant or --all)",
		casext.ErrPlatformNotFound, wanted, strings.Join(have, ", "))
}

func (e *noPlatformError) Unwrap() error { return e.PlatformNotFoundError }

func formatPlatform(p ispec.Platform) string {
	return casext.FormatPlatform(&p)
}

package imagecopy

import (
	"fmt"
	"slices"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// chooseFamily decides the format of what is written. written are the
// media types of the documents the copy writes, the top one first.
//
// An explicit Format is used as it is. Otherwise the documents keep their
// types when the destination takes them all, and else take the family of
// the first type the destination lists for the top document's kind
// (manifest or index), as skopeo falls back. Every converted type must be
// one the destination takes. A destination that lists types of both
// families prefers the family of its first type, and takes the others only
// as they are: a document of the other family is converted, except under
// PreserveDigests (skopeo stores a Docker image in an oci: layout as it is
// when it may not change the manifest). With PreserveDigests any
// conversion is an error.
func chooseFamily(opts Options, accepted []string, written []string) (family, error) {
	f := keepFamily
	switch opts.Format {
	case FormatOCI:
		f = ociFamily
	case FormatV2S2:
		f = dockerFamily
	case FormatSource:
		if accepted != nil && allIn(written, accepted) && !opts.PreserveDigests {
			if preferred, ok := firstOfKind(accepted, mediatype.IsIndex(written[0])); ok && familyOf(preferred) != familyOf(written[0]) {
				f = familyOf(preferred)
			}
		}
		if accepted != nil && !allIn(written, accepted) {
			fallback, ok := firstOfKind(accepted, mediatype.IsIndex(written[0]))
			if !ok {
				return 0, fmt.Errorf("destination takes %s, not %s: %w", acceptedString(accepted), written[0], transport.ErrUnsupported)
			}
			f = familyOf(fallback)
		}
	default:
		return 0, fmt.Errorf("unknown format %q", opts.Format)
	}
	changed := false
	for _, mt := range written {
		out := convertedType(f, mt)
		if out != mt {
			changed = true
		}
		if accepted != nil && !slices.Contains(accepted, out) {
			return 0, fmt.Errorf("destination takes %s, not %s: %w", acceptedString(accepted), out, transport.ErrUnsupported)
		}
	}
	if changed && opts.PreserveDigests {
		return 0, fmt.Errorf("--preserve-digests: writing %s would convert it to %s and change its digest", written[0], convertedType(f, written[0]))
	}
	return f, nil
}

// convertedType is the media type a document of type mt has once written
// in family f.
func convertedType(f family, mt string) string {
	switch {
	case f == keepFamily:
		return mt
	case mediatype.IsIndex(mt):
		return f.indexType()
	}
	return f.manifestType()
}

func allIn(types, accepted []string) bool {
	for _, t := range types {
		if !slices.Contains(accepted, t) {
			return false
		}
	}
	return true
}

// firstOfKind returns the first manifest type (or index type) lade can
// write among accepted.
func firstOfKind(accepted []string, index bool) (string, bool) {
	for _, a := range accepted {
		if (index && mediatype.IsIndex(a)) || (!index && mediatype.IsManifest(a)) {
			return a, true
		}
	}
	return "", false
}

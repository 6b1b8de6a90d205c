package casext

import (
	"fmt"
	"slices"
	"strings"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// AddIndexEntries puts entries into idx.Manifests: each replaces, in place,
// the first existing entry with the same platform (see SamePlatform), or
// without a platform and with the same digest, and the others of that
// kind are dropped; an entry that replaces nothing is appended. Two of
// entries taking the same slot are ErrDuplicatePlatform (idx is then
// unchanged).
func AddIndexEntries(idx *ispec.Index, entries []ispec.Descriptor) error {
	for i, a := range entries {
		for _, b := range entries[:i] {
			if sameEntry(a, b) {
				return fmt.Errorf("add index entries: %w: %s", ErrDuplicatePlatform, describeEntry(a))
			}
		}
	}
	out := slices.Clone(idx.Manifests)
	for _, add := range entries {
		first := slices.IndexFunc(out, func(d ispec.Descriptor) bool { return sameEntry(d, add) })
		if first < 0 {
			out = append(out, add)
			continue
		}
		out[first] = add
		// Drop the later entries of the same slot (an index made with
		// duplicates).
		tail := slices.DeleteFunc(out[first+1:], func(d ispec.Descriptor) bool { return sameEntry(d, add) })
		out = out[:first+1+len(tail)]
	}
	idx.Manifests = out
	return nil
}

// RemoveIndexEntries removes from idx.Manifests every entry whose platform
// matches want (see MatchPlatform: without a variant, any variant matches)
// and returns how many it removed. None matching is ErrPlatformNotFound
// naming the platforms present; removing them all is ErrIndexEmpty. On
// error idx is unchanged.
func RemoveIndexEntries(idx *ispec.Index, want ispec.Platform) (int, error) {
	kept := slices.DeleteFunc(slices.Clone(idx.Manifests), func(d ispec.Descriptor) bool {
		return MatchPlatform(want, d.Platform)
	})
	removed := len(idx.Manifests) - len(kept)
	switch {
	case removed == 0:
		names := make([]string, 0, len(idx.Manifests))
		for _, d := range idx.Manifests {
			names = append(names, PlatformString(d.Platform))
		}
		return 0, fmt.Errorf("remove index entries: %w %s: the index has %s",
			ErrPlatformNotFound, FormatPlatform(&want), strings.Join(names, ", "))
	case len(kept) == 0:
		return 0, fmt.Errorf("remove index entries %s: %w", FormatPlatform(&want), ErrIndexEmpty)
	}
	idx.Manifests = kept
	return removed, nil
}

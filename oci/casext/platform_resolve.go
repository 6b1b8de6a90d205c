package casext

import (
	"context"
	"fmt"
	"strings"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ResolvePlatform resolves refname to exactly one path, choosing among the
// results of ResolveReference by platform (see PathPlatform).
//
// With want nil it behaves as ResolveOne, except that the ErrTagAmbiguous
// error of a tag with several images lists their platforms:
// "tag is ambiguous: NAME (platforms: linux/amd64, linux/arm64/v8)".
//
// With want set, only the results whose platform matches want (see
// MatchPlatform) count. None is ErrPlatformNotFound, naming the platforms
// the tag has; several are ErrTagAmbiguous, naming the ones that matched
// (e.g. linux/arm matching both linux/arm/v6 and linux/arm/v7). An unknown
// tag is ErrTagNotFound either way.
func (e Engine) ResolvePlatform(ctx context.Context, refname string, want *ispec.Platform) (DescriptorPath, error) {
	paths, err := e.ResolveReference(ctx, refname)
	if err != nil {
		return DescriptorPath{}, err
	}
	if len(paths) == 0 {
		return DescriptorPath{}, fmt.Errorf("%w: %s", ErrTagNotFound, refname)
	}
	if want == nil {
		if len(paths) == 1 {
			return paths[0], nil
		}
		return DescriptorPath{}, fmt.Errorf("%w: %s (platforms: %s)", ErrTagAmbiguous, refname, e.platformList(ctx, paths))
	}
	var matched []DescriptorPath
	for _, p := range paths {
		have, err := e.PathPlatform(ctx, p)
		if err != nil {
			return DescriptorPath{}, fmt.Errorf("resolve reference %s: %w", refname, err)
		}
		if MatchPlatform(*want, have) {
			matched = append(matched, p)
		}
	}
	switch len(matched) {
	case 0:
		return DescriptorPath{}, fmt.Errorf("%w %s: tag %s has %s", ErrPlatformNotFound, FormatPlatform(want), refname, e.platformList(ctx, paths))
	case 1:
		return matched[0], nil
	}
	return DescriptorPath{}, fmt.Errorf("%w: %s: %d images match platform %s (%s)",
		ErrTagAmbiguous, refname, len(matched), FormatPlatform(want), e.platformList(ctx, matched))
}

// platformList names the platforms of paths, comma separated, in order.
// A platform that cannot be read is named "unknown": this is for error
// messages only.
func (e Engine) platformList(ctx context.Context, paths []DescriptorPath) string {
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		have, err := e.PathPlatform(ctx, p)
		if err != nil {
			have = nil
		}
		names = append(names, FormatPlatform(have))
	}
	return strings.Join(names, ", ")
}

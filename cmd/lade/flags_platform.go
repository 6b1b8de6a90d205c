package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

// platformHelp is appended to the description of every command that takes
// --platform.
const platformHelp = `

--platform OS/ARCH[/VARIANT] picks one image when TAG names several (a
multi-platform index): the image whose index entry has that platform, or,
for an entry without one, whose configuration names it. Without VARIANT any
variant matches (arm64 without a variant counts as v8, arm as v7). Without
--platform, TAG must name exactly one image.`

// platformFlag is the --platform flag of the commands that resolve an image.
func platformFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "platform",
		Usage: "use the image for `OS/ARCH[/VARIANT]` of a multi-platform TAG",
	}
}

// platformFromFlag parses --platform; nil when it is not given.
func platformFromFlag(c *cli.Context) (*ispec.Platform, error) {
	if !c.IsSet("platform") {
		return nil, nil
	}
	p, err := casext.ParsePlatform(c.String("platform"))
	if err != nil {
		return nil, fmt.Errorf("invalid --platform: %w", err)
	}
	return &p, nil
}

// resolveImage resolves tag to one image path, choosing by platform when
// platform is set (see casext.Engine.ResolvePlatform). An ambiguous tag
// without --platform gets a hint to use it.
func resolveImage(ctx context.Context, engine casext.Engine, tag string, platform *ispec.Platform) (casext.DescriptorPath, error) {
	path, err := engine.ResolvePlatform(ctx, tag, platform)
	if err != nil {
		if platform == nil && errors.Is(err, casext.ErrTagAmbiguous) {
			return casext.DescriptorPath{}, fmt.Errorf("get descriptor: %w; pick one with --platform", err)
		}
		if errors.Is(err, casext.ErrTagNotFound) {
			return casext.DescriptorPath{}, fmt.Errorf("get descriptor: %w%s", err, knownTags(ctx, engine))
		}
		return casext.DescriptorPath{}, fmt.Errorf("get descriptor: %w", err)
	}
	return path, nil
}

// maxListedTags bounds the tags a tag-not-found error lists.
const maxListedTags = 10

// knownTags is the hint for a tag-not-found error: " (tags: a, b)", or
// " (no tags)", or "" when the tags cannot be listed.
func knownTags(ctx context.Context, engine casext.Engine) string {
	tags, err := engine.ListReferences(ctx)
	switch {
	case err != nil:
		return ""
	case len(tags) == 0:
		return " (no tags)"
	case len(tags) > maxListedTags:
		return fmt.Sprintf(" (tags: %s, and %d more)", strings.Join(tags[:maxListedTags], ", "), len(tags)-maxListedTags)
	}
	return " (tags: " + strings.Join(tags, ", ") + ")"
}

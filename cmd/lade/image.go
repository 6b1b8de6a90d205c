package main

import (
	"context"
	"errors"
	"fmt"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/casext"
)

// imageSelection is the image an image command works on: --image
// PATH[:TAG] and, for multi-platform indexes, --platform.
type imageSelection struct {
	imageRef
	platform *ispec.Platform
}

// selectImage parses --image and --platform.
func selectImage(c *cli.Context) (imageSelection, error) {
	ref, err := imageFromFlag(c)
	if err != nil {
		return imageSelection{}, err
	}
	platform, err := platformFromFlag(c)
	if err != nil {
		return imageSelection{}, err
	}
	return imageSelection{imageRef: ref, platform: platform}, nil
}

// open opens the selection's layout and resolves its image to one path.
// The caller closes the engine (defer closeEngine(engine, &err)); on error
// nothing is left open.
func (s imageSelection) open(ctx context.Context) (casext.Engine, casext.DescriptorPath, error) {
	engine, err := openEngine(ctx, s.Layout)
	if err != nil {
		return casext.Engine{}, casext.DescriptorPath{}, err
	}
	path, err := resolveImage(ctx, engine, s.Tag, s.platform)
	if err != nil {
		return casext.Engine{}, casext.DescriptorPath{}, errors.Join(err, engine.Close())
	}
	return engine, path, nil
}

// pathArg returns positional argument i, refusing an empty one; what names
// it in the error ("bundle path").
func pathArg(c *cli.Context, i int, what string) (string, error) {
	arg := c.Args().Get(i)
	if arg == "" {
		return "", fmt.Errorf("invalid %s: empty", what)
	}
	return arg, nil
}

// newTagFromFlag returns --tag when given (validated), else def.
func newTagFromFlag(c *cli.Context, def string) (string, error) {
	if !c.IsSet("tag") {
		return def, nil
	}
	tag := c.String("tag")
	if !casext.IsValidReferenceName(tag) {
		return "", fmt.Errorf("invalid --tag %q", tag)
	}
	return tag, nil
}

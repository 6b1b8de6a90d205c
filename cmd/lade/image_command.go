package main

import (
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/casext"
)

// openedImage is the image an image command reads, opened and resolved to
// one descriptor path, with the command's positional argument.
type openedImage struct {
	imageSelection
	engine casext.Engine
	path   casext.DescriptorPath
	// arg is the positional argument, for commands that take one.
	arg string
}

// openImageCommand is the prologue of the commands that read one image
// (stat, tag, unpack, raw unpack, raw runtime-config, export). It checks
// that there are nargs (0 or 1) positional arguments, as the command's
// ArgsUsage says; a path argument named argName must not be empty (an
// empty argName leaves the check to parse). It parses --image and
// --platform, calls parse for the command's own flags (nil for none) so
// that a bad flag fails before the layout is opened, then opens the layout
// and resolves the image. The caller closes it: defer img.close(&err).
func openImageCommand(c *cli.Context, nargs int, argName string, parse func() error) (*openedImage, error) {
	if err := checkArgs(c, nargs, c.Command.ArgsUsage); err != nil {
		return nil, err
	}
	sel, err := selectImage(c)
	if err != nil {
		return nil, err
	}
	img := &openedImage{imageSelection: sel, arg: c.Args().First()}
	if argName != "" {
		if img.arg, err = pathArg(c, 0, argName); err != nil {
			return nil, err
		}
	}
	if parse != nil {
		if err := parse(); err != nil {
			return nil, err
		}
	}
	if img.engine, img.path, err = sel.open(c.Context); err != nil {
		return nil, err
	}
	return img, nil
}

// close closes the image's engine, reporting a failure through errp when
// nothing else failed.
func (img *openedImage) close(errp *error) {
	closeEngine(img.engine, errp)
}

package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/pull"
	"github.com/lade-oci/lade/oci/transport"
)

// openedImage is the image an image command reads, opened and resolved to
// one descriptor path, with the command's positional argument.
type openedImage struct {
	imageSelection
	engine casext.Engine
	path   casext.DescriptorPath
	// arg is the positional argument, for commands that take one.
	arg string
	// display shows progress (--progress; quiet for commands without it).
	display *progress.Display
	// pull and src are set for an image read from a registry.
	pull *pull.Session
	src  transport.Source
	c    *cli.Context
}

// openImageCommand is the prologue of the commands that read one image
// (stat, tag, unpack, raw unpack, raw runtime-config, export). It checks
// that there are nargs (0 or 1) positional arguments, as the command's
// ArgsUsage says; a path argument named argName must not be empty (an
// empty argName leaves the check to parse). It parses --image and
// --platform, calls parse for the command's own flags (nil for none) so
// that a bad flag fails before the layout is opened, sets up the progress
// display, then opens the layout and resolves the image, or, for --image
// docker://... on a command that has --layout, starts pulling it (see
// remoteImageHelp). The caller closes it: defer img.close(&err).
func openImageCommand(c *cli.Context, nargs int, argName string, parse func() error) (*openedImage, error) {
	if err := checkArgs(c, nargs, c.Command.ArgsUsage); err != nil {
		return nil, err
	}
	var (
		sel    imageSelection
		remote transport.Name
		err    error
	)
	if isRemoteImage(c) {
		sel, remote, err = selectRemoteImage(c)
	} else {
		sel, err = selectImage(c)
	}
	if err != nil {
		return nil, err
	}
	img := &openedImage{imageSelection: sel, arg: c.Args().First(), c: c}
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
	if img.display, err = commandDisplay(c); err != nil {
		return nil, err
	}
	if remote.Transport != "" {
		err = img.openRemote(c, remote, img.display)
	} else {
		img.engine, img.path, err = sel.open(c.Context)
	}
	if err != nil {
		return nil, errors.Join(err, img.display.Close())
	}
	return img, nil
}

// commandDisplay is the progress display of a command with --progress, or
// a quiet one.
func commandDisplay(c *cli.Context) (*progress.Display, error) {
	if findFlag(c.Command.Flags, "progress") == nil {
		return progress.New(c.App.ErrWriter, progress.Options{Mode: progress.Quiet}), nil
	}
	return progressDisplay(c)
}

// close closes the image (tagging a pulled image when the command
// succeeded) and the progress display, reporting a failure through errp
// when nothing else failed.
func (img *openedImage) close(errp *error) {
	if err := img.display.Close(); err != nil && *errp == nil {
		*errp = err
	}
	if img.pull != nil {
		img.closeRemote(img.c, errp)
		return
	}
	closeEngine(img.engine, errp)
}

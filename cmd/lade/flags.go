package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/urfave/cli/v2"
)

// imageRef is a parsed --image PATH[:TAG] value.
type imageRef struct {
	Layout string
	Tag    string
}

// String gives back the PATH:TAG form.
func (r imageRef) String() string { return r.Layout + ":" + r.Tag }

// defaultTag is the tag used when --image has no ":TAG" part.
const defaultTag = "latest"

// parseImageRef parses PATH[:TAG]: it splits at the first ':', so layout
// paths cannot contain ':' while tags can. No ':' means tag "latest".
func parseImageRef(s string) (imageRef, error) {
	layout, tag, found := strings.Cut(s, ":")
	if !found {
		tag = defaultTag
	}
	if layout == "" {
		return imageRef{}, errors.New("invalid --image: path is empty")
	}
	if !casext.IsValidReferenceName(tag) {
		return imageRef{}, fmt.Errorf("invalid --image: invalid tag %q", tag)
	}
	return imageRef{Layout: layout, Tag: tag}, nil
}

// parseLayout validates a --layout value: non-empty and without ':'.
func parseLayout(s string) (string, error) {
	if s == "" {
		return "", errors.New("invalid --layout: path is empty")
	}
	if strings.Contains(s, ":") {
		return "", fmt.Errorf("invalid --layout %q: path may not contain ':'", s)
	}
	return s, nil
}

// imageFlag is the --image flag shared by the image commands.
func imageFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "image",
		Usage: "OCI image `PATH[:TAG]` (TAG defaults to \"latest\")",
	}
}

// layoutFlag is the --layout flag shared by the layout commands.
func layoutFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "layout",
		Usage: "OCI image layout `PATH`",
	}
}

// imageFromFlag parses the mandatory --image flag.
func imageFromFlag(c *cli.Context) (imageRef, error) {
	if !c.IsSet("image") {
		return imageRef{}, errors.New("missing mandatory argument: --image")
	}
	return parseImageRef(c.String("image"))
}

// layoutFromFlag parses the mandatory --layout flag.
func layoutFromFlag(c *cli.Context) (string, error) {
	if !c.IsSet("layout") {
		return "", errors.New("missing mandatory argument: --layout")
	}
	return parseLayout(c.String("layout"))
}

// checkArgs makes sure the command got exactly n positional arguments. usage
// names them for the error message (e.g. "<new-tag>"). urfave/cli stops
// parsing flags at the first positional argument, so a flag given after one
// would be silently taken as an argument: such a case is reported as such.
func checkArgs(c *cli.Context, n int, usage string) error {
	args := c.Args().Slice()
	if len(args) == n {
		return nil
	}
	if err := noFlagArgs(args); err != nil {
		return err
	}
	want := usage
	if n == 0 || want == "" {
		want = fmt.Sprintf("%d", n)
	}
	return fmt.Errorf("invalid number of positional arguments: expected %s, got %d", want, len(args))
}

// noFlagArgs refuses a positional argument that looks like a flag: urfave/cli
// stops parsing flags at the first positional argument, so a flag given
// after one would otherwise be taken as an argument.
func noFlagArgs(args []string) error {
	for _, a := range args {
		if len(a) > 1 && strings.HasPrefix(a, "-") {
			return fmt.Errorf("unexpected argument %q: flags must come before positional arguments", a)
		}
	}
	return nil
}

// openEngine opens the layout at path as a casext engine: an image archive
// (read-only) when path is a regular file, a layout directory otherwise.
func openEngine(ctx context.Context, layout string) (casext.Engine, error) {
	open := dir.Open
	if isArchive(layout) {
		open = openArchive
	}
	engine, err := open(ctx, layout)
	if err != nil {
		return casext.Engine{}, fmt.Errorf("open CAS: %w", err)
	}
	return casext.NewEngine(engine), nil
}

// closeEngine closes engine, reporting a close error through errp unless an
// earlier error is already there. Use as: defer closeEngine(engine, &err).
func closeEngine(engine casext.Engine, errp *error) {
	if err := engine.Close(); err != nil && *errp == nil {
		*errp = fmt.Errorf("close CAS: %w", err)
	}
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/validate"
	"github.com/urfave/cli/v2"
)

func init() { registerCommand(validateCommand()) }

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:     "validate",
		Usage:    "check the integrity of an OCI image layout or image",
		Category: categoryLayout,
		Description: `Check the OCI image layout given with --layout, or only the image given
with --image PATH[:TAG] (TAG defaults to "latest"); exactly one of the two.

The checks: index.json has schemaVersion 2; every blob reachable from it (or
from TAG's entries) is present and has the digest and size its descriptor
claims; indexes, manifests and configs parse; every manifest's config is an
image config with one diff_id per layer, and its layers have layer media
types. Blobs that nothing references are not read.

A valid layout prints nothing and exits 0. Otherwise each problem is printed
on standard output, one per line, naming the index.json entry and the
digests leading to it (at most 50 problems), and lade exits 1. A directory
that cannot be opened as a layout at all, or an unknown TAG, is an error as
for any other command.

No positional arguments.`,
		Flags:  []cli.Flag{layoutFlag(), imageFlag()},
		Action: runValidate,
	}
}

func runValidate(c *cli.Context) (err error) {
	if err := checkArgs(c, 0, ""); err != nil {
		return err
	}
	var layout, tag string
	switch {
	case c.IsSet("layout") && c.IsSet("image"):
		return errors.New("--layout and --image are mutually exclusive")
	case c.IsSet("image"):
		ref, err := imageFromFlag(c)
		if err != nil {
			return err
		}
		layout, tag = ref.Layout, ref.Tag
	default:
		if layout, err = layoutFromFlag(c); err != nil {
			return fmt.Errorf("%w (or --image)", err)
		}
	}
	engine, err := openEngine(c.Context, layout)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)

	if tag == "" {
		err = validate.Layout(c.Context, engine)
	} else {
		err = validate.Image(c.Context, engine, tag)
	}
	problems := validate.Problems(err)
	if problems == nil {
		return err
	}
	w := bufio.NewWriter(c.App.Writer)
	for _, p := range problems {
		// One line per problem, whatever the message holds.
		fmt.Fprintln(w, strings.ReplaceAll(p.Error(), "\n", "; "))
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write problems: %w", err)
	}
	if len(problems) == 1 {
		return errors.New("validate: 1 problem found")
	}
	return fmt.Errorf("validate: %d problems found", len(problems))
}

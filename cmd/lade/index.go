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

func init() {
	registerCommand(&cli.Command{
		Name:     "index",
		Usage:    "create and edit multi-platform image indexes",
		Category: categoryImage,
		Description: `Build an OCI image index (a multi-platform image, "manifest list") out of
images of the same layout, and add, replace, remove or list its entries.

Each entry of an index made here is the manifest of an image with the
platform of its configuration (os, architecture, variant, os.version and
os.features). The commands that resolve an image pick one entry of such an
index with --platform OS/ARCH[/VARIANT]; umoci, which cannot, reports the tag
as ambiguous. The source images keep their own tags; once the index holds
them they may be removed (rm), gc keeps what the index references.`,
		Subcommands: []*cli.Command{indexAddCommand(), indexCreateCommand(), indexLsCommand(), indexRemoveCommand()},
		Action:      groupAction("index"),
	})
}

// indexSourcesHelp is appended to the description of create and add.
const indexSourcesHelp = `

Each <source-tag> is a tag of the layout that must resolve to exactly one
image manifest (a tag on an index of one image gives that image); the entry
is that manifest with the platform of its image configuration, which must
name an os and architecture. A tag on an index of several images is refused
unless --nested is given: the index itself is then added as one entry,
without a platform (lade resolves through it; not every tool does).`

// nestedFlag is --nested of create and add.
func nestedFlag() cli.Flag {
	return &cli.BoolFlag{Name: "nested", Usage: "add a source tag that is an index of several images as a nested index entry"}
}

// sourceTags returns the positional <source-tag> arguments: at least one,
// each a valid tag.
func sourceTags(c *cli.Context) ([]string, error) {
	args := c.Args().Slice()
	if len(args) == 0 {
		return nil, errors.New("invalid number of positional arguments: expected at least one <source-tag>, got 0")
	}
	for _, a := range args {
		if len(a) > 1 && strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("unexpected argument %q: flags must come before positional arguments", a)
		}
		if !casext.IsValidReferenceName(a) {
			return nil, fmt.Errorf("invalid source tag %q", a)
		}
	}
	return args, nil
}

// indexEntries resolves the source tags to index entries (see
// casext.Engine.IndexEntry), with a hint for an index source.
func indexEntries(ctx context.Context, engine casext.Engine, tags []string, nested bool) ([]ispec.Descriptor, error) {
	entries := make([]ispec.Descriptor, 0, len(tags))
	for _, tag := range tags {
		d, err := engine.IndexEntry(ctx, tag, nested)
		if errors.Is(err, casext.ErrSourceIsIndex) {
			return nil, fmt.Errorf("%w; add it as a nested index with --nested, or one of its images (tag --platform)", err)
		}
		if err != nil {
			return nil, err
		}
		entries = append(entries, d)
	}
	return entries, nil
}

package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

func indexAddCommand() *cli.Command {
	return &cli.Command{
		Name:      "add",
		Usage:     "add or replace entries of an image index",
		ArgsUsage: "<source-tag>...",
		Description: `Add the images <source-tag>... to the OCI image index --image PATH[:TAG]
(TAG defaults to "latest"). An image replaces, in place, the entry with the
same platform (same os, architecture, variant, with arm64 meaning arm64/v8
and arm arm/v7, same os.version and os.features); an image whose platform is
new is appended. A nested index replaces an entry for the same index. Two
sources with the same platform are refused.

The index's other entries and its annotations are kept; the tag then points
at the new index (its entry goes to the end of index.json). Concurrent edits
of the same index are not lost. A Docker manifest list is not edited.` + indexSourcesHelp,
		Flags:  []cli.Flag{imageFlag(), nestedFlag()},
		Action: runIndexAdd,
	}
}

func runIndexAdd(c *cli.Context) (err error) {
	sources, err := sourceTags(c)
	if err != nil {
		return err
	}
	img, err := imageFromFlag(c)
	if err != nil {
		return err
	}
	engine, err := openEngine(c.Context, img.Layout)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)
	entries, err := indexEntries(c.Context, engine, sources, c.Bool("nested"))
	if err != nil {
		return err
	}
	desc, err := engine.EditIndex(c.Context, img.Tag, func(idx *ispec.Index) error {
		return casext.AddIndexEntries(idx, entries)
	})
	if err != nil {
		return indexEditError(err)
	}
	slog.InfoContext(c.Context, "added index entries", "tag", img.Tag, "digest", desc.Digest, "entries", len(entries))
	return nil
}

// indexEditError adds a hint to EditIndex errors a user can act on.
func indexEditError(err error) error {
	if errors.Is(err, casext.ErrNotIndex) {
		return fmt.Errorf("%w (create one with index create)", err)
	}
	return err
}

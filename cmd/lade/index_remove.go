package main

import (
	"errors"
	"log/slog"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

func indexRemoveCommand() *cli.Command {
	return &cli.Command{
		Name:    "remove",
		Aliases: []string{"rm"},
		Usage:   "remove the entries of a platform from an image index",
		Description: `Remove from the OCI image index --image PATH[:TAG] (TAG defaults to
"latest") every entry whose platform is --platform OS/ARCH[/VARIANT]
(mandatory). Without VARIANT any variant matches (arm64 without a variant
counts as v8, arm as v7). No entry matching is an error, and so is removing
every entry (remove the tag with rm instead). Entries without a platform
(nested indexes) never match.

The index's other entries and its annotations are kept; the tag then points
at the new index (its entry goes to the end of index.json). The removed
images' blobs stay until gc.

No positional arguments.`,
		Flags: []cli.Flag{
			imageFlag(),
			&cli.StringFlag{Name: "platform", Usage: "remove the entries for `OS/ARCH[/VARIANT]`"},
		},
		Action: runIndexRemove,
	}
}

func runIndexRemove(c *cli.Context) (err error) {
	if err := checkArgs(c, 0, ""); err != nil {
		return err
	}
	img, err := imageFromFlag(c)
	if err != nil {
		return err
	}
	if !c.IsSet("platform") {
		return errors.New("missing mandatory argument: --platform")
	}
	platform, err := platformFromFlag(c)
	if err != nil {
		return err
	}
	engine, err := openEngine(c.Context, img.Layout)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)
	removed := 0
	desc, err := engine.EditIndex(c.Context, img.Tag, func(idx *ispec.Index) error {
		n, err := casext.RemoveIndexEntries(idx, *platform)
		removed = n
		return err
	})
	if err != nil {
		return indexEditError(err)
	}
	slog.InfoContext(c.Context, "removed index entries", "tag", img.Tag, "digest", desc.Digest,
		"platform", casext.FormatPlatform(platform), "removed", removed)
	return nil
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

func indexLsCommand() *cli.Command {
	return &cli.Command{
		Name:    "ls",
		Aliases: []string{"list"},
		Usage:   "list the entries of an image index",
		Description: `Print the entries of the image index --image PATH[:TAG] (TAG defaults to
"latest"; an OCI image index or a Docker manifest list), in order, one per
line with tab-separated fields: platform, digest, size, media type.

The platform is OS/ARCH[/VARIANT], followed by ":" and the os.version and by
"+" and each os.feature when the entry has them. It is taken from the entry
or, for an image manifest entry without one, from its configuration, and is
"unknown" otherwise (e.g. a nested index).

--json prints instead the entries as one JSON array of OCI descriptors
("mediaType", "digest", "size", "platform", ...) as the index stores them.

No positional arguments.`,
		Flags: []cli.Flag{
			imageFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print the entries as a JSON array of descriptors"},
		},
		Action: runIndexLs,
	}
}

func runIndexLs(c *cli.Context) (err error) {
	if err := checkArgs(c, 0, ""); err != nil {
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
	root, idx, err := engine.TaggedIndex(c.Context, img.Tag)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		manifests := idx.Manifests
		if manifests == nil {
			manifests = []ispec.Descriptor{}
		}
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(manifests); err != nil {
			return fmt.Errorf("write index entries: %w", err)
		}
		return nil
	}
	w := bufio.NewWriter(c.App.Writer)
	for _, d := range idx.Manifests {
		platform, err := engine.PathPlatform(c.Context, casext.DescriptorPath{Walk: []ispec.Descriptor{root, d}})
		if err != nil {
			slog.WarnContext(c.Context, "cannot read the platform of an index entry", "digest", d.Digest, "error", err)
			platform = nil
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", casext.PlatformString(platform), d.Digest, d.Size, d.MediaType)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write index entries: %w", err)
	}
	return nil
}

package main

import (
	"fmt"
	"log/slog"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/bundle"
	"github.com/lade-oci/lade/oci/compress"
)

// repackCreatedBy is the created_by of repack's history entry (umoci's, for
// drop-in compatibility).
const repackCreatedBy = "umoci repack"

func init() { registerCommand(repackCommand()) }

func repackCommand() *cli.Command {
	return &cli.Command{
		Name:      "repack",
		Usage:     "repack an OCI runtime bundle into a reference",
		Category:  categoryImage,
		ArgsUsage: "<bundle>",
		Description: `Turn the changes made to <bundle>/rootfs since "unpack" into a new layer on
top of the image the bundle was unpacked from, and tag the result as TAG of
--image PATH[:TAG] (TAG defaults to "latest"; an existing tag is replaced).
The base image is the one recorded in <bundle>/umoci.json, not the one TAG
names: PATH must be the layout the bundle came from.

Changes are found by comparing rootfs with the bundle's mtree manifest; files
whose size, times and inode are unchanged since unpack are not read again.
The layer holds every added or changed file and a whiteout for every removed
one, with owners mapped back through the bundle's id mappings. If nothing
changed, no layer is added, only the history entry. The image's "created"
time is kept. A file whose name starts with ".wh." cannot be repacked.

--mask-path PATH (repeatable) leaves PATH and everything below it out of the
layer. The image's volumes are masked too, unless --no-mask-volumes.

--refresh-bundle updates the bundle afterwards (its mtree manifest and
umoci.json) so that the next repack makes a layer on top of this one.

--compress picks the layer compression: none, gzip, zstd, or auto (default:
the compression of the image's most recent compressed layer, else gzip).

A history entry (created_by "umoci repack", author the image's author) is
appended unless --no-history; its time is --history.created,
SOURCE_DATE_EPOCH or now. With SOURCE_DATE_EPOCH, layer times newer than it
are clamped to it, so the same tree gives the same layer.` + progressHelp,
		Flags:  repackFlags(),
		Action: runRepack,
	}
}

func repackFlags() []cli.Flag {
	flags := []cli.Flag{
		imageFlag(),
		&cli.StringSliceFlag{Name: "mask-path", Usage: "leave `PATH` (and everything below it) out of the layer (repeatable)"},
		&cli.BoolFlag{Name: "no-mask-volumes", Usage: "do not mask the image's volumes"},
		&cli.BoolFlag{Name: "refresh-bundle", Usage: "update the bundle so that the next repack builds on this one"},
		compressFlag(),
		compressLevelFlag(),
		progressFlag(),
	}
	return append(flags, historyFlags()...)
}

func runRepack(c *cli.Context) (err error) {
	if err := checkArgs(c, 1, "<bundle>"); err != nil {
		return err
	}
	ref, err := imageFromFlag(c)
	if err != nil {
		return err
	}
	bundlePath := c.Args().First()
	if bundlePath == "" {
		return fmt.Errorf("invalid bundle path: empty")
	}
	opts, err := repackOptionsFromFlags(c)
	if err != nil {
		return err
	}
	engine, err := openEngine(c.Context, ref.Layout)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)
	display, err := progressDisplay(c)
	if err != nil {
		return err
	}
	opts.Progress = display
	path, err := bundle.Repack(c.Context, engine, ref.Tag, bundlePath, opts)
	if cerr := display.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	slog.InfoContext(c.Context, "repacked bundle", "bundle", bundlePath, "image", ref.String(), "digest", path.Root().Digest)
	return nil
}

// repackOptionsFromFlags parses every flag but --image, failing early on a
// bad value before the layout is touched.
func repackOptionsFromFlags(c *cli.Context) (bundle.RepackOptions, error) {
	sde, err := sourceDateEpoch()
	if err != nil {
		return bundle.RepackOptions{}, err
	}
	history, err := layerHistory(c, repackCreatedBy)
	if err != nil {
		return bundle.RepackOptions{}, err
	}
	if _, err := compressFromFlag(c, nil); err != nil {
		return bundle.RepackOptions{}, err
	}
	return bundle.RepackOptions{
		MaskPaths:     c.StringSlice("mask-path"),
		NoMaskVolumes: c.Bool("no-mask-volumes"),
		RefreshBundle: c.Bool("refresh-bundle"),
		Compression: func(layers []ispec.Descriptor) (compress.Algorithm, error) {
			return compressFromFlag(c, layers)
		},
		History:         history,
		SourceDateEpoch: sde,
	}, nil
}

// layerHistory parses the history flags into a builder that fills in the
// image's author unless --history.author is given (nil for --no-history).
func layerHistory(c *cli.Context, createdBy string) (func(ispec.Image) (*ispec.History, error), error) {
	h, err := historyFromFlags(c, createdBy, "")
	if err != nil || h == nil {
		return nil, err
	}
	explicitAuthor := c.IsSet("history.author")
	return func(img ispec.Image) (*ispec.History, error) {
		out := *h
		if !explicitAuthor {
			out.Author = img.Author
		}
		return &out, nil
	}, nil
}

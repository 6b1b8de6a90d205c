package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/layer"
)

// insertCreatedBy is the created_by of insert's history entry (umoci's).
const insertCreatedBy = "umoci insert"

func init() { registerCommand(insertCommand()) }

func insertCommand() *cli.Command {
	return &cli.Command{
		Name:      "insert",
		Usage:     "insert content into an OCI image as a new layer",
		Category:  categoryImage,
		ArgsUsage: "<source> <target> [<source> <target>]...\n   --whiteout <target>\n   --whiteout-target <target> [--whiteout-target <target>]...",
		Description: `Add a layer to the image --image PATH[:TAG] (TAG defaults to "latest") that
puts the host file or directory <source> at the in-image path <target>, and
point --tag NEW (default: TAG) at the result. A TAG pointing at an index stays
an index. A directory is added recursively; symlinks are stored as they are
and hardlinks within <source> stay hardlinks. <target>'s parent directories
are not added to the layer.

Several <source> <target> pairs (an extension: umoci takes one) go into the
same single layer, in the order given; where targets overlap the later pair
wins, as if inserted one after the other.

--opaque first hides whatever lower layers have under <target> (an opaque
whiteout), so that <target> ends up with exactly <source>'s content. With
several pairs it applies to each <target>; it never hides what an earlier
pair of the same command wrote.

--whiteout <target> adds a layer that only deletes <target>, as umoci does.
--whiteout-target <target> (an extension, repeatable; no positional
arguments) adds one layer that deletes every <target> given.

Owners are taken from <source> and mapped back through --uid-map and
--gid-map (container:host[:size], repeatable). --rootless makes every owner
0:0 unless a user.rootlesscontainers xattr says otherwise, and implies
--uid-map 0:$EUID:1 --gid-map 0:$EGID:1 unless those are given.

--compress picks the layer compression: none, gzip, zstd, or auto (default:
the compression of the image's most recent compressed layer, else gzip).

A history entry (created_by "umoci insert", no author unless
--history.author) is appended unless --no-history; its time is
--history.created, SOURCE_DATE_EPOCH or now. With SOURCE_DATE_EPOCH, layer
times newer than it are clamped to it. The image's "created" time is kept.` + platformHelp,
		Flags:  insertFlags(),
		Action: runInsert,
	}
}

func insertFlags() []cli.Flag {
	flags := []cli.Flag{
		imageFlag(),
		platformFlag(),
		&cli.StringFlag{Name: "tag", Usage: "tag the result as `NEW` instead of overwriting the source tag"},
		&cli.BoolFlag{Name: "opaque", Usage: "hide what lower layers have under the target (opaque whiteout)"},
		&cli.BoolFlag{Name: "whiteout", Usage: "add a layer that deletes the target (the one positional argument)"},
		&cli.StringSliceFlag{Name: "whiteout-target", Usage: "add a layer that deletes `TARGET` (repeatable: one layer deleting them all)"},
	}
	flags = append(flags, mapFlags()...)
	flags = append(flags, compressFlag(), compressLevelFlag())
	return append(flags, historyFlags()...)
}

func runInsert(c *cli.Context) error {
	sources, targets, err := insertArgs(c)
	if err != nil {
		return err
	}
	e, err := parseLayerEdit(c, insertCreatedBy)
	if err != nil {
		return err
	}
	for _, s := range sources {
		if _, err := os.Lstat(s.Source); err != nil {
			return fmt.Errorf("insert source: %w", err)
		}
	}

	opts := &layer.RepackOptions{MapOptions: e.maps, SourceDateEpoch: e.sde}
	opaque := c.Bool("opaque")
	job := layerJob{image: e.image, newTag: e.newTag}
	if e.history != nil {
		job.history = func(ispec.Image) (*ispec.History, error) { return e.history, nil }
	}
	job.generate = func(w io.Writer) error {
		if targets != nil {
			return layer.GenerateWhiteoutLayer(c.Context, w, targets...)
		}
		return layer.GenerateInsertLayers(c.Context, w, sources, opaque, opts)
	}
	return job.run(c)
}

// insertArgs reads what the layer holds: the targets to delete (the one
// positional argument of --whiteout, or every --whiteout-target), else the
// <source> <target> pairs. None may be empty.
func insertArgs(c *cli.Context) ([]layer.InsertSource, []string, error) {
	args := c.Args().Slice()
	if err := noFlagArgs(args); err != nil {
		return nil, nil, err
	}
	whiteout, multi := c.Bool("whiteout"), c.IsSet("whiteout-target")
	switch {
	case whiteout && multi:
		return nil, nil, errors.New("--whiteout and --whiteout-target are mutually exclusive")
	case (whiteout || multi) && c.Bool("opaque"):
		return nil, nil, errors.New("--opaque and a whiteout are mutually exclusive")
	case whiteout && len(args) != 1:
		return nil, nil, fmt.Errorf("invalid number of positional arguments: expected <target> with --whiteout, got %d", len(args))
	case multi && len(args) != 0:
		return nil, nil, fmt.Errorf("invalid number of positional arguments: expected none with --whiteout-target, got %d", len(args))
	}
	if whiteout || multi {
		targets := args
		if multi {
			targets = c.StringSlice("whiteout-target")
		}
		for _, t := range targets {
			if t == "" {
				return nil, nil, errors.New("invalid target: empty")
			}
		}
		return nil, targets, nil
	}
	if len(args) == 0 || len(args)%2 != 0 {
		return nil, nil, fmt.Errorf("invalid number of positional arguments: expected <source> <target> [<source> <target>]..., got %d", len(args))
	}
	var sources []layer.InsertSource
	for i := 0; i < len(args); i += 2 {
		if args[i] == "" {
			return nil, nil, errors.New("invalid source: empty")
		}
		if args[i+1] == "" {
			return nil, nil, errors.New("invalid target: empty")
		}
		sources = append(sources, layer.InsertSource{Source: args[i], Target: args[i+1]})
	}
	return sources, nil, nil
}

package main

import (
	"log/slog"

	"github.com/lade-oci/lade/bundle"
	"github.com/urfave/cli/v2"
)

func init() { registerRawSubcommand(rawUnpackCommand()) }

func rawUnpackCommand() *cli.Command {
	return &cli.Command{
		Name:      "unpack",
		Usage:     "unpack the root filesystem of a reference into a directory",
		ArgsUsage: "<rootfs>",
		Description: `Extract the layers of the image --image PATH[:TAG] (TAG defaults to
"latest") into the directory <rootfs>, and nothing else: no config.json, mtree
manifest or umoci.json are written, so the result cannot be repacked.

<rootfs> is created if missing (with missing parents, mode 0755). An existing
empty directory is used as it is; an existing non-empty directory or a
non-directory is refused (umoci extracts over existing files). Every layer is
checked against its digest and its diff_id. If anything fails, <rootfs> is
removed again (or emptied again, if it existed).

--rootless, --uid-map, --gid-map, --keep-dirlinks, --progress,
SOURCE_DATE_EPOCH and --image docker://... (with --layout and the registry
flags) work as for "unpack".` + platformHelp,
		Flags:  unpackFlags(),
		Action: runRawUnpack,
	}
}

func runRawUnpack(c *cli.Context) (err error) {
	var opts bundle.UnpackOptions
	img, err := openImageCommand(c, 1, "rootfs path", func() (err error) {
		opts, err = unpackOptionsFromFlags(c)
		return err
	})
	if err != nil {
		return err
	}
	defer img.close(&err)
	opts.Progress = img.display
	if err := bundle.UnpackRootfs(c.Context, img.engine, img.path, img.arg, opts); err != nil {
		return err
	}
	slog.InfoContext(c.Context, "unpacked rootfs", "image", img.String(), "rootfs", img.arg)
	return nil
}

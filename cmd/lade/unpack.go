package main

import (
	"log/slog"

	"github.com/lade-oci/lade/bundle"
	"github.com/urfave/cli/v2"
)

func init() { registerCommand(unpackCommand()) }

func unpackCommand() *cli.Command {
	return &cli.Command{
		Name:      "unpack",
		Usage:     "unpack a reference into an OCI runtime bundle",
		Category:  categoryImage,
		ArgsUsage: "<bundle>",
		Description: `Extract the image --image PATH[:TAG] (TAG defaults to "latest") into the
OCI runtime bundle <bundle>, which "runc run" can start and "repack" can later
turn into a new layer.

<bundle> is created if missing (with missing parents) and its mode is set to
0700. It must not already contain config.json or rootfs; other files are left
alone. The bundle gets:

   rootfs/              the image's layers applied in order
   config.json          the runtime configuration generated from the image
                        configuration
   sha256_<hex>.mtree   a manifest of rootfs, used by repack to find changes
   umoci.json           the image the bundle came from and the id mappings

Every layer is checked against its digest and its diff_id. If anything fails,
everything unpack created is removed again, so the same command can be retried.

Directories that no layer has an entry for (missing parents) get the time of
the unpack, as with umoci, or SOURCE_DATE_EPOCH when it is set, so that two
unpacks of one image give identical trees and mtree manifests.

--rootless unpacks without privileges: owners are recorded in the
user.rootlesscontainers xattr instead of being applied, and device nodes are
replaced by empty files. It implies --uid-map 0:$EUID:1 and --gid-map
0:$EGID:1 unless those are given. A non-root user must pass --rootless.

--uid-map and --gid-map (container:host[:size], repeatable) map the owners in
the image to host owners, and add a user namespace with those mappings to
config.json.

--keep-dirlinks keeps an existing symlink to a directory when a later layer
has a directory at that path, and writes through the symlink (like rsync's
--keep-dirlinks).` + progressHelp + remoteImageHelp + platformHelp,
		Flags:  unpackFlags(),
		Action: runUnpack,
	}
}

// unpackFlags are the flags of unpack and raw unpack.
func unpackFlags() []cli.Flag {
	flags := []cli.Flag{imageFlag(), platformFlag()}
	flags = append(flags, mapFlags()...)
	flags = append(flags, &cli.BoolFlag{
		Name:  "keep-dirlinks",
		Usage: "keep existing symlinks to directories and write through them (like rsync --keep-dirlinks)",
	}, progressFlag())
	return append(flags, remoteImageFlags()...)
}

// unpackOptionsFromFlags parses the map flags, --keep-dirlinks and
// SOURCE_DATE_EPOCH.
func unpackOptionsFromFlags(c *cli.Context) (bundle.UnpackOptions, error) {
	mo, err := mapOptionsFromFlags(c)
	if err != nil {
		return bundle.UnpackOptions{}, err
	}
	sde, err := sourceDateEpoch()
	if err != nil {
		return bundle.UnpackOptions{}, err
	}
	return bundle.UnpackOptions{MapOptions: mo, KeepDirlinks: c.Bool("keep-dirlinks"), SourceDateEpoch: sde}, nil
}

func runUnpack(c *cli.Context) (err error) {
	var opts bundle.UnpackOptions
	img, err := openImageCommand(c, 1, "bundle path", func() (err error) {
		opts, err = unpackOptionsFromFlags(c)
		return err
	})
	if err != nil {
		return err
	}
	defer img.close(&err)
	opts.Progress = img.display
	if err := bundle.Unpack(c.Context, img.engine, img.path, img.arg, opts); err != nil {
		return err
	}
	slog.InfoContext(c.Context, "unpacked image", "image", img.String(), "bundle", img.arg)
	return nil
}

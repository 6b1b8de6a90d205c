package main

import (
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/bundle"
	"github.com/lade-oci/lade/oci/compress"
)

func init() { registerCommand(exportCommand()) }

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write the flattened root filesystem of an image as one tar archive",
		Category:  categoryImage,
		ArgsUsage: "<output>",
		Description: `Write the root filesystem of the image --image PATH[:TAG] (TAG defaults to
"latest") as one tar archive to <output>, or to standard output when
<output> is "-" (like "crane export"). Every layer is applied in order and
whiteouts are resolved, so the archive holds the image's final files and no
".wh." entries.

The layers are unpacked into a private temporary directory next to <output>
(in $TMPDIR for "-"), which is always removed, also on error or interrupt.
<output> is written to a temporary file and renamed into place (mode 0644),
so it is either left untouched or complete; an existing file is replaced.

The archive is reproducible: entries are sorted by path with "." first,
hardlinks stay hardlinks, xattrs are kept as PAX records, user and group
names are blank and times are whole seconds without access or change times.
Exporting the same image twice gives the same bytes. A directory that no
layer has an entry for gets the time of the export; SOURCE_DATE_EPOCH
clamps every newer time to it, which makes such archives reproducible too.

--rootless unpacks without privileges: owners are kept in the
user.rootlesscontainers xattr and written back into the archive, but device
nodes become empty regular files. It implies --uid-map 0:$EUID:1 and
--gid-map 0:$EGID:1 unless those are given. A non-root user must pass
--rootless.

--uid-map and --gid-map (container:host[:size], repeatable) map the owners in
the image to host owners for the temporary tree; the archive has the
image's owners.

--compress compresses the archive: none (default), gzip or zstd.` + platformHelp,
		Flags:  exportFlags(),
		Action: runExport,
	}
}

func exportFlags() []cli.Flag {
	flags := []cli.Flag{imageFlag(), platformFlag()}
	flags = append(flags, mapFlags()...)
	return append(flags, &cli.StringFlag{
		Name:  "compress",
		Value: compress.None.Name(),
		Usage: "compression of the archive: none, gzip or zstd",
	}, &cli.IntFlag{
		Name:  "compress-level",
		Usage: "compression effort of the archive: gzip 1 to 9, zstd 1 to 22; 0 is the default",
	})
}

func runExport(c *cli.Context) (err error) {
	var opts bundle.ExportOptions
	img, err := openImageCommand(c, 1, "output path", func() (err error) {
		opts, err = exportOptionsFromFlags(c)
		return err
	})
	if err != nil {
		return err
	}
	defer img.close(&err)
	if img.arg == "-" {
		err = bundle.Export(c.Context, img.engine, img.path, c.App.Writer, opts)
	} else {
		err = bundle.ExportFile(c.Context, img.engine, img.path, img.arg, opts)
	}
	if err != nil {
		return err
	}
	slog.InfoContext(c.Context, "exported image", "image", img.String(), "output", img.arg)
	return nil
}

// exportOptionsFromFlags parses --compress, --compress-level, the map flags
// and SOURCE_DATE_EPOCH.
func exportOptionsFromFlags(c *cli.Context) (bundle.ExportOptions, error) {
	alg, err := compress.ByName(c.String("compress"))
	if err != nil {
		return bundle.ExportOptions{}, fmt.Errorf("invalid --compress value %q: %w", c.String("compress"), err)
	}
	if alg, err = compress.WithLevel(alg, c.Int("compress-level")); err != nil {
		return bundle.ExportOptions{}, fmt.Errorf("invalid --compress-level %d: %w", c.Int("compress-level"), err)
	}
	mo, err := mapOptionsFromFlags(c)
	if err != nil {
		return bundle.ExportOptions{}, err
	}
	sde, err := sourceDateEpoch()
	if err != nil {
		return bundle.ExportOptions{}, err
	}
	return bundle.ExportOptions{MapOptions: mo, SourceDateEpoch: sde, Compression: alg}, nil
}

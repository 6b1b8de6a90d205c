package main

import (
	"log/slog"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/urfave/cli/v2"
)

func init() { registerCommand(initCommand()) }

func initCommand() *cli.Command {
	return &cli.Command{
		Name:     "init",
		Usage:    "create a new OCI image layout",
		Category: categoryLayout,
		Description: `Create an empty OCI image layout at the path given with --layout: an
oci-layout file, an index.json without manifests and an empty blobs/sha256
directory. The path must not exist yet; missing parent directories are
created. Use "new" to add a blank image to the layout.

No positional arguments.`,
		Flags: []cli.Flag{layoutFlag()},
		Action: func(c *cli.Context) error {
			if err := checkArgs(c, 0, ""); err != nil {
				return err
			}
			layout, err := layoutFromFlag(c)
			if err != nil {
				return err
			}
			// dir.Create's errors already read "create layout: ...".
			if err := dir.Create(c.Context, layout); err != nil {
				return err
			}
			slog.InfoContext(c.Context, "created new OCI image layout", "path", layout)
			return nil
		},
	}
}

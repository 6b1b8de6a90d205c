package main

import (
	"log/slog"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand(rmCommand()) }

func rmCommand() *cli.Command {
	return &cli.Command{
		Name:     "remove",
		Aliases:  []string{"rm"},
		Usage:    "remove a tag from an OCI image layout",
		Category: categoryImage,
		Description: `Remove the tag TAG of --image PATH[:TAG] (default "latest") from the layout's
index.json. Removing a tag that does not exist succeeds. The image's blobs are
left in the layout until "gc" removes the ones no longer reachable.

No positional arguments.`,
		Flags: []cli.Flag{imageFlag()},
		Action: func(c *cli.Context) (err error) {
			if err := checkArgs(c, 0, ""); err != nil {
				return err
			}
			ref, err := imageFromFlag(c)
			if err != nil {
				return err
			}
			engine, err := openEngine(c.Context, ref.Layout)
			if err != nil {
				return err
			}
			defer closeEngine(engine, &err)
			if err := engine.DeleteReference(c.Context, ref.Tag); err != nil {
				return err
			}
			slog.InfoContext(c.Context, "removed tag", "tag", ref.Tag)
			return nil
		},
	}
}

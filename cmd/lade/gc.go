package main

import (
	"github.com/urfave/cli/v2"
)

func init() { registerCommand(gcCommand()) }

func gcCommand() *cli.Command {
	return &cli.Command{
		Name:     "gc",
		Usage:    "remove unreferenced blobs from an OCI image layout",
		Category: categoryLayout,
		Description: `Delete every blob of the layout given with --layout that cannot be reached
from an entry of its index.json (tagged or not), following indexes,
manifests (OCI and Docker) and configs, then remove temporary files left by
dead processes. gc waits until no other lade process has the layout open.

Blobs referenced only by an unpacked bundle (a removed tag) are deleted: a
later repack of that bundle then fails.

--dry-run deletes nothing: it prints the digest of every blob gc would
delete, one per line, sorted. It does not wait for other processes. With
--verbose both report how many blobs and bytes are (or would be) freed.

No positional arguments.`,
		Flags: []cli.Flag{
			layoutFlag(),
			&cli.BoolFlag{Name: "dry-run", Usage: "print the digests of the blobs gc would delete, delete nothing"},
		},
		Action: func(c *cli.Context) (err error) {
			if err := checkArgs(c, 0, ""); err != nil {
				return err
			}
			layout, err := layoutFromFlag(c)
			if err != nil {
				return err
			}
			engine, err := openEngine(c.Context, layout)
			if err != nil {
				return err
			}
			defer closeEngine(engine, &err)
			if c.Bool("dry-run") {
				return gcDryRun(c, engine)
			}
			_, err = engine.GC(c.Context)
			return err
		},
	}
}

package main

import (
	"bufio"
	"fmt"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand(lsCommand()) }

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:     "list",
		Aliases:  []string{"ls"},
		Usage:    "list the tags of an OCI image layout",
		Category: categoryLayout,
		Description: `Print the tags of the OCI image layout given with --layout, one per line, in
the order of the layout's index.json. Entries without a tag are skipped and a
tag present more than once is printed each time.

--json prints instead one JSON array, for scripts: an object per tagged
entry, in the same order, with "tag", "digest", "mediaType" and "size" of the
entry's descriptor, and "platform" (an OCI platform object: "os",
"architecture", optional "variant"...) taken from the descriptor or, for an
image manifest without one, from its configuration; "platform" is omitted
when unknown, e.g. for a multi-platform index (see --platform on the image
commands). An empty layout prints [].

No positional arguments.`,
		Flags: []cli.Flag{
			layoutFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print the tags as a JSON array of objects with their digests and platforms"},
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
			if c.Bool("json") {
				return lsJSON(c, engine)
			}
			names, err := engine.ListReferences(c.Context)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(c.App.Writer)
			for _, name := range names {
				fmt.Fprintln(w, name)
			}
			if err := w.Flush(); err != nil {
				return fmt.Errorf("write tags: %w", err)
			}
			return nil
		},
	}
}

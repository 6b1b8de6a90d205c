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

No positional arguments.`,
		Flags: []cli.Flag{layoutFlag()},
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

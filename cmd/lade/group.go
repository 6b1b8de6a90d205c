package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// groupAction is the action of a command group such as "raw" or "index":
// without arguments it shows the group's help; an argument that is not one
// of its subcommands is an error (urfave/cli would otherwise print nothing
// and exit 0).
func groupAction(group string) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Args().Present() {
			return fmt.Errorf("unknown command \"%s %s\" (see '%s %s --help')", group, c.Args().First(), c.App.Name, group)
		}
		return cli.ShowSubcommandHelp(c)
	}
}

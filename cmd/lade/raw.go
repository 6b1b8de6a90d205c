package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// rawCommand is the "raw" parent command. It is a package variable
// (initialised before any init function runs) so that raw subcommands can
// register from their own files' init functions in any order.
var rawCommand = &cli.Command{
	Name:     "raw",
	Usage:    "advanced internal image tooling",
	Category: categoryImage,
	Description: `Lower-level commands that work on parts of an image or bundle: extract only
the root filesystem, generate only the runtime configuration, add a layer tar
as it is, or check a tree against an mtree manifest.`,
	Action: groupAction("raw"),
}

func init() {
	registerCommand(rawCommand)
}

// registerRawSubcommand adds a subcommand to "raw", keeping the
// subcommands sorted by name. Call it from an init function.
func registerRawSubcommand(c *cli.Command) {
	subs := append(rawCommand.Subcommands, c)
	slices.SortFunc(subs, func(a, b *cli.Command) int { return strings.Compare(a.Name, b.Name) })
	rawCommand.Subcommands = subs
}

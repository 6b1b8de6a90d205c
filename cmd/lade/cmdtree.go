package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// cmdNode is one visible command of lade's command tree: the man pages and
// shell completion walk the tree so that every registered command gets a
// page and completion without being listed anywhere else.
type cmdNode struct {
	path []string // names from the top: ["index", "create"]
	cmd  *cli.Command
}

// key is the command path as typed after "lade": "index create".
func (n cmdNode) key() string { return strings.Join(n.path, " ") }

// commandTree returns the visible commands of cmds and, after each, its
// subcommands, in the order of cmds; the built-in help command and hidden
// commands are left out.
func commandTree(cmds []*cli.Command, parent []string) []cmdNode {
	var out []cmdNode
	for _, cmd := range cmds {
		if cmd.Hidden || cmd.Name == "help" {
			continue
		}
		path := append(append([]string(nil), parent...), cmd.Name)
		out = append(out, cmdNode{path: path, cmd: cmd})
		out = append(out, commandTree(cmd.Subcommands, path)...)
	}
	return out
}

// visibleSubcommands returns cmds without hidden ones and help.
func visibleSubcommands(cmds []*cli.Command) []*cli.Command {
	var out []*cli.Command
	for _, c := range cmds {
		if !c.Hidden && c.Name != "help" {
			out = append(out, c)
		}
	}
	return out
}

// commandFlags returns the flags that cmd's --help lists: its visible flags
// and, unless hidden, --help (which urfave/cli adds when the command runs).
func commandFlags(cmd *cli.Command) []cli.Flag {
	flags := cmd.VisibleFlags()
	if cmd.HideHelp || cli.HelpFlag == nil || findFlag(cmd.Flags, cli.HelpFlag.Names()[0]) != nil {
		return flags
	}
	return append(flags, cli.HelpFlag)
}

// findFlag returns the flag of flags (hidden ones included) called name.
func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue reports whether f is given a value (--flag VALUE).
func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// flagUsage is f's help line split into its names with placeholder
// ("--image PATH[:TAG]") and its usage with default, exactly as --help
// prints them.
func flagUsage(f cli.Flag) (names, usage string) {
	names, usage, _ = strings.Cut(f.String(), "\t")
	return names, usage
}

// dashed is a flag name as typed: "--name", or "-n" for one letter.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

package main

import "github.com/urfave/cli/v2"

// helpArgs rewrites a command line that asks for a command's help with
// --help or -h among its arguments ("lade copy a b --help", "lade unpack
// --help bundle") into "lade [GLOBAL...] COMMAND [SUBCOMMAND] --help":
// urfave/cli would take the first positional argument for a help topic and
// print nothing. For umoci's commands --help counts only before the first
// positional argument (after it, it is a misplaced flag, as any other);
// skopeo's commands take it anywhere, as skopeo does. "--" ends the search.
// Any other command line is returned unchanged.
func helpArgs(app *cli.App, args []string) []string {
	i, cmd := commandAt(app, args)
	if cmd == nil {
		return args
	}
	end := i + 1
	if end < len(args) {
		if sub := findCommand(cmd.Subcommands, args[end]); sub != nil {
			cmd, end = sub, end+1
		}
	}
	interspersed := skopeoCommands[cmd.Name]
	for j := end; j < len(args); {
		a := args[j]
		switch {
		case a == "--":
			return args
		case a == "--help" || a == "-h":
			return append(append([]string(nil), args[:end]...), "--help")
		case !isFlagArg(a):
			if !interspersed {
				return args
			}
			j++
		default:
			j += flagArity(cmd.Flags, a)
		}
	}
	return args
}

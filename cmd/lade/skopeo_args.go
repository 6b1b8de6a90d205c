package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// skopeoCommands names the commands that take skopeo's command line
// (copy, inspect, list-tags, delete, login, logout). Like skopeo (cobra),
// they accept flags anywhere among their arguments, and skopeo's global
// flags after the command name too. umoci's commands keep umoci's rule:
// flags before positional arguments.
var skopeoCommands = map[string]bool{}

// registerSkopeoCommand registers a command that takes skopeo's command
// line (see skopeoCommands).
func registerSkopeoCommand(cmd *cli.Command) {
	skopeoCommands[cmd.Name] = true
	registerCommand(cmd)
}

// reorderSkopeoArgs rewrites the command line of a skopeo-style command
// into the order urfave/cli parses: global flags, the command name, its
// flags, then its positional arguments. A global flag found after the
// command name moves before it; "--" ends flag parsing as usual and stays
// in place. Any other command line is returned unchanged.
func reorderSkopeoArgs(app *cli.App, args []string) []string {
	i, cmd := commandAt(app, args)
	if cmd == nil || !skopeoCommands[cmd.Name] {
		return args
	}
	global := append([]string(nil), args[1:i]...)
	var flags, positional []string
	rest := args[i+1:]
	for j := 0; j < len(rest); {
		a := rest[j]
		if a == "--" {
			positional = append(positional, rest[j:]...)
			break
		}
		if !isFlagArg(a) {
			positional = append(positional, a)
			j++
			continue
		}
		n := 1
		dst := &flags
		if hasFlag(cmd.Flags, a) || !hasFlag(app.Flags, a) {
			n = flagArity(cmd.Flags, a)
		} else {
			n, dst = flagArity(app.Flags, a), &global
		}
		if j+n > len(rest) {
			// A flag missing its value: leave it last, so that urfave/cli
			// reports "flag needs an argument" instead of taking a
			// positional argument as the value.
			return append(append(append([]string{args[0]}, global...), args[i]), append(flags, a)...)
		}
		*dst = append(*dst, rest[j:j+n]...)
		j += n
	}
	out := append([]string{args[0]}, global...)
	out = append(out, args[i])
	out = append(out, flags...)
	return append(out, positional...)
}

// commandAt finds the command of a command line: its index in args, after
// the global flags, and the command it names (nil when there is none, or
// when "--" comes first).
func commandAt(app *cli.App, args []string) (int, *cli.Command) {
	i := 1
	for i < len(args) && isFlagArg(args[i]) {
		if args[i] == "--" {
			return i, nil
		}
		i += flagArity(app.Flags, args[i])
	}
	if i >= len(args) {
		return i, nil
	}
	return i, findCommand(app.Commands, args[i])
}

// isFlagArg reports whether a looks like a flag ("-x", "--x", "--"), not
// a positional argument ("-" is standard input).
func isFlagArg(a string) bool {
	return len(a) > 1 && a[0] == '-'
}

// flagName returns the name of flag argument a without dashes and value.
func flagName(a string) (name string, hasValue bool) {
	name = strings.TrimLeft(a, "-")
	name, _, hasValue = strings.Cut(name, "=")
	return name, hasValue
}

// hasFlag reports whether flag argument a names one of flags.
func hasFlag(flags []cli.Flag, a string) bool {
	name, _ := flagName(a)
	return findFlag(flags, name) != nil
}

// flagArity is how many arguments flag argument a takes up: 1 for a
// boolean flag, an unknown flag (left for urfave/cli to report) or
// "--name=value"; 2 for a flag that takes its value from the next
// argument.
func flagArity(flags []cli.Flag, a string) int {
	name, hasValue := flagName(a)
	if hasValue {
		return 1
	}
	if f := findFlag(flags, name); f != nil && takesValue(f) {
		return 2
	}
	return 1
}

// findCommand returns the command named (or aliased) name.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

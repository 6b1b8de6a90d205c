package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli computes a flag's names on every call of Names, with a regular
// expression (it strips a v1-style "name, alias" suffix), and calls it for
// every flag of the command each time it looks one up: running a command
// checks IsSet for each of its flags (for flag actions), so a command with
// n flags does n² regexp replacements before its action starts (config,
// with ~40 flags counting the global ones: ~0.9 ms of CPU per call). The
// wrappers below answer Names from a list computed once; every other
// method, and so every interface urfave/cli and lade ask of a flag, is the
// wrapped flag's own.

type namedBool struct {
	*cli.BoolFlag
	names []string
}

func (f *namedBool) Names() []string { return f.names }

type namedString struct {
	*cli.StringFlag
	names []string
}

func (f *namedString) Names() []string { return f.names }

type namedStringSlice struct {
	*cli.StringSliceFlag
	names []string
}

func (f *namedStringSlice) Names() []string { return f.names }

type namedInt struct {
	*cli.IntFlag
	names []string
}

func (f *namedInt) Names() []string { return f.names }

type namedDuration struct {
	*cli.DurationFlag
	names []string
}

func (f *namedDuration) Names() []string { return f.names }

type namedGeneric struct {
	*cli.GenericFlag
	names []string
}

func (f *namedGeneric) Names() []string { return f.names }

// withCachedNames returns f wrapped so that Names is computed once; flags
// of other types (and flags already wrapped) are returned as they are.
func withCachedNames(f cli.Flag) cli.Flag {
	switch f := f.(type) {
	case *cli.BoolFlag:
		return &namedBool{f, flagNames(f.Name, f.Aliases)}
	case *cli.StringFlag:
		return &namedString{f, flagNames(f.Name, f.Aliases)}
	case *cli.StringSliceFlag:
		return &namedStringSlice{f, flagNames(f.Name, f.Aliases)}
	case *cli.IntFlag:
		return &namedInt{f, flagNames(f.Name, f.Aliases)}
	case *cli.DurationFlag:
		return &namedDuration{f, flagNames(f.Name, f.Aliases)}
	case *cli.GenericFlag:
		return &namedGeneric{f, flagNames(f.Name, f.Aliases)}
	}
	return f
}

// flagNames is cli.FlagNames without its regexp ("[, ]+.*" replaced by
// nothing): each name is cut at its first comma or space.
func flagNames(name string, aliases []string) []string {
	names := make([]string, 0, 1+len(aliases))
	for _, n := range append([]string{name}, aliases...) {
		if i := strings.IndexAny(n, ", "); i >= 0 {
			n = n[:i]
		}
		names = append(names, n)
	}
	return names
}

// cacheFlagNames wraps every flag of flags in place (withCachedNames). The
// command tree is shared by every app newApp builds: only the first call
// writes.
func cacheFlagNames(flags []cli.Flag) {
	for i, f := range flags {
		if w := withCachedNames(f); w != f {
			flags[i] = w
		}
	}
}

// cacheGlobalFlagNames wraps urfave/cli's help and version flags, which it
// adds to commands itself.
func cacheGlobalFlagNames() {
	if w := withCachedNames(cli.HelpFlag); w != cli.HelpFlag {
		cli.HelpFlag = w
	}
	if w := withCachedNames(cli.VersionFlag); w != cli.VersionFlag {
		cli.VersionFlag = w
	}
}

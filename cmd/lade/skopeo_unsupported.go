package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// unsupportedFlag is a skopeo flag lade does not implement, with why.
// It is hidden from help and fails the command when given, so that a
// skopeo command line using it stops with a clear message instead of
// "flag provided but not defined" or a silent difference.
type unsupportedFlag struct {
	name, why string
	isBool    bool
}

// unsupportedFlags returns hidden flags for the given skopeo flags.
func unsupportedFlags(fs ...unsupportedFlag) []cli.Flag {
	flags := make([]cli.Flag, 0, len(fs))
	for _, f := range fs {
		if f.isBool {
			flags = append(flags, &cli.BoolFlag{Name: f.name, Hidden: true, Usage: f.why})
		} else {
			flags = append(flags, &cli.StringSliceFlag{Name: f.name, Hidden: true, Usage: f.why})
		}
	}
	return flags
}

// checkUnsupported fails when one of fs was given.
func checkUnsupported(c *cli.Context, fs ...unsupportedFlag) error {
	for _, f := range fs {
		if c.IsSet(f.name) {
			return fmt.Errorf("--%s is not supported by lade: %s", f.name, f.why)
		}
	}
	return nil
}

// Reasons shared by several commands.
const (
	whyDaemon     = "lade has no docker-daemon: transport"
	whySharedBlob = "lade has no shared blob directory for oci: layouts"
)

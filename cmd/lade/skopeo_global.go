package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

// skopeoGlobalFlags are skopeo's global flags. umoci has none of them, so
// they change nothing an umoci command line means; like skopeo, lade also
// takes them after a skopeo-style command's name (see reorderSkopeoArgs).
func skopeoGlobalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{
			Name:  "insecure-policy",
			Usage: "copy and inspect without checking the signature policy (containers-policy.json)",
		},
		&cli.StringFlag{
			Name:  "policy",
			Usage: "signature policy `FILE` (default: $HOME/.config/containers/policy.json, else /etc/containers/policy.json)",
		},
		&cli.StringFlag{
			Name:  "override-arch",
			Usage: "choose images for `ARCH` instead of the machine's architecture",
		},
		&cli.StringFlag{
			Name:  "override-os",
			Usage: "choose images for `OS` instead of the machine's OS",
		},
		&cli.StringFlag{
			Name:  "override-variant",
			Usage: "choose images for `VARIANT` instead of the machine's architecture variant",
		},
		&cli.StringFlag{
			Name:  "tmpdir",
			Usage: "`DIR` for temporary files of copies (default: $TMPDIR, else /var/tmp, as skopeo)",
		},
		&cli.DurationFlag{
			Name:  "command-timeout",
			Usage: "stop the command after `DURATION` (e.g. 90s, 10m)",
		},
		&cli.BoolFlag{
			Name:  "debug",
			Usage: "alias for --log=debug",
		},
		&cli.StringFlag{
			Name:   "registries.d",
			Usage:  "skopeo's signature storage configuration `DIR` (lade does not read signature storage: ignored)",
			Hidden: true,
		},
	}
}

// applyCommandTimeout replaces the context with one that ends after
// --command-timeout, and returns its cancel function (nil without one).
func applyCommandTimeout(c *cli.Context) (context.CancelFunc, error) {
	if !c.IsSet("command-timeout") {
		return nil, nil
	}
	d := c.Duration("command-timeout")
	if d <= 0 {
		return nil, fmt.Errorf("invalid --command-timeout %s: must be positive", d)
	}
	ctx, cancel := context.WithTimeout(c.Context, d)
	c.Context = ctx
	return cancel, nil
}

// hostPlatform is the platform images are chosen for: the machine's, or
// what --override-os, --override-arch and --override-variant say. Without
// an override of the variant, the machine's variant applies only to its
// own architecture.
func hostPlatform(c *cli.Context) (ispec.Platform, error) {
	p := ispec.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH, Variant: hostVariant()}
	if c.IsSet("override-os") {
		if p.OS = c.String("override-os"); p.OS == "" {
			return ispec.Platform{}, errors.New("invalid --override-os: empty")
		}
	}
	if c.IsSet("override-arch") {
		arch := c.String("override-arch")
		if arch == "" {
			return ispec.Platform{}, errors.New("invalid --override-arch: empty")
		}
		if arch != p.Architecture {
			p.Variant = ""
		}
		p.Architecture = arch
	}
	if c.IsSet("override-variant") {
		p.Variant = c.String("override-variant")
	}
	return p, nil
}

// tempDir is where copies spool large temporary files: --tmpdir, else
// $TMPDIR, else /var/tmp (skopeo's default: /tmp is often in memory).
func tempDir(c *cli.Context) string {
	if d := c.String("tmpdir"); d != "" {
		return d
	}
	if d := os.Getenv("TMPDIR"); d != "" {
		return d
	}
	return "/var/tmp"
}

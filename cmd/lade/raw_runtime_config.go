package main

import (
	"github.com/lade-oci/lade/bundle"
	"github.com/lade-oci/lade/layer"
	"github.com/urfave/cli/v2"
)

func init() { registerRawSubcommand(rawRuntimeConfigCommand()) }

func rawRuntimeConfigCommand() *cli.Command {
	flags := []cli.Flag{
		imageFlag(),
		platformFlag(),
		&cli.StringFlag{
			Name:  "rootfs",
			Usage: "resolve the user and groups in the root filesystem at `DIR`",
		},
	}
	return &cli.Command{
		Name:      "runtime-config",
		Aliases:   []string{"config"},
		Usage:     "generate an OCI runtime configuration for an image",
		ArgsUsage: "<config.json>",
		Description: `Write to <config.json> (created, or truncated if it exists) the runtime
configuration that "unpack" would write for the image --image PATH[:TAG] (TAG
defaults to "latest").

The image's user and groups are looked up in etc/passwd and etc/group of the
root filesystem given with --rootfs DIR, and root.path is the last element of
DIR. Without --rootfs only numeric users and groups can be resolved (others
become 0 with a warning) and root.path is ".".

--rootless, --uid-map and --gid-map change the configuration as for "unpack".` + platformHelp,
		Flags:  append(flags, mapFlags()...),
		Action: runRawRuntimeConfig,
	}
}

func runRawRuntimeConfig(c *cli.Context) (err error) {
	var mo layer.MapOptions
	img, err := openImageCommand(c, 1, "config path", func() (err error) {
		mo, err = mapOptionsFromFlags(c)
		return err
	})
	if err != nil {
		return err
	}
	defer img.close(&err)
	spec, err := bundle.ImageRuntimeConfig(c.Context, img.engine, img.path, c.String("rootfs"), bundle.ConfigOptions{MapOptions: mo})
	if err != nil {
		return err
	}
	return bundle.WriteRuntimeConfig(c.Context, img.arg, spec)
}

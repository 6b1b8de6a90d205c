package main

import (
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/registry"
	"github.com/lade-oci/lade/oci/transport"
)

func init() { registerSkopeoCommand(deleteCommand()) }

var deleteUnsupported = []unsupportedFlag{
	{name: "daemon-host", why: whyDaemon},
	{name: "shared-blob-dir", why: whySharedBlob},
}

func deleteCommand() *cli.Command {
	flags := append(sharedFlags(false), registryFlags("")...)
	return &cli.Command{
		Name:      "delete",
		Usage:     "delete an image from a registry",
		Category:  categoryTransport,
		ArgsUsage: "IMAGE-NAME",
		Description: `Delete the manifest docker://HOST[:PORT]/REPO:TAG (or @DIGEST) names from
its registry, as "skopeo delete" does: a tag is resolved to its manifest's
digest, and that manifest is deleted, so every tag pointing at it goes too.
The registry must allow deletes, and frees the space only when its own
garbage collector runs. Only docker:// images can be deleted.` + registryHelp,
		Flags:  append(flags, unsupportedFlags(deleteUnsupported...)...),
		Action: runDelete,
	}
}

func runDelete(c *cli.Context) error {
	if err := checkArgs(c, 1, c.Command.ArgsUsage); err != nil {
		return err
	}
	if err := checkUnsupported(c, deleteUnsupported...); err != nil {
		return err
	}
	name, err := transport.Parse(c.Args().First())
	if err != nil {
		return err
	}
	if name.Transport != transport.Docker {
		return fmt.Errorf("deleting images is not implemented for %s: images", name.Transport)
	}
	opts, err := registryOptions(c, "")
	if err != nil {
		return err
	}
	d, err := registry.Delete(c.Context, name, opts)
	if err != nil {
		return err
	}
	slog.InfoContext(c.Context, "deleted manifest", "image", name.String(), "digest", d)
	return nil
}

package main

import (
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/mutate"
)

// configCreatedBy is the created_by of config's history entry (umoci's, so
// that images match umoci's byte for byte).
const configCreatedBy = "umoci config"

func init() { registerCommand(configCommand()) }

func configCommand() *cli.Command {
	return &cli.Command{
		Name:     "config",
		Usage:    "modify the configuration of an OCI image",
		Category: categoryImage,
		Description: `Edit the configuration and manifest annotations of the image --image
PATH[:TAG] (TAG defaults to "latest") and point --tag NEW (default: TAG) at
the result. A TAG pointing at an index stays an index: the index is rewritten.

--clear KEY empties one field before any other edit is made, whatever the
order of the flags. KEY is one of config.labels, manifest.annotations,
config.exposedports, config.env, config.volume, config.cmd, config.entrypoint.

The repeatable flags --config.entrypoint and --config.cmd give the whole new
array, one element per flag (commas are kept literally). --config.env,
--config.label and --manifest.annotation take KEY=VALUE (the VALUE may contain
'='); --config.env replaces an existing KEY in place. --config.exposedports and
--config.volume add to the existing set. Flag values may start with '-'.

A history entry (created_by "umoci config", empty_layer true, author the
image's author after the edits) is appended unless --no-history; its time is
--history.created, SOURCE_DATE_EPOCH or now. The config's own "created" only
changes with --created.

No positional arguments.` + platformHelp,
		Flags:  configFlags(),
		Action: runConfig,
	}
}

// configFlags are every flag of the config command.
func configFlags() []cli.Flag {
	flags := []cli.Flag{
		imageFlag(),
		platformFlag(),
		&cli.StringFlag{Name: "tag", Usage: "tag the result as `NEW` instead of overwriting the source tag"},
		&cli.StringSliceFlag{Name: "clear", Usage: "clear the field `KEY` before the other edits (repeatable)"},
		&cli.StringFlag{Name: "created", Usage: "set the image creation `TIME` (RFC 3339)"},
		&cli.StringFlag{Name: "author", Usage: "set the image `AUTHOR`"},
		&cli.StringFlag{Name: "platform.os", Aliases: []string{"os"}, Usage: "set the platform operating system `OS`"},
		&cli.StringFlag{Name: "platform.arch", Aliases: []string{"architecture"}, Usage: "set the platform architecture `ARCH`"},
		&cli.StringFlag{Name: "platform.variant", Usage: "set the platform `VARIANT` (e.g. v8)"},
		&cli.StringSliceFlag{Name: "manifest.annotation", Usage: "set the manifest annotation `KEY=VALUE` (repeatable)"},
		&cli.StringFlag{Name: "config.user", Usage: "set the user (`USER[:GROUP]`, names or ids)"},
		&cli.StringSliceFlag{Name: "config.exposedports", Usage: "add an exposed `PORT[/PROTO]` (repeatable)"},
		&cli.StringSliceFlag{Name: "config.env", Usage: "set the environment variable `KEY=VALUE` (repeatable)"},
		&cli.StringSliceFlag{Name: "config.entrypoint", Usage: "entrypoint `ARG`, one per flag: the values replace the entrypoint"},
		&cli.StringSliceFlag{Name: "config.cmd", Usage: "command `ARG`, one per flag: the values replace the command"},
		&cli.StringSliceFlag{Name: "config.volume", Usage: "add a volume `PATH` (repeatable)"},
		// The spelling of umoci's website docs, which umoci itself rejects.
		&cli.StringSliceFlag{Name: "config.volumes", Hidden: true},
		&cli.StringSliceFlag{Name: "config.label", Usage: "set the label `KEY=VALUE` (repeatable)"},
		&cli.StringFlag{Name: "config.workingdir", Usage: "set the working `DIR`"},
		&cli.StringFlag{Name: "config.stopsignal", Usage: "set the stop `SIGNAL`"},
	}
	return append(flags, historyFlags()...)
}

func runConfig(c *cli.Context) (err error) {
	if err := checkArgs(c, 0, ""); err != nil {
		return err
	}
	sel, err := selectImage(c)
	if err != nil {
		return err
	}
	newTag, err := newTagFromFlag(c, sel.Tag)
	if err != nil {
		return err
	}
	opts, err := configOptionsFromFlags(c)
	if err != nil {
		return err
	}
	// Parsed before touching the layout so that a bad value fails early;
	// the author is filled in once the edits are known.
	history, err := historyFromFlags(c, configCreatedBy, "")
	if err != nil {
		return err
	}

	engine, path, err := sel.open(c.Context)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)
	m, err := mutate.New(engine, path)
	if err != nil {
		return err
	}
	img, err := m.Config(c.Context)
	if err != nil {
		return fmt.Errorf("get image config: %w", err)
	}
	meta, err := m.Meta(c.Context)
	if err != nil {
		return fmt.Errorf("get image metadata: %w", err)
	}
	manifest, err := m.Manifest(c.Context)
	if err != nil {
		return fmt.Errorf("get manifest: %w", err)
	}

	cfg, annotations := img.Config, manifest.Annotations
	opts.apply(&cfg, &meta, &annotations)
	if history != nil && !c.IsSet("history.author") {
		history.Author = meta.Author
	}
	if err := m.Set(c.Context, cfg, meta, annotations, history); err != nil {
		return err
	}
	newPath, err := m.Commit(c.Context)
	if err != nil {
		return fmt.Errorf("commit image: %w", err)
	}
	root := newPath.Root()
	if err := engine.UpdateReference(c.Context, newTag, root); err != nil {
		return fmt.Errorf("put reference: %w", err)
	}
	slog.InfoContext(c.Context, "updated image config", "image", sel.String(), "tag", newTag, "digest", root.Digest)
	return nil
}

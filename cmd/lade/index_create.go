package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/urfave/cli/v2"
)

func indexCreateCommand() *cli.Command {
	return &cli.Command{
		Name:      "create",
		Usage:     "create a multi-platform image index from tagged images",
		ArgsUsage: "<source-tag>...",
		Description: `Create a new OCI image index whose entries are the images <source-tag>...,
in that order, and tag it --image PATH[:TAG] (TAG defaults to "latest"; an
existing TAG is replaced, and the new entry goes to the end of index.json).
The index has schemaVersion 2, its mediaType set, and the annotations given
with --annotation KEY=VALUE (repeatable).

Two entries with the same platform (same os, architecture, variant, with
arm64 meaning arm64/v8 and arm arm/v7, same os.version and os.features) are
refused unless --allow-duplicates is given; --platform cannot then tell them
apart.` + indexSourcesHelp,
		Flags: []cli.Flag{
			imageFlag(),
			&cli.StringSliceFlag{Name: "annotation", Usage: "set the index annotation `KEY=VALUE` (repeatable)"},
			&cli.BoolFlag{Name: "allow-duplicates", Usage: "allow several entries with the same platform"},
			nestedFlag(),
		},
		Action: runIndexCreate,
	}
}

func runIndexCreate(c *cli.Context) (err error) {
	sources, err := sourceTags(c)
	if err != nil {
		return err
	}
	img, err := imageFromFlag(c)
	if err != nil {
		return err
	}
	kvs, err := parseKeyValues(c, "annotation")
	if err != nil {
		return err
	}
	annotations := map[string]string{}
	for _, kv := range kvs {
		annotations[kv.key] = kv.value
	}
	engine, err := openEngine(c.Context, img.Layout)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)
	entries, err := indexEntries(c.Context, engine, sources, c.Bool("nested"))
	if err != nil {
		return err
	}
	idx, err := casext.NewIndex(entries, annotations, c.Bool("allow-duplicates"))
	if errors.Is(err, casext.ErrDuplicatePlatform) {
		return fmt.Errorf("%w (use --allow-duplicates to keep both)", err)
	}
	if err != nil {
		return err
	}
	desc, err := engine.PutIndexBlob(c.Context, idx)
	if err != nil {
		return err
	}
	if err := engine.UpdateReference(c.Context, img.Tag, desc); err != nil {
		return fmt.Errorf("put reference: %w", err)
	}
	slog.InfoContext(c.Context, "created index", "tag", img.Tag, "digest", desc.Digest, "entries", len(entries))
	return nil
}

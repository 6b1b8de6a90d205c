package main

import (
	"context"
	"errors"
	"fmt"
	"text/template"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

func init() { registerCommand(statCommand()) }

func statCommand() *cli.Command {
	return &cli.Command{
		Name:     "stat",
		Usage:    "display status information about an image",
		Category: categoryImage,
		Description: `Print information about the image --image PATH[:TAG] (TAG defaults to
"latest"), which must resolve to exactly one image manifest: the manifest
and its descriptor, the image configuration and its descriptor, and the
history with each entry's layer.

With --json the output is one JSON object: "manifest" and "config" (each a
"descriptor" and the verbatim "blob"), and "history" (each entry's "layer"
descriptor or null for empty layers, its "diff_id", and the history fields).
The JSON format follows umoci 0.6 and may change.

--format TEMPLATE (an extension, like "docker inspect --format") prints the
result of a Go text/template executed over that JSON document instead, with
the functions json (a value as compact JSON) and join (a list joined with a
separator). For example:

   --format '{{.config.blob.config.Cmd}}'
   --format '{{join .config.blob.config.Env "\n"}}'
   --format '{{.manifest.descriptor.digest}} {{len .manifest.blob.layers}}'
   --format '{{json .config.blob.config.Labels}}'

Missing keys print as "<no value>"; a newline ends the output.

No positional arguments.` + platformHelp,
		Flags: []cli.Flag{
			imageFlag(),
			platformFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print the information as JSON"},
			&cli.StringFlag{Name: "format", Usage: "print the Go `TEMPLATE` executed over the JSON document"},
		},
		Action: runStat,
	}
}

func runStat(c *cli.Context) (err error) {
	var tmpl *template.Template
	img, err := openImageCommand(c, 0, "", func() (err error) {
		if !c.IsSet("format") {
			return nil
		}
		if c.Bool("json") {
			return errors.New("--format and --json are mutually exclusive")
		}
		tmpl, err = parseStatTemplate(c.String("format"))
		return err
	})
	if err != nil {
		return err
	}
	defer img.close(&err)
	info, err := loadStat(c.Context, img.engine, img.path.Descriptor())
	if err != nil {
		return err
	}
	if tmpl != nil {
		return writeStatTemplate(c.App.Writer, tmpl, info)
	}
	if c.Bool("json") {
		return writeStatJSON(c.App.Writer, info)
	}
	return writeStatText(c.App.Writer, info)
}

// loadStat reads the manifest desc points at and its config.
func loadStat(ctx context.Context, engine casext.Engine, desc ispec.Descriptor) (*statImage, error) {
	blob, err := engine.FromDescriptor(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("stat: read manifest: %w", err)
	}
	manifest, ok := blob.Data.(*ispec.Manifest)
	if !ok {
		return nil, fmt.Errorf("stat: %s has media type %q, not an image manifest", desc.Digest, desc.MediaType)
	}
	info := &statImage{
		Manifest: statBlob{Descriptor: desc, Blob: blob.Raw},
		manifest: *manifest,
	}
	cfg, err := engine.FromDescriptor(ctx, manifest.Config)
	if err != nil {
		return nil, fmt.Errorf("stat: read config: %w", err)
	}
	if cfg.Raw == nil {
		// A media type lade cannot parse, without embedded data: omitted.
		return info, nil
	}
	info.Config = &statBlob{Descriptor: manifest.Config, Blob: cfg.Raw}
	if img, ok := cfg.Data.(*ispec.Image); ok {
		info.config = img
	}
	return info, nil
}

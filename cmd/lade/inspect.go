package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/inspect"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/open"
)

func init() { registerSkopeoCommand(inspectCommand()) }

var inspectUnsupported = []unsupportedFlag{
	{name: "daemon-host", why: whyDaemon},
	{name: "shared-blob-dir", why: whySharedBlob},
}

func inspectCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "raw", Usage: "print the top manifest or index exactly as stored"},
		&cli.BoolFlag{Name: "config", Usage: "print the image configuration instead of the summary"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "print the Go `TEMPLATE` executed over the output"},
		&cli.BoolFlag{Name: "no-tags", Aliases: []string{"n"}, Usage: "do not list the repository's tags (RepoTags) of a docker:// image"},
	}
	flags = append(flags, sharedFlags(false)...)
	flags = append(flags, registryFlags("")...)
	return &cli.Command{
		Name:      "inspect",
		Usage:     "print low-level information about an image in any transport",
		Category:  categoryTransport,
		ArgsUsage: "IMAGE-NAME",
		Description: `Print what "skopeo inspect" prints about IMAGE-NAME, a name in any
transport (see "` + "lade copy --help" + `"): a JSON object with Name (docker:// only),
Digest (of the top manifest or index), RepoTags (the repository's tags,
docker:// only), Created, DockerVersion, Labels, Architecture, Os, Layers,
LayersData and Env. For an index or manifest list, Digest is the index's and
the other fields come from the image for this machine's platform, or the
one --override-os, --override-arch and --override-variant name.

--raw prints the top manifest or index exactly as stored, --config the
image configuration (with --raw: as stored), --format TEMPLATE the result
of a Go text/template over the output instead of JSON ("{{.Digest}}",
"{{range .RepoTags}}{{.}} {{end}}", "{{index .Labels \"org.example.key\"}}").

Flags may come before or after IMAGE-NAME, as with skopeo.` + registryHelp,
		Flags:  append(flags, unsupportedFlags(inspectUnsupported...)...),
		Action: runInspect,
	}
}

func runInspect(c *cli.Context) (err error) {
	if err := checkArgs(c, 1, c.Command.ArgsUsage); err != nil {
		return err
	}
	if err := checkUnsupported(c, inspectUnsupported...); err != nil {
		return err
	}
	raw, config, format := c.Bool("raw"), c.Bool("config"), c.String("format")
	if raw && c.IsSet("format") {
		return errors.New("raw output does not support format option")
	}
	name, err := transport.Parse(c.Args().First())
	if err != nil {
		return err
	}
	opts, err := registryOptions(c, "")
	if err != nil {
		return err
	}
	src, err := open.Source(c.Context, name, opts)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := src.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", name, cerr)
		}
	}()
	platform := inspect.Platform{OS: c.String("override-os"), Architecture: c.String("override-arch"), Variant: c.String("override-variant")}
	w := c.App.Writer
	var out any
	switch {
	case raw && config:
		b, err := inspect.ConfigRaw(c.Context, src, platform)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case raw:
		b, err := inspect.Raw(c.Context, src)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case config:
		out, err = inspect.Config(c.Context, src, platform)
	default:
		out, err = inspect.Inspect(c.Context, src, inspect.Options{NoTags: c.Bool("no-tags"), Platform: platform})
	}
	if err != nil {
		return err
	}
	if format != "" {
		return inspect.Write(w, format, out)
	}
	return inspect.WriteJSON(w, out)
}

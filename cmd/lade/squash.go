package main

import (
	"fmt"
	"log/slog"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/bundle"
)

// squashCreatedBy is the created_by of squash's history entry.
const squashCreatedBy = "lade squash"

func init() { registerCommand(squashCommand()) }

func squashCommand() *cli.Command {
	return &cli.Command{
		Name:     "squash",
		Usage:    "replace all layers of an image with one flattened layer",
		Category: categoryImage,
		Description: `Replace all layers of the image --image PATH[:TAG] (TAG defaults to "latest")
with a single layer holding its flattened root filesystem (what "export"
writes), and point --tag NEW (default: TAG) at the result. A TAG pointing at
an index stays an index. Unpacking the squashed image gives the same tree as
unpacking the original.

The config keeps every field except rootfs.diff_ids, which becomes the new
layer's only, and history, which becomes one entry (created_by
"lade squash", no author unless --history.author) or, with --no-history,
none. Manifest annotations are kept. Its time is --history.created,
SOURCE_DATE_EPOCH or now. With SOURCE_DATE_EPOCH, layer times newer than it
are clamped to it (the unpacked tree then differs in those times).

The layers are unpacked into a private temporary directory in $TMPDIR, which
is always removed, also on error or interrupt. Until the final index.json
update nothing but new blobs is written, so an interrupted squash leaves the
image as it was ("gc" removes the unreferenced blobs).

--rootless unpacks without privileges (owners are kept in the
user.rootlesscontainers xattr), but device nodes become empty regular files
in the new layer. It implies --uid-map 0:$EUID:1 and --gid-map 0:$EGID:1
unless those are given. A non-root user must pass --rootless.

--compress picks the layer compression: none, gzip, zstd, or auto (default:
the compression of the image's most recent compressed layer, else gzip).` + platformHelp,
		Flags:  squashFlags(),
		Action: runSquash,
	}
}

func squashFlags() []cli.Flag {
	flags := []cli.Flag{
		imageFlag(),
		platformFlag(),
		&cli.StringFlag{Name: "tag", Usage: "tag the result as `NEW` instead of overwriting the source tag"},
	}
	flags = append(flags, mapFlags()...)
	flags = append(flags, compressFlag(), compressLevelFlag())
	return append(flags, historyFlags()...)
}

func runSquash(c *cli.Context) (err error) {
	if err := checkArgs(c, 0, ""); err != nil {
		return err
	}
	e, err := parseLayerEdit(c, squashCreatedBy)
	if err != nil {
		return err
	}
	engine, path, err := e.image.open(c.Context)
	if err != nil {
		return err
	}
	defer closeEngine(engine, &err)
	blob, err := engine.FromDescriptor(c.Context, path.Descriptor())
	if err != nil {
		return fmt.Errorf("get image manifest: %w", err)
	}
	manifest, ok := blob.Data.(*ispec.Manifest)
	if !ok || manifest == nil {
		return fmt.Errorf("get image manifest: %s is not an image manifest", path.Descriptor().Digest)
	}
	alg, err := compressFromFlag(c, manifest.Layers)
	if err != nil {
		return err
	}
	opts := bundle.SquashOptions{MapOptions: e.maps, SourceDateEpoch: e.sde, Compression: alg, History: e.history}
	newPath, err := bundle.Squash(c.Context, engine, path, opts)
	if err != nil {
		return err
	}
	if err := engine.UpdateReference(c.Context, e.newTag, newPath.Root()); err != nil {
		return fmt.Errorf("put reference: %w", err)
	}
	slog.InfoContext(c.Context, "squashed image", "image", e.image.Layout+":"+e.newTag,
		"layers", len(manifest.Layers), "digest", newPath.Root().Digest)
	return nil
}

package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/internal/atomicfile"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/open"
)

func init() { registerSkopeoCommand(copyCommand()) }

var copyUnsupported = []unsupportedFlag{
	{name: "src-daemon-host", why: whyDaemon},
	{name: "dest-daemon-host", why: whyDaemon},
	{name: "src-shared-blob-dir", why: whySharedBlob},
	{name: "dest-shared-blob-dir", why: whySharedBlob},
	{name: "sign-by", why: whySign},
	{name: "sign-by-sigstore-private-key", why: whySign},
	{name: "sign-passphrase-file", why: whySign},
	{name: "sign-identity", why: whySign},
	{name: "encryption-key", why: whyCrypt},
	{name: "encrypt-layer", why: whyCrypt},
	{name: "decryption-key", why: whyCrypt},
}

const (
	whySign  = "lade does not sign images"
	whyCrypt = "lade does not encrypt or decrypt layers"
)

func copyCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "copy every image of an index and the index (--multi-arch all)"},
		&cli.StringFlag{Name: "multi-arch", Value: "system", Usage: "what to copy of an index: system (the image for this platform), all, or index-only"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "manifest `TYPE` to write: oci or v2s2 (default: the source's, when the destination takes it)"},
		&cli.BoolFlag{Name: "preserve-digests", Usage: "fail instead of changing the image's digest"},
		&cli.StringFlag{Name: "dest-compress-format", Usage: "compress layers with `FORMAT`: gzip or zstd"},
		&cli.IntFlag{Name: "dest-compress-level", Usage: "compression `LEVEL` (gzip 1-9, zstd 1-22)"},
		&cli.BoolFlag{Name: "dest-compress", Usage: "compress uncompressed layers written to dir:"},
		&cli.BoolFlag{Name: "dest-decompress", Usage: "decompress layers written to dir:"},
		&cli.BoolFlag{Name: "dest-oci-accept-uncompressed-layers", Usage: "keep uncompressed layers uncompressed in oci: and oci-archive:"},
		&cli.BoolFlag{Name: "dest-precompute-digests", Usage: "accepted for compatibility: lade always knows a layer's digest before it uploads it"},
		&cli.BoolFlag{Name: "remove-signatures", Usage: "accepted for compatibility: lade copies no signatures"},
		&cli.StringSliceFlag{Name: "additional-tag", Usage: "also record `NAME:TAG` in a docker-archive: destination (repeatable)"},
		&cli.StringFlag{Name: "digestfile", Usage: "write the digest of the copied manifest to `PATH`"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "show no progress"},
		progressFlag(),
		&cli.IntFlag{Name: "image-parallel-copies", Value: imagecopy.DefaultParallel, Usage: "move at most `N` blobs at once"},
	}
	flags = append(flags, sharedFlags(true)...)
	flags = append(flags, registryFlags("src-")...)
	flags = append(flags, registryFlags("dest-")...)
	return &cli.Command{
		Name:      "copy",
		Usage:     "copy an image from one location to another",
		Category:  categoryTransport,
		ArgsUsage: "SOURCE-IMAGE DESTINATION-IMAGE",
		Description: `Copy SOURCE-IMAGE to DESTINATION-IMAGE, as "skopeo copy" does. Each is a
name in one of these transports:

   docker://HOST[:PORT]/REPO[:TAG|@DIGEST]  a registry (docker.io when HOST is
                                            left out; "busybox" is
                                            docker.io/library/busybox:latest)
   oci:PATH[:TAG]                           an OCI image layout (created when
                                            missing; other tags are kept)
   oci-archive:PATH[:TAG]                   a tar of an OCI layout (replaced by
                                            one holding only this image)
   docker-archive:PATH[:NAME[:TAG]|:@N]     a "docker save" tar (written anew:
                                            an existing file is refused)
   dir:PATH                                 skopeo's directory format

Without a TAG, an oci: or oci-archive: source must hold exactly one image,
and an oci: destination gets an untagged entry.

From an index (a multi-platform image), only the image for this machine's
platform is copied (or the one --override-os, --override-arch and
--override-variant name) unless --all (--multi-arch all) copies every image
and the index itself; --multi-arch index-only copies just the index (its
images must already be at the destination).

The image keeps its format (OCI or Docker v2 schema 2) unless the
destination cannot hold it (oci: and oci-archive: take OCI, docker-archive:
Docker) or --format says otherwise; layers are compressed as the
destination wants them (gzip for uncompressed layers into oci:, oci-archive:
and registries, uncompressed into docker-archive:) or as
--dest-compress-format says. --preserve-digests fails, before writing
anything, when any of this would change the image's digest.

Blobs the destination already has are not copied again; a blob on the same
registry is mounted from the source repository instead of copied. Up to
--image-parallel-copies blobs move at once, each verified against its digest
while it streams; nothing is stored under a digest it does not match. A
failed or interrupted copy leaves the destination as it was: a layout keeps
at most unreferenced blobs (removed by "lade gc"), an archive or dir: is
untouched, a registry keeps the blobs it received (its garbage collector
removes them). An existing oci: or dir: directory is written into, as skopeo
does: it keeps its owner and mode and may be a mount point. An archive is
replaced by a new file, or, when it is a mount point or its directory is not
writable, rewritten in place: a failure in that last step leaves it empty.

The source must be allowed by the signature policy (containers-policy.json):
--policy FILE, else $HOME/.config/containers/policy.json, else
/etc/containers/policy.json, else every image is allowed. lade verifies no
signatures: a policy that requires one (signedBy, sigstoreSigned) is an
error, never a silent accept; --insecure-policy skips the check.

Progress goes to standard error, never standard output: bars on a terminal,
nothing otherwise (--progress plain prints a line per blob, for logs;
--quiet or --progress quiet nothing). --digestfile PATH records the digest
of the manifest written.

Flags may come before or after the image names, as with skopeo. The flags
of the source registry start with --src-, those of the destination with
--dest-; --authfile is the default of both --src-authfile and
--dest-authfile.` + registryHelp,
		Flags:  append(flags, unsupportedFlags(copyUnsupported...)...),
		Action: runCopy,
	}
}

func runCopy(c *cli.Context) (err error) {
	if err := checkArgs(c, 2, c.Command.ArgsUsage); err != nil {
		return err
	}
	if err := checkUnsupported(c, copyUnsupported...); err != nil {
		return err
	}
	srcName, err := transport.Parse(c.Args().Get(0))
	if err != nil {
		return err
	}
	dstName, err := transport.Parse(c.Args().Get(1))
	if err != nil {
		return err
	}
	opts, err := copyOptionsFromFlags(c)
	if err != nil {
		return err
	}
	srcOpts, err := registryOptions(c, "src-")
	if err != nil {
		return err
	}
	dstOpts, err := registryOptions(c, "dest-")
	if err != nil {
		return err
	}
	if dstOpts.AdditionalTags, err = additionalTags(c); err != nil {
		return err
	}
	dstOpts.AcceptUncompressedLayers = c.Bool("dest-oci-accept-uncompressed-layers")
	if err := checkPolicy(c, srcName); err != nil {
		return err
	}

	src, err := open.Source(c.Context, srcName, srcOpts)
	if err != nil {
		return tlsHint(err, "src-")
	}
	defer closeWith(src, &err)
	dst, err := open.Destination(c.Context, dstName, dstOpts)
	if err != nil {
		return tlsHint(err, "dest-")
	}
	defer closeWith(dst, &err)

	display, err := progressDisplay(c)
	if err != nil {
		return err
	}
	opts.Progress = display
	res, err := imagecopy.Copy(c.Context, src, dst, opts)
	if cerr := display.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return copyError(err, srcName, dstName)
	}
	slog.InfoContext(c.Context, "copied image", "source", srcName.String(), "destination", dstName.String(),
		"digest", res.Descriptor.Digest, "copied", res.Stats.Copied, "skipped", res.Stats.Skipped, "mounted", res.Stats.Mounted)
	if path := c.String("digestfile"); path != "" {
		err := atomicfile.WriteOutput(c.Context, path, 0o644, func(w io.Writer) error {
			_, err := io.WriteString(w, res.Descriptor.Digest.String())
			return err
		})
		if err != nil {
			return fmt.Errorf("write digest file: %w", err)
		}
	}
	return nil
}

// closeWith closes a source or destination, reporting a failure through
// errp when nothing else failed.
func closeWith(cl io.Closer, errp *error) {
	if err := cl.Close(); err != nil && *errp == nil {
		*errp = err
	}
}

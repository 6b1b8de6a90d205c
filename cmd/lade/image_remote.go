package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/pull"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/open"
)

// remoteImagePrefix starts an --image that names an image in a registry.
// umoci's --image PATH[:TAG] can never start with it (a tag cannot start
// with "/"), so it changes nothing an umoci command line means.
const remoteImagePrefix = "docker://"

// remoteImageHelp is appended to the description of the commands that can
// read an image straight from a registry.
const remoteImageHelp = `

--image docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST] reads the image from a
registry (an extension of umoci): its blobs are downloaded, verified, into
the layout --layout DIR (created if missing), else the cache
${XDG_CACHE_HOME:-~/.cache}/lade/layout, several at once and ahead of the
unpack, which starts as soon as the first layer is there; blobs the layout
has are not downloaded again. On success the image is tagged there with its
full name (e.g. docker.io/library/busybox:latest), so that "repack --image
DIR:TAG" can build on the bundle. An index gives the image for this
machine's platform (or --platform). The registry flags (--creds,
--authfile, --cert-dir, --tls-verify, ...) work as for "lade copy".`

// remoteImageFlags are the flags of the commands that can read an image
// from a registry: where to keep it, and how to reach the registry.
func remoteImageFlags() []cli.Flag {
	flags := []cli.Flag{&cli.StringFlag{
		Name:  "layout",
		Usage: "with --image docker://..., keep the image in the layout `DIR` (default: ${XDG_CACHE_HOME:-~/.cache}/lade/layout)",
	}}
	flags = append(flags, sharedFlags(false)...)
	return append(flags, registryFlags("")...)
}

// isRemoteImage reports whether --image names an image in a registry.
func isRemoteImage(c *cli.Context) bool {
	return strings.HasPrefix(c.String("image"), remoteImagePrefix)
}

// selectRemoteImage parses --image docker://..., --layout and --platform.
func selectRemoteImage(c *cli.Context) (imageSelection, transport.Name, error) {
	if findFlag(c.Command.Flags, "layout") == nil {
		return imageSelection{}, transport.Name{}, fmt.Errorf("%s does not read images from a registry: copy it into a layout first (lade copy %s oci:DIR:TAG)", c.Command.Name, c.String("image"))
	}
	name, err := transport.Parse(c.String("image"))
	if err != nil {
		return imageSelection{}, transport.Name{}, fmt.Errorf("invalid --image: %w", err)
	}
	layout := c.String("layout")
	if layout == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return imageSelection{}, transport.Name{}, fmt.Errorf("find the cache directory: %w (give --layout DIR)", err)
		}
		layout = filepath.Join(cache, "lade", "layout")
	} else if layout, err = parseLayout(layout); err != nil {
		return imageSelection{}, transport.Name{}, err
	}
	platform, err := platformFromFlag(c)
	if err != nil {
		return imageSelection{}, transport.Name{}, err
	}
	return imageSelection{imageRef: imageRef{Layout: layout, Tag: name.Ref.String()}, platform: platform}, name, nil
}

// openRemote starts pulling the image into its layout; img's engine and
// path then read it while it arrives, and img.close tags it on success.
func (img *openedImage) openRemote(c *cli.Context, name transport.Name, display *progress.Display) error {
	opts, err := registryOptions(c, "")
	if err != nil {
		return err
	}
	// Empty fields are the host's, chosen as skopeo chooses (see
	// casext.ChooseIndexEntry); --platform names the image exactly.
	want := ispec.Platform{OS: c.String("override-os"), Architecture: c.String("override-arch"), Variant: c.String("override-variant")}
	if img.platform != nil {
		want = *img.platform
	}
	src, err := open.Source(c.Context, name, opts)
	if err != nil {
		return err
	}
	session, err := pull.Open(c.Context, src, img.Layout, img.Tag, pull.Options{
		Platform: want, RetryTimes: opts.RetryTimes, Progress: display,
	})
	if err != nil {
		return errors.Join(err, src.Close())
	}
	img.pull, img.src = session, src
	img.engine, img.path = session.Engine(), session.Path()
	return nil
}

// closeRemote tags the pulled image when the command succeeded (*errp is
// nil), then closes the pull and its source.
func (img *openedImage) closeRemote(c *cli.Context, errp *error) {
	var err error
	if *errp == nil {
		err = img.pull.Commit(c.Context)
	}
	err = errors.Join(err, img.pull.Close(), img.src.Close())
	if err != nil && *errp == nil {
		*errp = err
	}
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/layer"
)

func init() { registerCommand(diffCommand()) }

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "show what changed between two images (configuration and files)",
		Category:  categoryImage,
		ArgsUsage: "<image-a> <image-b>",
		Description: `Compare the image <image-b> with <image-a>, each given as PATH[:TAG] like
--image (TAG defaults to "latest"; two tags of one layout or images of two
layouts), and print what changed from a to b: first the configuration, then
the files. Nothing is written anywhere: layers are streamed once from their
blobs (digests and diff_ids verified) into in-memory trees of metadata and
content digests, which apply layers exactly as "unpack" does (whiteouts,
opaque directories, hardlinks, symlinked parent directories, as root). Layers
both images share at the bottom are read once; images with the same layers
are not read at all.

Configuration changes, one per line, in a fixed field order:
  config FIELD OLD -> NEW    a value changed (JSON values: "root", ["sh"], 3)
  config FIELD +ENTRY        an entry was added to a list or map field
  config FIELD -ENTRY        an entry was removed
FIELD is Architecture, OS, Variant, OSVersion, OSFeatures, Author, Created,
User, Env, Entrypoint, Cmd, WorkingDir, Labels, ExposedPorts, Volumes,
StopSignal, History (number of entries), Layers (number of layers) or
DiffIDs[N]; "manifest Annotations" lines compare the manifest annotations.
Env, ExposedPorts and Volumes are compared as sets (order ignored); Labels
and Annotations as sets of KEY=VALUE, so a changed value is a -KEY=OLD line
and a +KEY=NEW line.

File changes, one per line, a directory before its contents, siblings in
byte order:
  A PATH                     added
  D PATH                     removed
  M PATH FIELD...            modified
Every path under an added or removed directory is listed, unless --collapse
reports the directory alone. FIELD is type:OLD->NEW (a type change lists
nothing else), mode:0755->0644, uid:0->1000, gid:0->1000, size:OLD->NEW,
content (different sha256), link:OLD->NEW (symlink target),
device:MAJ,MIN->MAJ,MIN, xattr:NAME,... (added, removed or changed xattrs)
or mtime:OLD->NEW. A hardlink is compared as the file it links to. Paths,
link targets and entries with white space, a leading quote, non-printable
characters or bytes that are not UTF-8 are printed Go-quoted (so each
change is one line and unquotes to the exact bytes), and so are link targets
holding "->" and xattr names holding ",".

Modification times are ignored unless --mtime is given: rebuilding an image
changes them for every file even when nothing else changed. Directories that
no layer has an entry for have no time of their own ("-").

--json prints one JSON document instead:
  {"config": [{"section", "field", "op", "value" | "old" and "new"}],
   "files": [{"path", "op", "fields", "xattrs", "old", "new"}]}
where op is "add", "remove" or "change", old and new are JSON values for
config changes and, for files, objects with "type", "mode" (octal string),
"uid", "gid", "size", "digest", "link", "devmajor", "devminor", "xattrs"
(names) and "mtime" (RFC 3339); Labels and Annotations entries also have
"key". The document is UTF-8: a path, link target or xattr name that is not
valid UTF-8 is given Go-quoted ("/a\xff" becomes the JSON string
"\"/a\\xff\""), and so is one that starts with a double quote, so a value
starting with a quote always unquotes to the exact bytes. "config" is null
with --files-only, "files" null with --config-only.

--config-only compares configurations and manifests only (no layer is
read); --files-only compares files only.

Exit status is 0 whether or not the images differ, and 1 on any error, like
every command. With --exit-code, differences exit with 2 (not 1 as diff(1)
does, since 1 means an error here).` + platformHelp + `
It applies to both images.`,
		Flags:  diffFlags(),
		Action: runDiff,
	}
}

func diffFlags() []cli.Flag {
	return []cli.Flag{
		platformFlag(),
		&cli.BoolFlag{Name: "json", Usage: "print one JSON document (see the description)"},
		&cli.BoolFlag{Name: "config-only", Usage: "compare configurations and manifests only"},
		&cli.BoolFlag{Name: "files-only", Usage: "compare files only"},
		&cli.BoolFlag{Name: "mtime", Usage: "compare modification times too"},
		&cli.BoolFlag{Name: "collapse", Usage: "report an added or removed directory once, not its contents"},
		&cli.BoolFlag{Name: "exit-code", Usage: "exit with 2 when the images differ"},
	}
}

// diffExitDiffer is the exit status of --exit-code when the images differ.
const diffExitDiffer = 2

func runDiff(c *cli.Context) error {
	differ, err := diff(c)
	if err != nil {
		return err
	}
	if differ && c.Bool("exit-code") {
		return exitStatus(diffExitDiffer)
	}
	return nil
}

// diffArg parses positional argument i as PATH[:TAG].
func diffArg(c *cli.Context, i int) (imageSelection, error) {
	arg := c.Args().Get(i)
	ref, err := parseImageRef(arg)
	if err != nil {
		return imageSelection{}, fmt.Errorf("invalid image %q: %s", arg, strings.TrimPrefix(err.Error(), "invalid --image: "))
	}
	platform, err := platformFromFlag(c)
	if err != nil {
		return imageSelection{}, err
	}
	return imageSelection{imageRef: ref, platform: platform}, nil
}

// diff compares the two images and prints the changes; differ tells
// whether there were any.
func diff(c *cli.Context) (differ bool, err error) {
	if err := checkArgs(c, 2, "<image-a> <image-b>"); err != nil {
		return false, err
	}
	withConfig, withFiles := !c.Bool("files-only"), !c.Bool("config-only")
	if !withConfig && !withFiles {
		return false, errors.New("--config-only and --files-only are mutually exclusive")
	}
	selA, err := diffArg(c, 0)
	if err != nil {
		return false, err
	}
	selB, err := diffArg(c, 1)
	if err != nil {
		return false, err
	}
	var imgs [2]*diffImage
	defer func() {
		for _, img := range imgs {
			if img != nil {
				closeEngine(img.engine, &err)
			}
		}
	}()
	for i, sel := range []imageSelection{selA, selB} {
		if imgs[i], err = loadDiffImage(c.Context, sel); err != nil {
			return false, err
		}
	}
	var config []configChange
	var files []layer.Change
	if withConfig {
		config = diffConfigs(imgs[0], imgs[1])
	}
	if withFiles && !sameLayers(imgs[0], imgs[1]) {
		ta, tb, err := buildTrees(c.Context, imgs[0], imgs[1])
		if err != nil {
			return false, err
		}
		files = layer.DiffTrees(ta, tb, &layer.DiffOptions{MTime: c.Bool("mtime"), Collapse: c.Bool("collapse")})
	}
	w := bufio.NewWriter(c.App.Writer)
	if c.Bool("json") {
		err = writeDiffJSON(w, config, files, withConfig, withFiles)
	} else if err = writeConfigText(w, config); err == nil {
		err = writeFilesText(w, files)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return false, fmt.Errorf("write diff: %w", err)
	}
	return len(config)+len(files) > 0, nil
}

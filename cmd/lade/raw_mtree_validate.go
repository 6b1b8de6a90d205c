package main

import (
	"errors"
	"fmt"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/urfave/cli/v2"
)

func init() { registerRawSubcommand(rawMtreeValidateCommand()) }

func rawMtreeValidateCommand() *cli.Command {
	return &cli.Command{
		Name:     "mtree-validate",
		Usage:    "check a directory tree against an mtree manifest",
		Category: "devtools",
		Hidden:   true,
		Description: `Compare the tree at --path with the mtree manifest --manifest, as go-mtree's
"gomtree validate" does, and print one line per difference to stdout, such as
"etc/hostname": keyword "size": expected 6; got 9. The exit status is 0 when
the tree matches and 1 otherwise ("validation failed: N differences found").

The keywords compared are those given with --use-keywords if any, else
umoci's set (size,type,uid,gid,mode,link,nlink,tar_time,sha256digest,xattr)
with --umoci-keywords, else the keywords the manifest uses; plus those given
with --add-keywords; "type" is always compared. Keyword lists are comma or
space separated and accept go-mtree's synonyms.

--rootless reads the tree as an unprivileged user would during a rootless
unpack (directories without permissions are opened up temporarily).

No positional arguments.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "manifest", Aliases: []string{"f", "file"}, Usage: "mtree manifest `FILE` to check against"},
			&cli.StringFlag{Name: "path", Aliases: []string{"p"}, Usage: "root `DIR` of the tree to check"},
			&cli.StringSliceFlag{Name: "add-keywords", Aliases: []string{"K"}, Usage: "also compare `KEYWORDS`"},
			&cli.StringSliceFlag{Name: "use-keywords", Aliases: []string{"k"}, Usage: "compare only `KEYWORDS`"},
			&cli.BoolFlag{Name: "umoci-keywords", Usage: "compare umoci's keyword set"},
			&cli.BoolFlag{Name: "rootless", Usage: "read the tree as a rootless unpack does"},
		},
		Action: runRawMtreeValidate,
	}
}

func runRawMtreeValidate(c *cli.Context) error {
	if err := checkArgs(c, 0, ""); err != nil {
		return err
	}
	manifest, root := c.String("manifest"), c.String("path")
	if manifest == "" {
		return errors.New("missing mandatory argument: --manifest")
	}
	if root == "" {
		return errors.New("missing mandatory argument: --path")
	}
	kw := mtreeutil.ValidateKeywords{
		Use:   c.StringSlice("use-keywords"),
		Umoci: c.Bool("umoci-keywords"),
		Add:   c.StringSlice("add-keywords"),
	}
	if c.Bool("rootless") {
		kw.FsEval = fseval.NewIn(root, true)
	}
	deltas, err := mtreeutil.Validate(c.Context, root, manifest, kw)
	if err != nil {
		return err
	}
	for _, d := range deltas {
		fmt.Fprintln(c.App.Writer, d.String())
	}
	if len(deltas) > 0 {
		return fmt.Errorf("validation failed: %d differences found", len(deltas))
	}
	return nil
}

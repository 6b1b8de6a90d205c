package main

import (
	"fmt"
	"log/slog"
	"maps"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

func init() { registerCommand(tagCommand()) }

func tagCommand() *cli.Command {
	return &cli.Command{
		Name:      "tag",
		Usage:     "create a new tag in an OCI image layout",
		Category:  categoryImage,
		ArgsUsage: "<new-tag>",
		Description: `Point the tag <new-tag> at the image --image PATH[:TAG] (TAG defaults to
"latest") of the same layout. TAG must resolve to exactly one image manifest;
the new tag points at that manifest directly (also when TAG points at an
index with one manifest). An existing <new-tag> is replaced, and the new entry
goes to the end of index.json.

<new-tag> is the name of the new tag: alphanumeric components separated by
one of "-._:@+" or by "--", joined by "/".` + platformHelp,
		Flags:  []cli.Flag{imageFlag(), platformFlag()},
		Action: runTag,
	}
}

func runTag(c *cli.Context) (err error) {
	newTag := c.Args().First()
	img, err := openImageCommand(c, 1, "", func() error {
		if !casext.IsValidReferenceName(newTag) {
			return fmt.Errorf("invalid new tag %q", newTag)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer img.close(&err)
	desc := tagDescriptor(img.path.Descriptor(), newTag)
	if err := img.engine.UpdateReference(c.Context, newTag, desc); err != nil {
		return fmt.Errorf("put reference: %w", err)
	}
	slog.InfoContext(c.Context, "created new tag", "tag", newTag, "digest", desc.Digest)
	return nil
}

// tagDescriptor is a copy of d (the resolved manifest) with its tag
// annotation replaced by tag.
func tagDescriptor(d ispec.Descriptor, tag string) ispec.Descriptor {
	d.Annotations = maps.Clone(d.Annotations)
	if d.Annotations == nil {
		d.Annotations = map[string]string{}
	}
	d.Annotations[ispec.AnnotationRefName] = tag
	return d
}

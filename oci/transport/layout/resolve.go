package layout

import (
	"context"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxListedTags bounds the tags an error lists.
const maxListedTags = 10

// resolveTag returns the index.json entry of an oci: or oci-archive: name:
// the one tagged tag, or, without a tag, the only image of the index. Two
// entries tagged tag are fine when they name the same digest. The result
// has no annotations (the tag is the layout's business).
func resolveTag(ctx context.Context, e casext.Engine, tag, path string) (ispec.Descriptor, error) {
	idx, err := e.GetIndex(ctx)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	var found []ispec.Descriptor
	var tags []string
	for _, d := range idx.Manifests {
		name := d.Annotations[casext.RefNameAnnotation]
		if name != "" {
			tags = append(tags, name)
		}
		if tag == "" || name == tag {
			found = append(found, d)
		}
	}
	switch n := distinct(found); {
	case n == 1:
		d := found[0]
		d.Annotations = nil
		return d, nil
	case tag != "" && n == 0:
		return ispec.Descriptor{}, localfs.WithKind(fmt.Errorf("%w: %s%s", casext.ErrTagNotFound, tag, tagHint(tags)), transport.ErrNotFound)
	case tag != "":
		return ispec.Descriptor{}, fmt.Errorf("%w: %s names %d different images", casext.ErrTagAmbiguous, tag, n)
	case n == 0:
		return ispec.Descriptor{}, localfs.WithKind(fmt.Errorf("%s holds no image", path), transport.ErrNotFound)
	}
	return ispec.Descriptor{}, fmt.Errorf("more than one image in %s, choose an image with %s:TAG%s", path, path, tagHint(tags))
}

// distinct counts the different digests of descs.
func distinct(descs []ispec.Descriptor) int {
	seen := map[digest.Digest]bool{}
	for _, d := range descs {
		seen[d.Digest] = true
	}
	return len(seen)
}

// tagHint is " (tags: a, b)", " (no tags)" or the first maxListedTags
// tags and how many more there are.
func tagHint(tags []string) string {
	switch {
	case len(tags) == 0:
		return " (no tags)"
	case len(tags) > maxListedTags:
		return fmt.Sprintf(" (tags: %s, and %d more)", strings.Join(tags[:maxListedTags], ", "), len(tags)-maxListedTags)
	}
	return " (tags: " + strings.Join(tags, ", ") + ")"
}

package peek

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxDepth is how many nested indexes Platforms walks through.
const maxDepth = 4

// Tags returns the tags of the layout directory or OCI archive at path:
// the reference names of index.json's entries, in index order, each once.
func Tags(ctx context.Context, path string) ([]string, error) {
	src, err := open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer src.close()
	idx, err := src.index(ctx)
	if err != nil {
		return nil, err
	}
	var tags []string
	for _, d := range idx.Manifests {
		if name, ok := d.Annotations[ispec.AnnotationRefName]; ok && !slices.Contains(tags, name) {
			tags = append(tags, name)
		}
	}
	return tags, nil
}

// Platforms returns the platforms ("os/arch[/variant]", as --platform takes
// them) of the index entries that tag names in the layout or archive at
// path, through nested indexes, each once, in index order. A tag that names
// a single image manifest has none.
func Platforms(ctx context.Context, path, tag string) ([]string, error) {
	src, err := open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer src.close()
	idx, err := src.index(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range idx.Manifests {
		if d.Annotations[ispec.AnnotationRefName] != tag {
			continue
		}
		if out, err = platforms(ctx, src, d, out, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// platforms appends to out the platforms of the entries of index d (when d
// is an index), descending into entries that are indexes themselves.
func platforms(ctx context.Context, src source, d ispec.Descriptor, out []string, depth int) ([]string, error) {
	if !mediatype.IsIndex(d.MediaType) {
		return out, nil
	}
	if depth >= maxDepth {
		return nil, fmt.Errorf("index %s: %w: nested more than %d deep", d.Digest, cas.ErrInvalid, maxDepth)
	}
	data, err := src.blob(ctx, d.Digest)
	if err != nil {
		return nil, err
	}
	var idx ispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("index %s: %w: %v", d.Digest, cas.ErrInvalid, err)
	}
	for _, child := range idx.Manifests {
		if child.Platform != nil {
			if p := casext.FormatPlatform(child.Platform); !slices.Contains(out, p) {
				out = append(out, p)
			}
			continue
		}
		if out, err = platforms(ctx, src, child, out, depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

package validate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Image checks the invariants of the graph of the image refname names:
// every top-level index.json entry tagged refname and everything reachable
// from it, with the checks Layout makes. Other entries are not read. It
// returns nil when the graph is sound, an error wrapping
// casext.ErrTagNotFound when no entry has that tag, or an error joining one
// entry per problem found.
func Image(ctx context.Context, engine casext.Engine, refname string) error {
	idx, err := engine.GetIndex(ctx)
	if err != nil {
		return fmt.Errorf("validate image %s: read index.json: %w", refname, err)
	}
	c := &checker{engine: engine, checked: map[blobKey]struct{}{}}
	found := false
	for i, root := range idx.Manifests {
		if name, ok := root.Annotations[casext.RefNameAnnotation]; !ok || name != refname {
			continue
		}
		found = true
		if err := c.walkEntry(ctx, i, root); err != nil {
			return fmt.Errorf("validate image %s: %w", refname, err)
		}
	}
	if !found {
		return fmt.Errorf("validate image: %w: %s", casext.ErrTagNotFound, refname)
	}
	if len(c.problems) == 0 {
		return nil
	}
	return fmt.Errorf("validate image %s: %w", refname, errors.Join(c.problems...))
}

// walkEntry checks the top-level entry i (root) and everything below it,
// recording problems. Only a cancelled context is returned as an error.
func (c *checker) walkEntry(ctx context.Context, i int, root ispec.Descriptor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := c.engine.Walk(ctx, root, func(ctx context.Context, path casext.DescriptorPath) error {
		return c.visit(ctx, i, path)
	})
	if err != nil {
		c.add(fmt.Errorf("%s: %w", entryName(i, root), err))
	}
	return nil
}

// Problems splits an error returned by Layout or Image into its problems,
// one per invariant broken, or returns nil when err is not such a list
// (nil, or a failure to run the checks at all).
func Problems(err error) []error {
	inner := errors.Unwrap(err)
	joined, ok := inner.(interface{ Unwrap() []error })
	if !ok {
		return nil
	}
	// Only an errors.Join list: its message is its parts, one per line (a
	// fmt.Errorf with several %w has a message of its own).
	problems := joined.Unwrap()
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = p.Error()
	}
	if inner.Error() != strings.Join(lines, "\n") {
		return nil
	}
	return problems
}

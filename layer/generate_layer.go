package layer

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/lade-oci/lade/internal/pathsafe"
	"github.com/vbatts/go-mtree"
)

// GenerateLayer writes to w an uncompressed tar layer holding the given
// mtree deltas of the tree at root (repack): entries sorted by path;
// modified and extra paths archived in full from disk, missing paths as
// whiteouts. Callers stream w through a pipe into compression.
func GenerateLayer(ctx context.Context, w io.Writer, root string, deltas []mtree.InodeDelta, opts *RepackOptions) error {
	o := generateDefaults(opts, root)
	root, err := generateRoot(root)
	if err != nil {
		return err
	}
	sorted := slices.Clone(deltas)
	slices.SortStableFunc(sorted, func(a, b mtree.InodeDelta) int { return cmp.Compare(a.Path(), b.Path()) })

	g := newGenerateWriter(w, o)
	for _, d := range sorted {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("generate layer: %w", err)
		}
		name, err := generateCleanName(d.Path())
		if err != nil {
			return fmt.Errorf("generate layer: %w", err)
		}
		if err := g.addDelta(root, name, d.Type()); err != nil {
			return fmt.Errorf("generate layer: %w", err)
		}
	}
	return g.close()
}

// addDelta archives one delta of clean name under root.
func (g *generateWriter) addDelta(root, name string, kind mtree.DifferenceType) error {
	switch kind {
	case mtree.Modified, mtree.Extra:
		host, err := generateHostPath(root, name, g.opts)
		if err != nil {
			return err
		}
		return g.addFile(name, host)
	case mtree.Missing:
		wh, err := generateWhiteoutName(name)
		if err != nil {
			return err
		}
		return g.addWhiteout(wh)
	case mtree.Same:
		return nil
	default:
		return fmt.Errorf("archive %s: unexpected %q delta", name, kind)
	}
}

// generateRoot makes root absolute and clean, as pathsafe wants it.
func generateRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("resolve root %s: %w", root, err)
	}
	return abs, nil
}

// generateHostPath is the host path of clean name under root. A name whose
// parent directories go through a symlink is refused: a tree walk never
// produces one, and following it could archive files outside root.
func generateHostPath(root, name string, o RepackOptions) (string, error) {
	lexical := pathsafe.Clean(name)
	resolved, err := pathsafe.ResolveParent(root, name, o.FsEval)
	if err != nil {
		return "", fmt.Errorf("archive %s: %w", name, err)
	}
	if resolved != lexical {
		return "", fmt.Errorf("archive %s: parent resolves to %s through a symlink: %w", name, resolved, pathsafe.ErrBreakout)
	}
	return pathsafe.Host(root, lexical), nil
}

package layer

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
)

// GenerateInsertLayer writes to w an uncompressed tar layer that puts the
// host file or directory src at the in-image path target (insert). The
// first entry is target itself (its parents are not added), followed by
// the rest of src walked in lexical order; symlinks are archived as they
// are and hardlinks within src become link entries. With opaque, an
// opaque whiteout target/.wh..wh..opq comes first, hiding what lower
// layers have under target.
func GenerateInsertLayer(ctx context.Context, w io.Writer, src, target string, opaque bool, opts *RepackOptions) error {
	o := generateDefaults(opts, src)
	base := generateImageName(target)
	g := newGenerateWriter(w, o)
	if opaque {
		if err := g.addWhiteout(path.Join(base, generateOpaqueName)); err != nil {
			return fmt.Errorf("generate insert layer: %w", err)
		}
	}
	err := o.FsEval.WalkDir(src, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return fmt.Errorf("archive %s: %w", p, err)
		}
		return g.addFile(path.Join(base, filepath.ToSlash(rel)), p)
	})
	if err != nil {
		return fmt.Errorf("generate insert layer: %w", err)
	}
	return g.close()
}

// GenerateWhiteoutLayer writes to w an uncompressed tar layer holding only
// the whiteout that deletes the in-image path target
// (dir(target)/.wh.base(target)).
func GenerateWhiteoutLayer(ctx context.Context, w io.Writer, target string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("generate whiteout layer: %w", err)
	}
	wh, err := generateWhiteoutName(generateImageName(target))
	if err != nil {
		return fmt.Errorf("generate whiteout layer: %w", err)
	}
	g := newGenerateWriter(w, RepackOptions{})
	if err := g.addWhiteout(wh); err != nil {
		return fmt.Errorf("generate whiteout layer: %w", err)
	}
	return g.close()
}

package layer

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
)

// InsertSource is one host file or directory of an insert layer and the
// in-image path it goes to.
type InsertSource struct {
	Source, Target string
}

// GenerateInsertLayer writes to w an uncompressed tar layer that puts the
// host file or directory src at the in-image path target (insert). The
// first entry is target itself (its parents are not added), followed by
// the rest of src walked in lexical order; symlinks are archived as they
// are and hardlinks within src become link entries. With opaque, an
// opaque whiteout target/.wh..wh..opq comes first, hiding what lower
// layers have under target. A directory inserted at the image root "/" is
// archived under the name "/", as umoci names it (a repack names the root
// ".").
func GenerateInsertLayer(ctx context.Context, w io.Writer, src, target string, opaque bool, opts *RepackOptions) error {
	return GenerateInsertLayers(ctx, w, []InsertSource{{Source: src, Target: target}}, opaque, opts)
}

// GenerateInsertLayers is GenerateInsertLayer for several sources in one
// layer, written in the order given: where targets overlap, the later
// source's entries come later and win on unpack. With opaque every target
// gets its opaque whiteout just before its content; it hides only what
// lower layers have there, never what an earlier source of this layer
// wrote. Hardlinks between files of different sources become link
// entries too. Unless opts.FsEval is set, each source is read with a
// filesystem evaluator bounded by that source.
func GenerateInsertLayers(ctx context.Context, w io.Writer, sources []InsertSource, opaque bool, opts *RepackOptions) error {
	return generateInsert(ctx, w, sources, opaque, opts, "/")
}

// GenerateTreeLayer writes to w an uncompressed tar layer of the whole tree
// at root, as GenerateInsertLayer of root at "/" does, except that the root
// directory's own entry is named "." (like a repack's), the usual name in
// a flattened root filesystem.
func GenerateTreeLayer(ctx context.Context, w io.Writer, root string, opts *RepackOptions) error {
	return generateInsert(ctx, w, []InsertSource{{Source: root, Target: "/"}}, false, opts, ".")
}

// generateInsert writes the insert layer of sources; rootDirName is the
// tar name of an entry for the image root directory.
func generateInsert(ctx context.Context, w io.Writer, sources []InsertSource, opaque bool, opts *RepackOptions, rootDirName string) error {
	if len(sources) == 0 {
		return fmt.Errorf("generate insert layer: no source")
	}
	g := newGenerateWriter(w, generateDefaults(opts, sources[0].Source))
	g.rootDirName = rootDirName
	for _, s := range sources {
		g.opts = generateDefaults(opts, s.Source)
		if err := g.addInsert(ctx, s, opaque); err != nil {
			return fmt.Errorf("generate insert layer: %w", err)
		}
	}
	if err := g.close(); err != nil {
		return fmt.Errorf("generate insert layer: %w", err)
	}
	return nil
}

// addInsert writes the entries of one insert source.
func (g *generateWriter) addInsert(ctx context.Context, s InsertSource, opaque bool) error {
	base := generateImageName(s.Target)
	if opaque {
		if err := g.addWhiteout(path.Join(base, generateOpaqueName)); err != nil {
			return err
		}
	}
	return g.opts.FsEval.WalkDir(s.Source, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(s.Source, p)
		if err != nil {
			return fmt.Errorf("archive %s: %w", p, err)
		}
		return g.addFile(path.Join(base, filepath.ToSlash(rel)), p)
	})
}

// GenerateWhiteoutLayer writes to w an uncompressed tar layer holding only
// the whiteouts that delete the in-image paths targets
// (dir(target)/.wh.base(target)), in the order given.
func GenerateWhiteoutLayer(ctx context.Context, w io.Writer, targets ...string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("generate whiteout layer: %w", err)
	}
	if len(targets) == 0 {
		return fmt.Errorf("generate whiteout layer: no target")
	}
	g := newGenerateWriter(w, RepackOptions{})
	for _, target := range targets {
		wh, err := generateWhiteoutName(generateImageName(target))
		if err != nil {
			return fmt.Errorf("generate whiteout layer: %w", err)
		}
		if err := g.addWhiteout(wh); err != nil {
			return fmt.Errorf("generate whiteout layer: %w", err)
		}
	}
	return g.close()
}

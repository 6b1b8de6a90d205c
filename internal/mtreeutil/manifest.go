package mtreeutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vbatts/go-mtree"
)

// WriteManifest writes dh to path, which must not exist (O_EXCL, mode
// 0o644 before umask, as umoci). The header comments are those Walk put
// in dh (user, machine, tree, date, keywords).
func WriteManifest(ctx context.Context, path string, dh *mtree.DirectoryHierarchy) error {
	if dh == nil {
		return fmt.Errorf("write manifest %s: nil hierarchy", path)
	}
	return writeManifest(ctx, path, func(w io.Writer) error {
		_, err := dh.WriteTo(w)
		return err
	})
}

// WriteWalkManifest writes the manifest of root to path as WriteManifest
// writes Walk's, streaming it (see WriteWalk). When the stream meets an
// entry its scan cannot describe (errScanFallback: an FsEval that gives no
// uid or gid), the file is emptied and written again from Walk.
func WriteWalkManifest(ctx context.Context, path, root string, opts WalkOptions) error {
	return writeManifest(ctx, path, func(w io.Writer) error {
		err := WriteWalk(ctx, root, w, opts)
		if !errors.Is(err, errScanFallback) {
			return err
		}
		f := w.(*os.File)
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		dh, err := Walk(ctx, root, opts)
		if err != nil {
			return err
		}
		_, err = dh.WriteTo(f)
		return err
	})
}

// writeManifest creates path exclusively, fills it and fsyncs it.
func writeManifest(ctx context.Context, path string, fill func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("write manifest %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write manifest %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write manifest %s: %w", path, err)
	}
	return nil
}

// ReadManifest parses the mtree manifest at path.
func ReadManifest(ctx context.Context, path string) (*mtree.DirectoryHierarchy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer f.Close()
	dh, err := parseSpec(f)
	if err != nil {
		return nil, fmt.Errorf("parse manifest %s: %w", path, err)
	}
	return dh, nil
}

// parseSpec is mtree.ParseSpec, with its panics turned into errors: the
// manifest is user-editable and go-mtree v0.7.0 indexes past the end of a
// line that a trailing '\' continuation leaves blank (a line of optional
// spaces and a '\', then a whitespace-only line or end of input).
func parseSpec(r io.Reader) (dh *mtree.DirectoryHierarchy, err error) {
	defer func() {
		if p := recover(); p != nil {
			dh, err = nil, fmt.Errorf("malformed manifest: %v", p)
		}
	}()
	return mtree.ParseSpec(r)
}

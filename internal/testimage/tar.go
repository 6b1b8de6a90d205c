package testimage

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
)

const (
	whiteoutPrefix = ".wh."
	opaqueName     = ".wh..wh..opq"
)

// header builds the tar header of e, in the shape umoci writes: clean
// relative names, directories ending in "/", whole-second times and blank
// user/group names.
func header(e Entry) (*tar.Header, error) {
	name := cleanPath(e.Path)
	mtime := e.ModTime
	if mtime.IsZero() {
		mtime = Epoch
	}
	hdr := &tar.Header{
		Name:    name,
		Mode:    e.Mode & 0o7777,
		Uid:     e.UID,
		Gid:     e.GID,
		ModTime: mtime.Truncate(1e9),
	}
	switch e.Kind {
	case KindFile:
		hdr.Typeflag = tar.TypeReg
		hdr.Size = int64(len(e.Content))
		if e.Content == nil && e.Source != nil {
			hdr.Size = e.Size
		}
		if hdr.Mode == 0 && e.Mode == 0 {
			hdr.Mode = 0o644
		}
	case KindDir:
		hdr.Typeflag = tar.TypeDir
		if name != "." {
			hdr.Name = name + "/"
		}
		if e.Mode == 0 {
			hdr.Mode = 0o755
		}
	case KindSymlink, KindHardlink:
		if e.Linkname == "" {
			return nil, fmt.Errorf("entry %q: empty link target", e.Path)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.Linkname
		if e.Kind == KindHardlink {
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, cleanPath(e.Linkname)
		} else if e.Mode == 0 {
			hdr.Mode = 0o777
		}
	case KindWhiteout, KindOpaque:
		if name == "." && e.Kind == KindWhiteout {
			return nil, errors.New("whiteout of the image root")
		}
		base := opaqueName
		dir := name
		if e.Kind == KindWhiteout {
			dir, base = path.Dir(name), whiteoutPrefix+path.Base(name)
		}
		// Whiteouts are empty regular files with mode 0, root owned, epoch time.
		hdr = &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     cleanPath(path.Join(dir, base)),
			ModTime:  Epoch.Truncate(1e9),
		}
	default:
		return nil, fmt.Errorf("entry %q: unknown kind %d", e.Path, e.Kind)
	}
	return hdr, nil
}

// writeTar writes entries as one uncompressed tar stream to w.
func writeTar(ctx context.Context, w io.Writer, entries []Entry) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := header(e)
		if err != nil {
			return fmt.Errorf("build header: %w", err)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("write header %q: %w", hdr.Name, err)
		}
		if e.Kind != KindFile {
			continue
		}
		if e.Content != nil || e.Source == nil {
			if _, err := tw.Write(e.Content); err != nil {
				return fmt.Errorf("write %q: %w", hdr.Name, err)
			}
			continue
		}
		n, err := io.CopyN(tw, e.Source(), e.Size)
		if err != nil {
			return fmt.Errorf("write %q (%d of %d bytes): %w", hdr.Name, n, e.Size, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("close tar: %w", err)
	}
	return nil
}

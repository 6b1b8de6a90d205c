package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/idmap"
	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/casext"
)

// UnpackOptions configures Unpack and UnpackRootfs.
type UnpackOptions struct {
	// MapOptions maps layer owners to host owners and selects rootless
	// mode; it is recorded in umoci.json for repack.
	MapOptions layer.MapOptions
	// KeepDirlinks keeps existing symlinks to directories when a layer has
	// a directory entry at their path (rsync's --keep-dirlinks).
	KeepDirlinks bool
	// SourceDateEpoch, when set, is the time of the directories no layer
	// has an entry for (otherwise the time of the unpack), so that two
	// unpacks of one image give the same tree and mtree manifest.
	SourceDateEpoch *time.Time
	// Progress, when set, is told how much of each layer blob has been
	// read.
	Progress progress.Reporter
}

// layerOptions returns the layer applier's options for opts.
func (opts UnpackOptions) layerOptions(cache *layer.DigestCache) *layer.UnpackOptions {
	return &layer.UnpackOptions{MapOptions: opts.MapOptions, KeepDirlinks: opts.KeepDirlinks,
		Digests: cache, ImplicitDirTime: opts.SourceDateEpoch}
}

// ErrRootfsNotEmpty is wrapped by UnpackRootfs's error for a rootfs that is
// an existing non-empty directory (umoci extracts over it: §7 item 9).
var ErrRootfsNotEmpty = errors.New("rootfs is not empty")

// UnpackRootfs extracts the layers of the image at the end of path into
// rootfs, without config.json, mtree or umoci.json (raw unpack). rootfs is
// created if missing; an existing empty directory is used, anything else
// that exists is refused. On failure rootfs is removed if UnpackRootfs
// created it, and emptied otherwise.
func UnpackRootfs(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, rootfs string, opts UnpackOptions) (err error) {
	img, err := loadImage(ctx, engine, path)
	if err != nil {
		return fmt.Errorf("unpack rootfs: %w", err)
	}
	created, err := prepareRawRootfs(rootfs)
	if err != nil {
		return fmt.Errorf("unpack rootfs: %w", err)
	}
	fs := fseval.NewIn(rootfs, opts.MapOptions.Rootless)
	defer func() {
		if err == nil {
			return
		}
		if created {
			_ = fs.RemoveAll(rootfs)
		} else {
			_ = emptyDir(fs, rootfs)
		}
	}()
	lopts := opts.layerOptions(nil)
	if err := unpackRootfs(ctx, withProgress(engine, opts.Progress, img.manifest.Layers), img, rootfs, lopts); err != nil {
		return fmt.Errorf("unpack rootfs: %w", err)
	}
	return nil
}

// prepareRawRootfs creates rootfs (and missing parents, mode 0755) or checks
// that the existing rootfs is an empty directory.
func prepareRawRootfs(rootfs string) (created bool, err error) {
	fi, err := os.Lstat(rootfs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(rootfs), 0o755); err != nil {
			return false, fmt.Errorf("create rootfs parent: %w", err)
		}
		if err := os.Mkdir(rootfs, 0o755); err != nil {
			return false, fmt.Errorf("create rootfs: %w", err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("check rootfs: %w", err)
	case !fi.IsDir():
		return false, fmt.Errorf("check rootfs %s: %w", rootfs, syscall.ENOTDIR)
	}
	d, err := os.Open(rootfs)
	if err != nil {
		return false, fmt.Errorf("check rootfs: %w", err)
	}
	defer d.Close()
	if names, err := d.Readdirnames(1); len(names) > 0 {
		return false, fmt.Errorf("check rootfs %s: %w (refusing to extract over existing files)", rootfs, ErrRootfsNotEmpty)
	} else if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("check rootfs: %w", err)
	}
	return false, nil
}

// emptyDir removes everything inside dir.
func emptyDir(fs fseval.FsEval, dir string) error {
	names, err := fs.Readdirnames(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		errs = append(errs, fs.RemoveAll(filepath.Join(dir, n)))
	}
	return errors.Join(errs...)
}

// unpackRootfs sets up the existing directory rootfs (owned by the mapped
// root, mtime at the epoch, as umoci does) and applies every layer.
func unpackRootfs(ctx context.Context, engine casext.Engine, img *image, rootfs string, lopts *layer.UnpackOptions) error {
	mo := lopts.MapOptions
	if !mo.Rootless {
		uid, err := idmap.ToHost(0, mo.UIDMappings)
		if err != nil {
			return fmt.Errorf("chown rootfs: %w", err)
		}
		gid, err := idmap.ToHost(0, mo.GIDMappings)
		if err != nil {
			return fmt.Errorf("chown rootfs: %w", err)
		}
		if err := os.Lchown(rootfs, int(uid), int(gid)); err != nil {
			if errors.Is(err, os.ErrPermission) {
				return fmt.Errorf("chown rootfs: %w (unpacking as an unprivileged user requires --rootless)", err)
			}
			return fmt.Errorf("chown rootfs: %w", err)
		}
	}
	// Many images have no entry for "/": its mtime starts at the epoch.
	epoch := time.Unix(0, 0)
	if err := fseval.NewIn(rootfs, mo.Rootless).Lutimes(rootfs, epoch, epoch); err != nil {
		return fmt.Errorf("set rootfs times: %w", err)
	}
	return extractLayers(ctx, engineLayers{engine}, img.manifest, img.config, rootfs, lopts)
}

package bundle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/casext"
)

// Names inside a bundle (umoci-behaviour.md §3.4).
const (
	RootfsName = "rootfs"
	ConfigName = "config.json"
)

// ErrBundleExists is wrapped by Unpack's error for a bundle that already
// has a config.json or a rootfs.
var ErrBundleExists = errors.New("bundle already unpacked")

// MtreeName returns the name of the mtree manifest of a bundle unpacked
// from manifest digest d: "sha256_<hex>.mtree".
func MtreeName(d digest.Digest) string {
	return strings.Replace(d.String(), ":", "_", 1) + ".mtree"
}

// Unpack turns the image at the end of path into the runtime bundle at
// bundle (umoci-behaviour.md §2.10, §3.4): it creates bundle (mode 0700),
// extracts the layers into bundle/rootfs, writes config.json, the mtree
// manifest, a stat cache for repack and umoci.json. A bundle that already
// has a config.json or rootfs is refused. On any failure everything Unpack
// created is removed, so that a retry can succeed.
func Unpack(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, bundle string, opts UnpackOptions) (err error) {
	img, err := loadImage(ctx, engine, path)
	if err != nil {
		return fmt.Errorf("unpack bundle: %w", err)
	}
	if img.config.OS != "linux" {
		return fmt.Errorf("unpack bundle: %w: %q", ErrUnsupportedOS, img.config.OS)
	}
	u := &unpacking{bundle: bundle, fs: fseval.NewIn(filepath.Join(bundle, RootfsName), opts.MapOptions.Rootless)}
	defer func() {
		if err != nil {
			u.cleanup(ctx)
		}
	}()
	if err := u.prepare(); err != nil {
		return fmt.Errorf("unpack bundle: %w", err)
	}
	if err := u.run(ctx, withProgress(engine, opts.Progress, img.manifest.Layers), path, img, opts); err != nil {
		return fmt.Errorf("unpack bundle: %w", err)
	}
	return nil
}

// unpacking tracks what one Unpack created, for cleanup on failure.
type unpacking struct {
	bundle  string
	fs      fseval.FsEval
	topDir  string   // first directory Unpack created on the way to bundle, if any
	created []string // files and directories created inside bundle, in order
}

// prepare creates the bundle directory (and missing parents) with mode
// 0700, or checks that the existing one has no config.json and no rootfs.
func (u *unpacking) prepare() error {
	top, err := firstMissing(u.bundle)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(u.bundle, 0o755); err != nil {
		return fmt.Errorf("create bundle: %w", err)
	}
	u.topDir = top
	if err := os.Chmod(u.bundle, 0o700); err != nil {
		return fmt.Errorf("chmod bundle: %w", err)
	}
	for _, name := range []string{ConfigName, RootfsName} {
		if _, err := os.Lstat(filepath.Join(u.bundle, name)); err == nil {
			return fmt.Errorf("check bundle %s: %w: %s already exists", u.bundle, ErrBundleExists, name)
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("check bundle: %w", err)
		}
	}
	return nil
}

// firstMissing returns the topmost missing directory on the way to dir
// ("" if dir exists; an error if it exists but is not a directory).
func firstMissing(dir string) (string, error) {
	dir = filepath.Clean(dir)
	var top string
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return "", fmt.Errorf("create bundle: %s: %w", p, syscall.ENOTDIR)
			}
			return top, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("create bundle: %w", err)
		}
		top = p
		if parent := filepath.Dir(p); parent == p {
			return top, nil
		}
	}
}

// track records name (inside the bundle) as created by Unpack.
func (u *unpacking) track(name string) {
	u.created = append(u.created, name)
}

// cleanup removes what Unpack created, newest first. Errors are logged:
// the unpack error is what the caller reports.
func (u *unpacking) cleanup(ctx context.Context) {
	log := slog.Default()
	for _, name := range slices.Backward(u.created) {
		if err := u.fs.RemoveAll(filepath.Join(u.bundle, name)); err != nil {
			log.WarnContext(ctx, "remove partially unpacked file", "path", filepath.Join(u.bundle, name), "error", err)
		}
	}
	if u.topDir != "" {
		if err := os.RemoveAll(u.topDir); err != nil {
			log.WarnContext(ctx, "remove bundle directory", "path", u.topDir, "error", err)
		}
	}
}

// unpackLayerOptions are the layer options of an unpack that records file
// digests in cache.
func unpackLayerOptions(opts UnpackOptions, cache *layer.DigestCache) *layer.UnpackOptions {
	return opts.layerOptions(cache)
}

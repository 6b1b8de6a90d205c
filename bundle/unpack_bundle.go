package bundle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/casext"
)

// run does the work of Unpack inside the prepared bundle: rootfs,
// config.json, mtree manifest, stat cache and umoci.json, in umoci's order.
func (u *unpacking) run(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, img *image, opts UnpackOptions) error {
	// Mkdir (not MkdirAll) so a rootfs that appeared since prepare is
	// never adopted, nor removed on cleanup.
	rootfs := filepath.Join(u.bundle, RootfsName)
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return fmt.Errorf("create rootfs: %w", err)
	}
	u.track(RootfsName)
	cache := &layer.DigestCache{}
	if err := unpackRootfs(ctx, engine, img, rootfs, unpackLayerOptions(opts, cache)); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	spec, err := RuntimeConfig(ctx, *img.config, rootfs, ConfigOptions{MapOptions: opts.MapOptions})
	if err != nil {
		return err
	}
	// The atomic writes leave nothing behind when they fail: record each
	// file once it exists, so cleanup never removes a file it did not make.
	if err := WriteRuntimeConfig(ctx, filepath.Join(u.bundle, ConfigName), spec); err != nil {
		return err
	}
	u.track(ConfigName)

	// The manifest is written as the tree is walked, and the stat cache
	// as the manifest: neither is held in memory.
	mtreeName := MtreeName(path.Descriptor().Digest)
	err = mtreeutil.WriteStatCache(ctx, u.bundle, func(stats mtreeutil.Recorder) error {
		err := mtreeutil.WriteWalkManifest(ctx, filepath.Join(u.bundle, mtreeName), rootfs, mtreeutil.WalkOptions{
			FsEval: u.fs,
			Digest: cachedDigest(cache),
			Record: stats,
		})
		// The manifest is created exclusively: unless it was already
		// there, a failed write may leave a partial file that is ours.
		if !errors.Is(err, fs.ErrExist) {
			u.track(mtreeName)
		}
		if err != nil {
			return fmt.Errorf("generate mtree manifest: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	u.track(mtreeutil.StatCacheName)

	meta := Meta{Version: MetaVersion, From: path, MapOptions: opts.MapOptions}
	if err := WriteMeta(ctx, u.bundle, meta); err != nil {
		return err
	}
	u.track(MetaName)
	return nil
}

// cachedDigest returns an mtree digest source that looks files up by inode
// in the digests the layer applier recorded.
func cachedDigest(cache *layer.DigestCache) func(string, os.FileInfo) (digest.Digest, bool) {
	return func(_ string, fi os.FileInfo) (digest.Digest, bool) {
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return "", false
		}
		return cache.Lookup(st.Ino, fi.Size())
	}
}

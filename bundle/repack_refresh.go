package bundle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/lade-oci/lade/oci/casext"
)

// refreshSlack is how long before the repack started a file's ctime must
// be for its old digest to be reused: file timestamps come from a coarse
// clock that can lag the wall clock by a few milliseconds.
const refreshSlack = time.Second

// refresh rewrites a bundle's manifest, stat cache and umoci.json after a
// repack so that they describe the new image.
type refresh struct {
	bundle, rootfs string
	meta           Meta
	eval           fseval.FsEval
	old            *mtree.DirectoryHierarchy // the manifest repack diffed against
	changed        []mtree.InodeDelta        // every delta the diff found
	start          time.Time                 // before the diff began
}

// run walks the rootfs again (reusing the old digest of every file the
// diff found unchanged and that has not been touched since), writes
// sha256_<new>.mtree, then umoci.json pointing at path, then the stat
// cache, and finally removes the old manifest. A crash in between leaves
// umoci.json naming a manifest that exists.
func (r refresh) run(ctx context.Context, path casext.DescriptorPath) error {
	known, err := refreshDigests(r.old)
	if err != nil {
		return err
	}
	for _, d := range r.changed {
		delete(known, d.Path())
	}
	cutoff := r.start.Add(-refreshSlack).UnixNano()
	cache := mtreeutil.NewStatCache()
	dh, err := mtreeutil.Walk(ctx, r.rootfs, mtreeutil.WalkOptions{
		FsEval: r.eval,
		Record: cache,
		Digest: func(rel string, fi os.FileInfo) (digest.Digest, bool) {
			d, ok := known[rel]
			if !ok || !changedBefore(fi, cutoff) {
				return "", false
			}
			return d, true
		},
	})
	if err != nil {
		return err
	}

	oldPath := repackManifestPath(r.bundle, r.meta.From)
	newPath := repackManifestPath(r.bundle, path)
	if newPath != oldPath {
		// A leftover of an interrupted refresh: umoci.json never named it.
		if err := os.Remove(newPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale manifest: %w", err)
		}
	}
	if err := mtreeutil.WriteManifest(ctx, newPath, dh); err != nil {
		return err
	}
	meta := r.meta
	meta.From = path
	if err := WriteMeta(ctx, r.bundle, meta); err != nil {
		return err
	}
	if err := mtreeutil.SaveStatCache(ctx, r.bundle, cache); err != nil {
		return err
	}
	if newPath != oldPath {
		if err := os.Remove(oldPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove old manifest: %w", err)
		}
	}
	return nil
}

// changedBefore reports whether fi's ctime is older than cutoff (ns).
func changedBefore(fi os.FileInfo, cutoff int64) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return time.Unix(st.Ctim.Unix()).UnixNano() < cutoff
}

// refreshDigests maps each manifest path to its sha256 digest.
func refreshDigests(dh *mtree.DirectoryHierarchy) (map[string]digest.Digest, error) {
	out := map[string]digest.Digest{}
	for _, e := range dh.Entries {
		if e.Type != mtree.RelativeType && e.Type != mtree.FullType {
			continue
		}
		kvs := mtree.HasKeyword(e.AllKeys(), "sha256digest")
		if len(kvs) == 0 {
			continue
		}
		p, err := e.Path()
		if err != nil {
			return nil, fmt.Errorf("read manifest entry: %w", err)
		}
		d := digest.NewDigestFromEncoded(digest.SHA256, kvs[0].Value())
		if d.Validate() != nil {
			continue
		}
		out[p] = d
	}
	return out, nil
}

package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/casext"
)

// flatTempPrefix starts the name of the private directory that export and
// squash unpack into.
const flatTempPrefix = ".lade-flat-"

// withFlatRootfs unpacks the image at the end of path into a fresh private
// directory (mode 0700) inside tempDir ("" means os.TempDir()), calls fn
// with the rootfs path, and always removes the directory again: on success,
// on error and on cancellation of ctx. Directories no layer lists get sde
// (when set) as their time, as with unpack.
func withFlatRootfs(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, tempDir string,
	mo layer.MapOptions, sde *time.Time, fn func(rootfs string) error) (err error) {
	tmp, err := os.MkdirTemp(tempDir, flatTempPrefix+"*")
	if err != nil {
		return fmt.Errorf("create temporary directory: %w", err)
	}
	defer func() {
		// RemoveAll takes no ctx: the tree goes even when ctx is cancelled.
		if rerr := fseval.NewIn(tmp, mo.Rootless).RemoveAll(tmp); rerr != nil {
			err = errors.Join(err, fmt.Errorf("remove temporary directory: %w", rerr))
		}
	}()
	rootfs := filepath.Join(tmp, "rootfs")
	if err := UnpackRootfs(ctx, engine, path, rootfs, UnpackOptions{MapOptions: mo, SourceDateEpoch: sde}); err != nil {
		return err
	}
	return fn(rootfs)
}

// generateFlat writes the whole tree at rootfs to w as one uncompressed tar
// layer: "." first, then every path in lexical order, hardlinks within the
// tree as link entries, xattrs as PAX records, owners mapped back through
// mo (rootless: from user.rootlesscontainers), times newer than sde
// clamped to it.
func generateFlat(ctx context.Context, w io.Writer, rootfs string, mo layer.MapOptions, sde *time.Time) error {
	opts := &layer.RepackOptions{MapOptions: mo, SourceDateEpoch: sde}
	return layer.GenerateTreeLayer(ctx, w, rootfs, opts)
}

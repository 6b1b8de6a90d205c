package bundle

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/lade-oci/lade/internal/atomicfile"
	"github.com/lade-oci/lade/oci/casext"
)

// exportBuffer is the write buffer in front of an export file.
const exportBuffer = 1 << 20

// ExportFile is Export into the file output, written atomically: a temp
// file in output's directory is filled, fsynced, made mode 0644 and renamed
// over output, so output is either untouched or complete. A symlink or
// special file at output (/dev/stdout, a pipe) is written through instead
// (atomicfile.WriteOutput). An existing directory at output is refused.
// The temporary tree goes next to a regular (or new) output, else into
// $TMPDIR (never into /dev), unless opts.TempDir is set.
func ExportFile(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, output string, opts ExportOptions) (err error) {
	if fi, err := os.Stat(output); err == nil && fi.IsDir() {
		return fmt.Errorf("export to %s: %w", output, syscall.EISDIR)
	}
	if opts.TempDir == "" {
		opts.TempDir = exportTempDir(output)
	}
	return atomicfile.WriteOutput(ctx, output, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, exportBuffer)
		if err := Export(ctx, engine, path, bw, opts); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write %s: %w", output, err)
		}
		return nil
	})
}

// exportTempDir is where the temporary tree of an export to output goes:
// next to output when it is a regular file or does not exist yet (same
// filesystem, and its owner chose it), else "" ($TMPDIR): the directory of
// /dev/stdout or of a pipe is no place for an unpacked image.
func exportTempDir(output string) string {
	if fi, err := os.Lstat(output); err == nil && !fi.Mode().IsRegular() {
		return ""
	}
	return filepath.Dir(output)
}

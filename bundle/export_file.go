package bundle

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/lade-oci/lade/oci/casext"
)

// exportBuffer is the write buffer in front of an export file.
const exportBuffer = 1 << 20

// ExportFile is Export into the file output, written atomically: a temp
// file in output's directory is filled, fsynced, made mode 0644 and renamed
// over output, so output is either untouched or complete. An existing
// directory at output is refused. The temporary tree goes next to output
// unless opts.TempDir is set.
func ExportFile(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, output string, opts ExportOptions) (err error) {
	if fi, err := os.Stat(output); err == nil && fi.IsDir() {
		return fmt.Errorf("export to %s: %w", output, syscall.EISDIR)
	}
	dir := filepath.Dir(output)
	if opts.TempDir == "" {
		opts.TempDir = dir
	}
	tmp, err := os.CreateTemp(dir, ".lade-tmp-export-*")
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, exportBuffer)
	if err := Export(ctx, engine, path, bw, opts); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), output); err != nil {
		return fmt.Errorf("rename %s: %w", tmp.Name(), err)
	}
	return exportSyncDir(dir)
}

// exportSyncDir fsyncs the directory dir, making a rename in it durable.
func exportSyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

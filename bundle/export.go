package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

// ExportOptions configures Export and ExportFile.
type ExportOptions struct {
	// MapOptions says how owners are unpacked into the temporary tree and
	// mapped back into the tar; Rootless works without privileges (device
	// nodes then become empty regular files in the output).
	MapOptions layer.MapOptions
	// SourceDateEpoch, when set, clamps entry times newer than it.
	SourceDateEpoch *time.Time
	// Compression of the output; nil means none.
	Compression compress.Algorithm
	// TempDir holds the private temporary tree; "" means os.TempDir() for
	// Export and the output's directory for ExportFile.
	TempDir string
}

// Export writes the flattened root filesystem of the image at the end of
// path to w as one tar archive (compressed with opts.Compression): every
// layer applied in order and whiteouts resolved, so the archive holds no
// ".wh." entries. The layers are unpacked into a private temporary tree,
// which is removed before Export returns, whatever happens.
//
// The archive is deterministic: entries are sorted, user and group names
// are blank, and times are the ones the layers recorded (whole seconds,
// access and change times omitted). A directory that no layer has an entry
// for gets the time of the unpack; SourceDateEpoch clamps it.
func Export(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, w io.Writer, opts ExportOptions) error {
	alg := opts.Compression
	if alg == nil {
		alg = compress.None
	}
	err := withFlatRootfs(ctx, engine, path, opts.TempDir, opts.MapOptions, opts.SourceDateEpoch, func(rootfs string) error {
		cw, err := alg.Compress(w)
		if err != nil {
			return err
		}
		if err := generateFlat(ctx, cw, rootfs, opts.MapOptions, opts.SourceDateEpoch); err != nil {
			return errors.Join(err, cw.Close())
		}
		if err := cw.Close(); err != nil {
			return fmt.Errorf("finish %s stream: %w", alg.Name(), err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export rootfs: %w", err)
	}
	return nil
}

package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

// ErrDiffIDMismatch is wrapped by the error for a layer whose uncompressed
// content does not hash to the diff_id the image config lists for it.
var ErrDiffIDMismatch = errors.New("diff_id mismatch")

// extractLayers applies every layer of manifest to rootfs in order,
// checking ctx between layers.
func extractLayers(ctx context.Context, engine casext.Engine, manifest *ispec.Manifest, img *ispec.Image,
	rootfs string, lopts *layer.UnpackOptions) error {
	log := slog.Default()
	for i, desc := range manifest.Layers {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("unpack layers: %w", err)
		}
		log.InfoContext(ctx, "unpack layer", "index", i, "digest", desc.Digest, "media_type", desc.MediaType)
		if err := applyLayer(ctx, engine, desc, img.RootFS.DiffIDs[i], rootfs, lopts); err != nil {
			return fmt.Errorf("unpack layer %d (%s): %w", i, desc.Digest, err)
		}
	}
	return nil
}

// applyLayer streams one layer blob through verification and decompression
// (in a separate goroutine, ahead of the applier, hashing the uncompressed
// stream) into layer.UnpackLayer, then checks the diff_id.
func applyLayer(ctx context.Context, engine casext.Engine, desc ispec.Descriptor, diffID digest.Digest,
	rootfs string, lopts *layer.UnpackOptions) (err error) {
	alg, err := compress.ByMediaType(desc.MediaType)
	if err != nil {
		return fmt.Errorf("select decompression: %w", err)
	}
	blob, err := engine.GetVerifiedBlob(ctx, desc)
	if err != nil {
		return err
	}
	pf := newPrefetcher(func() (io.ReadCloser, error) {
		dec, err := alg.Decompress(blob)
		if err != nil {
			_ = blob.Close()
			return nil, fmt.Errorf("decompress %s layer: %w", alg.Name(), err)
		}
		return &decompressed{dec: dec, blob: blob}, nil
	})
	defer pf.Close()

	if err := layer.UnpackLayer(ctx, rootfs, pf, lopts); err != nil {
		// A corrupt blob is the root cause of whatever the applier saw
		// (a bad tar header, say): read on to the blob's end to find out.
		if ctx.Err() == nil {
			if _, derr := io.Copy(io.Discard, pf); errors.Is(derr, cas.ErrDigestMismatch) {
				return derr
			}
		}
		return err
	}
	// UnpackLayer consumes trailing bytes; make sure of it for the hash.
	if _, err := io.Copy(io.Discard, pf); err != nil {
		return fmt.Errorf("read layer: %w", err)
	}
	got := pf.Digest()
	if got != diffID {
		return fmt.Errorf("%w: uncompressed layer is %s, config says %s", ErrDiffIDMismatch, got, diffID)
	}
	return nil
}

// decompressed closes the decompressor then the verified blob reader, whose
// Close reports a digest or size mismatch.
type decompressed struct {
	dec  io.ReadCloser
	blob io.ReadCloser
}

// Read reads decompressed data. A decompression error caused by a corrupt
// blob (a bad gzip checksum, say) is reported as the digest mismatch it is.
func (d *decompressed) Read(p []byte) (int, error) {
	n, err := d.dec.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		if cerr := d.blob.Close(); errors.Is(cerr, cas.ErrDigestMismatch) {
			return n, cerr
		}
	}
	return n, err
}

func (d *decompressed) Close() error {
	return errors.Join(d.dec.Close(), d.blob.Close())
}

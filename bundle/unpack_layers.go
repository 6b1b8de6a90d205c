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

// layerSource gives unpack the blob of each layer. openLayerBlob is called
// for a layer while the layer before it is applied, and the reader it
// returns is read in a goroutine of its own, whose Read may block until
// the bytes arrive: a pull in progress can feed unpack as it goes. The
// reader must check the blob's size and digest as it streams and fail
// (wrapping cas.ErrDigestMismatch for a wrong digest) at the latest at the
// end of the blob, as casext's verified reads do.
type layerSource interface {
	openLayerBlob(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error)
}

// engineLayers reads layer blobs from a layout (verified reads).
type engineLayers struct{ engine casext.Engine }

func (s engineLayers) openLayerBlob(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	return s.engine.GetVerifiedBlob(ctx, desc)
}

// extractLayers applies every layer of manifest to rootfs in order,
// checking ctx between layers. While one layer is applied the next one is
// already being verified and decompressed (see lookaheadChunks), into the
// buffers the applied layer does not need: the two share one budget.
func extractLayers(ctx context.Context, src layerSource, manifest *ispec.Manifest, img *ispec.Image,
	rootfs string, lopts *layer.UnpackOptions) error {
	log := slog.Default()
	pools := layerPools{
		layer: newChunkPool(prefetchChunks + lookaheadChunks),
		blob:  newChunkPool(2 * blobReadaheadChunks),
	}
	var next *layerStream
	defer func() {
		if next != nil {
			next.close()
		}
	}()
	for i, desc := range manifest.Layers {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("unpack layers: %w", err)
		}
		cur := next
		if cur == nil {
			cur = openLayer(ctx, src, desc, prefetchChunks, pools)
		}
		cur.promote()
		next = nil
		if i+1 < len(manifest.Layers) {
			next = openLayer(ctx, src, manifest.Layers[i+1], lookaheadChunks, pools)
		}
		log.InfoContext(ctx, "unpack layer", "index", i, "digest", desc.Digest, "media_type", desc.MediaType)
		err := applyLayer(ctx, cur, img.RootFS.DiffIDs[i], rootfs, lopts)
		cur.close()
		if err != nil {
			return fmt.Errorf("unpack layer %d (%s): %w", i, desc.Digest, err)
		}
	}
	return nil
}

// layerPools are the buffer budgets of the layer streams of one unpack:
// decompressed chunks, and compressed read-ahead chunks. Each must hold
// what the current stream may keep plus what the next one may take.
type layerPools struct {
	layer, blob *chunkPool
}

// layerStream is one layer blob being verified and decompressed ahead of
// the applier, or the error that kept it from starting.
type layerStream struct {
	pf  *prefetcher
	err error
}

// openLayer starts verifying and decompressing the blob of desc in its own
// goroutine, buffering up to chunks chunks (the uncompressed stream is
// hashed on the way for the diff_id check). Buffers come from and go back
// to pools.
func openLayer(ctx context.Context, src layerSource, desc ispec.Descriptor, chunks int, pools layerPools) *layerStream {
	alg, err := compress.ByMediaType(desc.MediaType)
	if err != nil {
		return &layerStream{err: fmt.Errorf("select decompression: %w", err)}
	}
	blob, err := src.openLayerBlob(ctx, desc)
	if err != nil {
		return &layerStream{err: err}
	}
	pf := startPrefetcher(func() (io.ReadCloser, error) {
		if dec, ok, err := decompressMapped(alg, blob, desc.Size); ok {
			return dec, err
		}
		// The blob is read (and its digest checked) in a goroutine of its
		// own, so the decompressor, the slowest stage, only decompresses:
		// in this goroutine, straight into the prefetch chunks.
		raw := startPrefetcher(func() (io.ReadCloser, error) { return blob, nil }, blobReadaheadChunks, false, pools.blob)
		dec, err := compress.DecompressInline(alg, raw)
		if err != nil {
			if _, derr := io.Copy(io.Discard, raw); errors.Is(derr, cas.ErrDigestMismatch) {
				err = derr
			}
			_ = raw.Close()
			return nil, fmt.Errorf("decompress %s layer: %w", alg.Name(), err)
		}
		return &decompressed{dec: dec, raw: raw}, nil
	}, chunks, true, pools.layer)
	return &layerStream{pf: pf}
}

// promote makes s the stream being applied: it keeps prefetchChunks
// buffers and gives the rest of its read-ahead budget back as it is read,
// for the next layer's read-ahead.
func (s *layerStream) promote() {
	if s.pf != nil {
		s.pf.setLimit(prefetchChunks)
	}
}

// close stops the stream's producer, if it started.
func (s *layerStream) close() {
	if s.pf != nil {
		_ = s.pf.Close()
	}
}

// applyLayer feeds the stream into layer.UnpackLayer, then checks the
// diff_id.
func applyLayer(ctx context.Context, s *layerStream, diffID digest.Digest, rootfs string, lopts *layer.UnpackOptions) error {
	if s.err != nil {
		return s.err
	}
	pf := s.pf
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

// blobReadaheadChunks bounds how far the compressed blob is read ahead of
// the decompressor.
const blobReadaheadChunks = 8

// decompressed reads a decompressor over a read-ahead of the verified
// blob; closing it closes both (the blob reader drains and verifies the
// rest of the blob, in the read-ahead goroutine).
type decompressed struct {
	dec io.ReadCloser
	raw *prefetcher
}

// Read reads decompressed data. A decompression error caused by a corrupt
// blob (a bad gzip checksum, say) is reported as the digest mismatch it is:
// the rest of the blob is read to find out.
func (d *decompressed) Read(p []byte) (int, error) {
	n, err := d.dec.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, cas.ErrDigestMismatch) {
		if _, derr := io.Copy(io.Discard, d.raw); errors.Is(derr, cas.ErrDigestMismatch) {
			return n, derr
		}
	}
	return n, err
}

func (d *decompressed) Close() error {
	return errors.Join(d.dec.Close(), d.raw.Close())
}

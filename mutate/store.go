package mutate

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/compress"
)

// errAborted stops the compressing goroutine when storing the blob failed.
var errAborted = errors.New("layer store aborted")

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// ctxReader stops reading once ctx is done, so a cancelled Add ends even
// when the source never does and the backend does not watch ctx mid-copy.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// storeLayer hashes and counts the uncompressed stream r while compressing
// it into engine.PutBlob through a pipe. Compression (and the diff_id hash)
// run in their own goroutine, so they overlap with PutBlob's own hashing and
// writing. The goroutine has always finished when storeLayer returns.
func storeLayer(ctx context.Context, engine cas.Engine, r io.Reader, alg compress.Algorithm) (layerBlob, error) {
	diffID := digest.SHA256.Digester()
	var counter countingWriter
	src := io.TeeReader(ctxReader{ctx, r}, io.MultiWriter(diffID.Hash(), &counter))

	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- compressInto(pw, src, alg) }()

	d, size, putErr := engine.PutBlob(ctx, pr)
	// Unblock the goroutine if PutBlob stopped reading early; a no-op for
	// its result when it already finished.
	pr.CloseWithError(errAborted)
	compErr := <-done

	switch {
	case compErr != nil && !errors.Is(compErr, errAborted):
		return layerBlob{}, compErr
	case putErr != nil:
		return layerBlob{}, fmt.Errorf("store layer blob: %w", putErr)
	case compErr != nil:
		return layerBlob{}, compErr
	}
	return layerBlob{digest: d, size: size, diffID: diffID.Digest(), rawSize: counter.n}, nil
}

// compressInto compresses src into pw and closes pw with the outcome, so
// the reading side sees EOF only after a complete, flushed stream.
func compressInto(pw *io.PipeWriter, src io.Reader, alg compress.Algorithm) (err error) {
	defer func() { pw.CloseWithError(err) }()
	zw, err := alg.Compress(pw)
	if err != nil {
		return fmt.Errorf("start %s compressor: %w", alg.Name(), err)
	}
	if _, err := io.Copy(zw, src); err != nil {
		_ = zw.Close()
		return fmt.Errorf("compress layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish %s compression: %w", alg.Name(), err)
	}
	return nil
}

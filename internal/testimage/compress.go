package testimage

import (
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// Compression is how a layer blob is compressed.
type Compression string

// The supported layer compressions.
const (
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
	None Compression = "none"
)

const layerMediaType = "application/vnd.oci.image.layer.v1.tar"

// mediaType returns the OCI layer media type for c.
func (c Compression) mediaType() (string, error) {
	switch c {
	case Gzip, "":
		return layerMediaType + "+gzip", nil
	case Zstd:
		return layerMediaType + "+zstd", nil
	case None:
		return layerMediaType, nil
	}
	return "", fmt.Errorf("unknown compression %q", string(c))
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// writer returns a compressing writer onto w. Output is deterministic: gzip
// uses fixed pgzip blocks and no header time, zstd a single encoder thread.
func (c Compression) writer(w io.Writer) (io.WriteCloser, error) {
	switch c {
	case Gzip, "":
		zw := pgzip.NewWriter(w)
		if err := zw.SetConcurrency(1<<20, 4); err != nil {
			return nil, fmt.Errorf("configure gzip: %w", err)
		}
		return zw, nil
	case Zstd:
		zw, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("create zstd writer: %w", err)
		}
		return zw, nil
	case None:
		return nopWriteCloser{w}, nil
	}
	return nil, fmt.Errorf("unknown compression %q", string(c))
}

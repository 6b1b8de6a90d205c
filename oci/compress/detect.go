package compress

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// refused are formats that are recognised only to be refused clearly
// rather than mistaken for an uncompressed tar.
var refused = []struct {
	name  string
	magic []byte
}{
	{"bzip2", []byte("BZh")},
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
}

// Detect tells the compression of the stream behind r from its magic bytes
// without consuming them. Data that matches no known magic is taken as
// uncompressed (None); bzip2 and xz are recognised and refused.
func Detect(r *bufio.Reader) (Algorithm, error) {
	head, err := r.Peek(6)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("detect compression: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return Gzip, nil
	case bytes.HasPrefix(head, zstdMagic):
		return Zstd, nil
	}
	for _, f := range refused {
		if bytes.HasPrefix(head, f.magic) {
			return nil, fmt.Errorf("%w: %s data (only gzip, zstd or none)", ErrUnsupported, f.name)
		}
	}
	return None, nil
}

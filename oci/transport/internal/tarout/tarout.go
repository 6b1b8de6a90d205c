// Package tarout writes tar archives member by member from headers the
// caller chooses, copying regular members' content with io.Copy so that a
// file-to-file copy uses copy_file_range. The local archive transports
// (oci-archive:, docker-archive:) assemble their output with it.
package tarout

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
)

const blockSize = 512

// MaxSize is an upper bound of the size of an archive of members members
// holding content bytes in all: per member a header, a PAX header for long
// names or large values and the padding, and the end-of-archive marker.
func MaxSize(members int, content int64) int64 {
	return content + int64(members)*4*blockSize + 2*blockSize
}

// Writer writes tar members to w.
type Writer struct {
	w io.Writer
	n int64
}

// New returns a Writer writing to w.
func New(w io.Writer) *Writer { return &Writer{w: w} }

// Len returns the number of bytes written so far.
func (w *Writer) Len() int64 { return w.n }

// Add writes the member hdr. For a regular member, exactly hdr.Size bytes
// are copied from r (a shorter r is io.ErrUnexpectedEOF), then the padding
// to the next block; other members have no content and r is ignored.
func (w *Writer) Add(ctx context.Context, hdr *tar.Header, r io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("tar header %s: %w", hdr.Name, err)
	}
	if err := w.write(b.Bytes()); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	got, err := io.Copy(w.w, io.LimitReader(r, hdr.Size))
	w.n += got
	if err == nil && got != hdr.Size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", hdr.Name, err)
	}
	if pad := (blockSize - hdr.Size%blockSize) % blockSize; pad > 0 {
		return w.write(make([]byte, pad))
	}
	return nil
}

// AddBytes writes a regular member hdr holding data (hdr.Size is set).
func (w *Writer) AddBytes(ctx context.Context, hdr *tar.Header, data []byte) error {
	hdr.Size = int64(len(data))
	return w.Add(ctx, hdr, bytes.NewReader(data))
}

// Close writes the end-of-archive marker (two zero blocks).
func (w *Writer) Close() error {
	return w.write(make([]byte, 2*blockSize))
}

func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	w.n += int64(n)
	if err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	return nil
}

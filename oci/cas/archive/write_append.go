package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// tarAppender writes the new archive sequentially and tracks its size.
type tarAppender struct {
	out   *os.File
	pos   int64
	mtime time.Time
}

// memberTime is the modification time of the members lade appends:
// SOURCE_DATE_EPOCH when set to a valid number of seconds, else the Unix
// epoch, so that the same changes give the same bytes. (skopeo writes the
// time of the copy.)
func memberTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
			return time.Unix(n, 0)
		}
	}
	return time.Unix(0, 0)
}

// copyRange copies n bytes at off of src to the end of the new archive.
// Between two *os.File, io.Copy of a LimitedReader uses copy_file_range.
// src's offset is its own: concurrent readers use ReadAt.
func (w *tarAppender) copyRange(ctx context.Context, src *os.File, off, n int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := src.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("seek %s: %w", src.Name(), err)
	}
	got, err := io.Copy(w.out, io.LimitReader(src, n))
	w.pos += got
	if err == nil && got != n {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return writeErr("copy members", err)
	}
	return nil
}

// header writes the header blocks of a regular member: mode 0644, owner
// root (0:0), mtime w.mtime. USTAR unless the size needs PAX.
func (w *tarAppender) header(name string, size int64) error {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644,
		ModTime: w.mtime, Uname: "root", Gname: "root"}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("tar header %s: %w", name, err)
	}
	return w.write(b.Bytes())
}

// appendMember appends m's content (from m.src) as member name.
func (w *tarAppender) appendMember(ctx context.Context, name string, m member) error {
	if err := w.header(name, m.size); err != nil {
		return err
	}
	if f, ok := m.src.(*os.File); ok {
		if err := w.copyRange(ctx, f, m.offset, m.size); err != nil {
			return err
		}
	} else {
		got, err := io.Copy(w.out, io.NewSectionReader(m.src, m.offset, m.size))
		w.pos += got
		if err != nil {
			return writeErr("copy "+name, err)
		}
	}
	return w.pad()
}

// appendBytes appends data as member name.
func (w *tarAppender) appendBytes(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.header(name, int64(len(data))); err != nil {
		return err
	}
	if err := w.write(data); err != nil {
		return err
	}
	return w.pad()
}

// pad writes zeros up to the next block boundary.
func (w *tarAppender) pad() error {
	if r := w.pos % blockSize; r != 0 {
		return w.write(make([]byte, blockSize-r))
	}
	return nil
}

// finish writes the end-of-archive marker: two zero blocks.
func (w *tarAppender) finish() error {
	return w.write(make([]byte, 2*blockSize))
}

func (w *tarAppender) write(b []byte) error {
	n, err := w.out.Write(b)
	w.pos += int64(n)
	if err != nil {
		return writeErr("write new archive", err)
	}
	return nil
}

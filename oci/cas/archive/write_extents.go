package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
)

// blockSize is the tar block size.
const blockSize = 512

// extent is where one member lies in the archive: from its first header
// block (PAX and GNU extension headers included) to the end of its padded
// content, which is where the next member starts.
type extent struct {
	name       string // cleaned member name
	start, end int64
	global     bool // a PAX global header, not a file
}

// posReader is the archive as archive/tar reads it, tracking the position.
// It records where the first whole-block read of each tr.Next call starts:
// Next first skips what is left of the previous member (seeking, then
// reading one byte, or reading less than a block of padding), then reads
// the first header block of the next member whole.
type posReader struct {
	sr    *io.SectionReader
	pos   int64
	first int64 // -1 until the first block read of the current Next
}

func (p *posReader) Read(b []byte) (int, error) {
	if len(b) == blockSize && p.first < 0 {
		p.first = p.pos
	}
	n, err := p.sr.Read(b)
	p.pos += int64(n)
	return n, err
}

func (p *posReader) Seek(off int64, whence int) (int64, error) {
	pos, err := p.sr.Seek(off, whence)
	if err == nil {
		p.pos = pos
	}
	return pos, err
}

// extents lists the members of the archive r (size bytes, already scanned
// and validated) in order, and where the end-of-archive marker starts. The
// extents tile the archive from 0 to that marker. commit checks what it
// builds from them by scanning the result.
func extents(ctx context.Context, r io.ReaderAt, size int64) ([]extent, int64, error) {
	pr := &posReader{sr: io.NewSectionReader(r, 0, size)}
	tr := tar.NewReader(pr)
	var out []extent
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		pr.first = -1
		hdr, err := tr.Next()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("read member after %d members: %w", len(out), err)
		}
		if pr.first < 0 {
			return nil, 0, fmt.Errorf("locate member %d: no header block read", len(out))
		}
		if n := len(out); n > 0 {
			out[n-1].end = pr.first
		}
		if errors.Is(err, io.EOF) {
			return out, pr.first, nil
		}
		name, err := cleanName(hdr.Name)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, extent{name: name, start: pr.first, global: hdr.Typeflag == tar.TypeXGlobalHeader})
	}
}

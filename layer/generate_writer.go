package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// generateCopyBuffer is the size of the buffer reused to stream every file.
const generateCopyBuffer = 1 << 20

// generateInode identifies a file for hardlink detection.
type generateInode struct{ dev, ino uint64 }

// generateWriter writes layer entries from files on disk. Hardlinks are
// detected by inode among the files it writes: the first name is archived
// in full, later names become link entries to it.
type generateWriter struct {
	tw     *tar.Writer
	opts   RepackOptions
	inodes map[generateInode]string
	buf    []byte
	log    *slog.Logger
}

func newGenerateWriter(w io.Writer, opts RepackOptions) *generateWriter {
	return &generateWriter{
		tw:     tar.NewWriter(w),
		opts:   opts,
		inodes: make(map[generateInode]string),
		buf:    make([]byte, generateCopyBuffer),
		log:    slog.Default(),
	}
}

// addWhiteout writes the whiteout entry called name (".wh." basename): an
// empty regular file with mode 0, owner 0:0 and the epoch as mtime.
func (g *generateWriter) addWhiteout(name string) error {
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     name,
		ModTime:  time.Unix(0, 0),
	}
	if err := g.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write whiteout %s: %w", name, err)
	}
	return nil
}

// addFile archives the host file at hostPath under the clean name. Files
// whose basename starts with ".wh." are refused: they would be read back
// as whiteouts.
func (g *generateWriter) addFile(name, hostPath string) error {
	if generateIsWhiteout(name) {
		return fmt.Errorf("archive %s: file name has the reserved whiteout prefix %q", name, generateWhiteoutPrefix)
	}
	hdr, ino, err := g.header(name, hostPath)
	if err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeDir && ino.nlink > 1 {
		if first, ok := g.inodes[ino.key]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			g.inodes[ino.key] = hdr.Name
		}
	}
	if err := g.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write header for %s: %w", name, err)
	}
	if hdr.Typeflag == tar.TypeReg && hdr.Size > 0 {
		return g.copyContent(hdr, hostPath)
	}
	return nil
}

// copyContent streams the file body; a file whose size changed since its
// header was written is an error rather than a corrupt layer.
func (g *generateWriter) copyContent(hdr *tar.Header, hostPath string) error {
	f, err := g.opts.FsEval.Open(hostPath)
	if err != nil {
		return fmt.Errorf("open %s: %w", hdr.Name, err)
	}
	defer f.Close()
	// Hide ReadFrom/WriteTo so the reused buffer is what gets used.
	n, err := io.CopyBuffer(struct{ io.Writer }{g.tw}, struct{ io.Reader }{io.LimitReader(f, hdr.Size)}, g.buf)
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		return fmt.Errorf("archive content of %s: %w", hdr.Name, err)
	case n != hdr.Size:
		return fmt.Errorf("archive content of %s: file shrank from %d to %d bytes while archiving", hdr.Name, hdr.Size, n)
	}
	return nil
}

// close writes the end-of-archive marker.
func (g *generateWriter) close() error {
	if err := g.tw.Close(); err != nil {
		return fmt.Errorf("finish layer tar: %w", err)
	}
	return nil
}

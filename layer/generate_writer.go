package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// generateCopyBuffer is the size of the buffer reused to stream every file.
const generateCopyBuffer = 1 << 20

// generateInode identifies a file for hardlink detection.
type generateInode struct{ dev, ino uint64 }

// generateWriter writes layer entries from files on disk. Hardlinks are
// detected by inode among the files it writes: the first name is archived
// in full, later names become link entries to it. A name written again
// (insert of several sources can overlap) stops standing for its inode, as
// do the names under a directory replaced by a non-directory, so a link
// never points at content that replaced the original.
type generateWriter struct {
	tw     *tar.Writer
	opts   RepackOptions
	inodes map[generateInode]string
	names  map[string]generateInode // the inverse of inodes
	dirs   map[string]bool          // directory entries written
	buf    []byte
	log    *slog.Logger
	// rootDirName is the tar name of the root directory's own entry:
	// "." (repack) unless set ("/" for insert, as umoci writes them).
	rootDirName string
}

func newGenerateWriter(w io.Writer, opts RepackOptions) *generateWriter {
	return &generateWriter{
		tw:     tar.NewWriter(w),
		opts:   opts,
		inodes: make(map[generateInode]string),
		names:  make(map[string]generateInode),
		dirs:   make(map[string]bool),
		buf:    make([]byte, generateCopyBuffer),
		log:    slog.Default(),
	}
}

// replaced forgets the hardlink targets that writing an entry at name
// replaces: name itself and, when a non-directory replaces a directory,
// every name below it.
func (g *generateWriter) replaced(name string, dir bool) {
	name = strings.TrimSuffix(name, "/")
	if key, ok := g.names[name]; ok {
		delete(g.names, name)
		delete(g.inodes, key)
	}
	if dir {
		g.dirs[name] = true
		return
	}
	if !g.dirs[name] {
		return
	}
	delete(g.dirs, name)
	prefix := name + "/"
	for n, key := range g.names {
		if strings.HasPrefix(n, prefix) {
			delete(g.names, n)
			delete(g.inodes, key)
		}
	}
	for d := range g.dirs {
		if strings.HasPrefix(d, prefix) {
			delete(g.dirs, d)
		}
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
	g.replaced(hdr.Name, hdr.Typeflag == tar.TypeDir)
	if hdr.Name == "." && hdr.Typeflag == tar.TypeDir && g.rootDirName != "" {
		hdr.Name = g.rootDirName
	}
	if hdr.Typeflag != tar.TypeDir && ino.nlink > 1 {
		if first, ok := g.inodes[ino.key]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			g.inodes[ino.key] = hdr.Name
			g.names[hdr.Name] = ino.key
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

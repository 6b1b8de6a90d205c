package layer

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/pathsafe"
)

// Whiteout names (OCI image-spec layer changesets).
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// UnpackLayer applies one uncompressed tar stream to root, creating root if
// it is missing. Every entry is treated as hostile: names are rooted and
// cleaned, parents resolve inside root with chroot semantics, and nothing
// outside root is created, changed or removed. The whole stream is consumed
// (trailing bytes after the tar end included) so callers hashing it for the
// diff_id see every byte. GNU sparse entries (any format archive/tar reads)
// become files with holes, not written zeros; the sparse entries of one
// layer may total 64 GiB of logical size. In regular entries, whole aligned
// MiBs of zeros become holes too, so a small layer that decompresses to
// gigabytes of zeros cannot fill the disk. On error root is left partially
// written; cleaning it up is the caller's job. Errors are one line of
// bounded length whatever the entry names.
func UnpackLayer(ctx context.Context, root string, r io.Reader, opts *UnpackOptions) error {
	if err := unpackLayer(ctx, root, r, opts); err != nil {
		return lineError{err}
	}
	return nil
}

func unpackLayer(ctx context.Context, root string, r io.Reader, opts *UnpackOptions) error {
	if opts == nil {
		opts = &UnpackOptions{}
	}
	u, err := newUnpacker(ctx, root, opts)
	if err != nil {
		return err
	}
	if !opts.MapOptions.Rootless {
		// Rootless writes may open up directories for a moment (see
		// fseval): they stay in one goroutine.
		u.startWriters(fileWriters)
	}
	p := startParser(ctx, r, opts.Digests != nil)
	if err := u.applyAll(p); err != nil {
		p.close() // first: a writer may wait for content
		_ = u.stopWriters()
		return err
	}
	err = u.stopWriters()
	p.close()
	if err != nil {
		return err
	}
	if p.trailing > 0 {
		u.log.DebugContext(ctx, "layer has trailing data after tar end", "bytes", p.trailing)
	}
	return u.finish()
}

// applyAll applies the entries p reads, in order.
func (u *unpacker) applyAll(p *entryReader) error {
	for it := range p.items {
		if it.err != nil {
			return it.err
		}
		var c *contentStream
		if it.content != nil {
			c = p.stream(it.content)
		}
		err := u.entry(it.hdr, c)
		if err == nil && c != nil && !c.owned {
			err = c.drain() // content an entry did not need (whiteouts)
		}
		if err != nil {
			return fmt.Errorf("unpack entry %q: %w", it.hdr.Name, err)
		}
	}
	return nil
}

// readLayer calls entry for every entry of the tar stream r, in order, and
// then reads r to its end (so that a caller hashing r for the diff_id sees
// every byte), telling trailing about bytes after the tar end. It stops at
// the first error, and when ctx is done.
func readLayer(ctx context.Context, r io.Reader, entry func(*tar.Header, io.Reader) error, trailing func(int64)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	tr := tar.NewReader(br)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read layer: %w", err)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read tar header: %w", err)
		}
		if err := entry(hdr, tr); err != nil {
			return err
		}
	}
	n, err := io.Copy(io.Discard, br)
	if err != nil {
		return fmt.Errorf("read trailing layer data: %w", err)
	}
	if n > 0 && trailing != nil {
		trailing(n)
	}
	return nil
}

// newUnpacker prepares root (created with mode 0755 if missing; it must be a
// directory) and the per-layer state.
func newUnpacker(ctx context.Context, root string, opts *UnpackOptions) (*unpacker, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve root %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("create root: %w", err)
	}
	// Host paths are built by string concatenation: make root itself real.
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("resolve root %s: %w", root, err)
	}
	u := &unpacker{
		ctx:   ctx,
		root:  abs,
		fs:    fseval.NewIn(abs, opts.MapOptions.Rootless),
		opts:  opts,
		log:   slog.Default(),
		dirs:  map[string]*dirState{"/": {}},
		upper: map[string]struct{}{"/": {}},
		warn:  map[string]bool{},
		euid:  os.Geteuid(),
	}
	return u, nil
}

// entry applies one tar header (and, for a regular file, its content) to
// the root.
func (u *unpacker) entry(hdr *tar.Header, content *contentStream) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name := pathsafe.Clean(hdr.Name)
	dir, base := path.Dir(name), path.Base(name)
	// Entries in a directory known to be real, of the kinds whose paths
	// are checked against the writes in flight, go on while files are
	// written; anything else waits for every write first.
	_, known := u.dirs[dir]
	fast := known && name != "/"
	switch {
	case strings.HasPrefix(base, whiteoutPrefix):
		fast = fast && base != whiteoutOpaque // removals wait for what they remove
	case hdr.Typeflag == tar.TypeReg, hdr.Typeflag == tar.TypeRegA, hdr.Typeflag == tar.TypeGNUSparse,
		hdr.Typeflag == tar.TypeSymlink:
	case hdr.Typeflag == tar.TypeDir:
		fast = fast && !u.opts.KeepDirlinks
	default:
		fast = false
	}
	if !fast {
		if err := u.writers.barrier(); err != nil {
			return err
		}
	}
	if name == "/" {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("malicious tar entry: root is type %q, not a directory: %w", hdr.Typeflag, ErrBreakout)
		}
		return u.extractDir("/", hdr)
	}
	if strings.HasPrefix(base, whiteoutPrefix) {
		return u.whiteout(dir, base)
	}
	parent, err := u.parentDir(dir)
	if err != nil {
		return err
	}
	if err := u.saveTimes(parent); err != nil {
		return err
	}
	p := path.Join(parent, base)
	u.markUpper(p)
	if fast {
		if handled, err := u.handOff(p, hdr, content); handled || err != nil {
			return err
		}
		if err := u.writers.waitFor(p); err != nil {
			return err
		}
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
		return u.extractFile(p, hdr, content)
	case tar.TypeDir:
		return u.extractDir(p, hdr)
	case tar.TypeSymlink:
		return u.extractSymlink(p, hdr)
	case tar.TypeLink:
		return u.extractHardlink(p, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return u.extractNode(p, hdr)
	default:
		return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
}

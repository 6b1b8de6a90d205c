package layer

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"syscall"

	"github.com/lade-oci/lade/internal/pathsafe"
)

// treeLayer is the state of one ApplyLayer call, the in-memory twin of
// unpacker: in-root paths are clean, "/"-rooted and resolved.
type treeLayer struct {
	ctx context.Context
	t   *Tree
	// upper holds every in-root path this layer wrote, with its ancestors;
	// whiteouts never remove them (as unpacker.upper).
	upper      map[string]struct{}
	sparseSize int64
	buf        []byte
}

// ApplyLayer applies one uncompressed tar stream to the tree with the
// semantics of UnpackLayer (as root, identity mappings, no KeepDirlinks):
// names rooted and cleaned, parents resolved through the tree's symlinks
// with chroot semantics, whiteouts scoped to lower layers, opaque
// directories, hardlinks, implicit parents (0755, 0:0), the same xattr
// filtering, and the same refusals (breakout whiteouts, a non-directory
// root, hardlinks to missing targets or directories, symlink loops, ids and
// device numbers out of range, the sparse budget). Regular file content is
// hashed while read and never kept. The whole stream is consumed, trailing
// bytes included. On error the tree is partially applied and should be
// dropped. Where the kernel or filesystem, not the layer, decides (device
// creation without privileges, xattrs the filesystem refuses other than
// user.* on symlinks and devices, over-long host paths), the tree follows
// what root on a filesystem with user xattrs gets.
func (t *Tree) ApplyLayer(ctx context.Context, r io.Reader) error {
	if err := t.applyLayer(ctx, r); err != nil {
		return lineError{err}
	}
	return nil
}

func (t *Tree) applyLayer(ctx context.Context, r io.Reader) error {
	l := &treeLayer{ctx: ctx, t: t, upper: map[string]struct{}{"/": {}}, buf: make([]byte, 256<<10)}
	return readLayer(ctx, r, func(hdr *tar.Header, content io.Reader) error {
		if err := l.entry(hdr, content); err != nil {
			return fmt.Errorf("apply entry %q: %w", hdr.Name, err)
		}
		return nil
	}, nil)
}

// entry applies one tar header (and its content), as unpacker.entry.
func (l *treeLayer) entry(hdr *tar.Header, content io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name := pathsafe.Clean(hdr.Name)
	if name == "/" {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("malicious tar entry: root is type %q, not a directory: %w", hdr.Typeflag, ErrBreakout)
		}
		return l.extractDir("/", l.t.root, hdr)
	}
	dir, base := path.Dir(name), path.Base(name)
	if strings.HasPrefix(base, whiteoutPrefix) {
		return l.whiteout(dir, base)
	}
	if err := checkNameLen(name); err != nil {
		return err
	}
	pdir, parent, err := l.parentDir(dir)
	if err != nil {
		return err
	}
	p := path.Join(pdir, base)
	l.markUpper(p)
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
		return l.extractFile(parent, base, hdr, content)
	case tar.TypeDir:
		return l.extractDir(p, parent, hdr)
	case tar.TypeSymlink:
		return l.extractSymlink(parent, base, hdr)
	case tar.TypeLink:
		return l.extractHardlink(p, parent, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return l.extractNode(parent, base, hdr)
	default:
		return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
}

// markUpper records p and its ancestors as written by this layer.
func (l *treeLayer) markUpper(p string) {
	for ; ; p = path.Dir(p) {
		if _, ok := l.upper[p]; ok {
			return
		}
		l.upper[p] = struct{}{}
	}
}

// maxNameLen is NAME_MAX: a longer component cannot be created on disk.
const maxNameLen = 255

// checkNameLen refuses a clean path with a component longer than NAME_MAX
// or a NUL byte, which unpack cannot create.
func checkNameLen(p string) error {
	if strings.ContainsRune(p, 0) {
		return fmt.Errorf("name contains a NUL byte: %w", syscall.EINVAL)
	}
	for _, part := range strings.Split(p, "/") {
		if len(part) > maxNameLen {
			return fmt.Errorf("name component of %d bytes: %w", len(part), syscall.ENAMETOOLONG)
		}
	}
	return nil
}

package layer

import (
	"archive/tar"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"path"
	"strings"

	"github.com/lade-oci/lade/internal/pathsafe"
	"github.com/opencontainers/go-digest"
)

// maxLinkLen is the longest symlink target Linux stores (PATH_MAX - 1).
const maxLinkLen = 4095

// treeMeta checks and converts hdr's metadata as unpacker.metadata does (as
// root, identity mappings): owners in range, mode bits, filtered xattrs.
func treeMeta(hdr *tar.Header) (Node, error) {
	if hdr.Uid < 0 || hdr.Gid < 0 || hdr.Uid >= math.MaxUint32 || hdr.Gid >= math.MaxUint32 {
		return Node{}, fmt.Errorf("owner %d:%d out of range", hdr.Uid, hdr.Gid)
	}
	n := Node{Mode: uint32(hdr.Mode) & 0o7777, UID: hdr.Uid, GID: hdr.Gid, ModTime: hdr.ModTime}
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, paxXattrPrefix)
		if !ok || !xattrNamespaceKnown(name) || XattrNeverApplied(name) {
			continue
		}
		if n.Xattrs == nil {
			n.Xattrs = map[string]string{}
		}
		n.Xattrs[name] = v
	}
	return n, nil
}

// extractFile hashes the content into a new regular node at parent/base.
func (l *treeLayer) extractFile(parent *treeNode, base string, hdr *tar.Header, content io.Reader) error {
	meta, err := treeMeta(hdr)
	if err != nil {
		return err
	}
	if isSparse(hdr) {
		if hdr.Size < 0 || hdr.Size > maxSparseLayerSize-l.sparseSize {
			return fmt.Errorf("%w: logical size %d bytes, the sparse files of one layer may total %d bytes (%d already used)",
				errSparseLimit, hdr.Size, int64(maxSparseLayerSize), l.sparseSize)
		}
		l.sparseSize += hdr.Size
	}
	h := sha256.New()
	n, err := io.CopyBuffer(h, onlyReader{content}, l.buf)
	if err != nil {
		return fmt.Errorf("read content: %w", err)
	}
	if n != hdr.Size {
		return fmt.Errorf("write %s: content is %d bytes, header says %d", hdr.Name, n, hdr.Size)
	}
	meta.Type, meta.Size, meta.Digest = TypeRegular, n, digest.NewDigest(digest.SHA256, h)
	l.t.set(parent, base, &treeNode{Node: meta})
	return nil
}

// onlyReader hides WriterTo so io.CopyBuffer uses the buffer.
type onlyReader struct{ io.Reader }

// extractDir creates or updates the directory at p: an existing directory
// keeps its contents and takes the entry's metadata (its xattrs replaced),
// anything else is replaced.
func (l *treeLayer) extractDir(p string, parent *treeNode, hdr *tar.Header) error {
	meta, err := treeMeta(hdr)
	if err != nil {
		return err
	}
	meta.Type = TypeDir
	var d *treeNode
	if p == "/" {
		d = l.t.root
	} else if d = parent.children[path.Base(p)]; d == nil || d.Type != TypeDir {
		d = newDirNode()
		l.t.set(parent, path.Base(p), d)
	}
	d.Node = meta
	return nil
}

func (l *treeLayer) extractSymlink(parent *treeNode, base string, hdr *tar.Header) error {
	meta, err := treeMeta(hdr)
	if err != nil {
		return err
	}
	switch {
	case hdr.Linkname == "":
		return fmt.Errorf("create symlink %s: empty target", base)
	case len(hdr.Linkname) > maxLinkLen || strings.ContainsRune(hdr.Linkname, 0):
		return fmt.Errorf("create symlink %s: invalid target of %d bytes", base, len(hdr.Linkname))
	}
	for name := range meta.Xattrs {
		if strings.HasPrefix(name, "user.") {
			delete(meta.Xattrs, name) // Linux refuses user.* on symlinks; unpack ignores that
		}
	}
	if len(meta.Xattrs) == 0 {
		meta.Xattrs = nil
	}
	meta.Type, meta.Mode, meta.Linkname = TypeSymlink, 0o777, hdr.Linkname
	l.t.set(parent, base, &treeNode{Node: meta})
	return nil
}

// extractHardlink makes parent/base a copy of the in-root target (a
// hardlink shares the target's inode: digest, mode, owner, xattrs, times).
func (l *treeLayer) extractHardlink(p string, parent *treeNode, base string, hdr *tar.Header) error {
	tname := pathsafe.Clean(hdr.Linkname)
	if tname == "/" {
		return fmt.Errorf("hardlink to the root directory: %w", ErrBreakout)
	}
	if err := checkNameLen(tname); err != nil {
		return fmt.Errorf("hardlink target: %w", err)
	}
	tdir, dir, err := l.lookupDir(path.Dir(tname))
	if err != nil {
		return err
	}
	if dir == nil {
		return fmt.Errorf("hardlink target %s does not exist", hdr.Linkname)
	}
	target, tbase := dir.children[path.Base(tname)], path.Base(tname)
	switch {
	case target == nil:
		return fmt.Errorf("hardlink target %s: does not exist", hdr.Linkname)
	case target.Type == TypeDir:
		return fmt.Errorf("hardlink target %s is a directory", hdr.Linkname)
	case path.Join(tdir, tbase) == p:
		return nil // a link to itself: already there
	}
	if parent.children[base] != nil {
		// Replacing p may remove the target (when it lies under p): unpack's
		// link then fails.
		l.t.remove(parent, base)
		if dir.children[tbase] != target || l.t.lookup(tdir) != dir {
			return fmt.Errorf("create hardlink %s: target %s was under it", p, hdr.Linkname)
		}
	}
	l.t.set(parent, base, &treeNode{Node: target.Node})
	return nil
}

// extractNode creates a FIFO or device node.
func (l *treeLayer) extractNode(parent *treeNode, base string, hdr *tar.Header) error {
	meta, err := treeMeta(hdr)
	if err != nil {
		return err
	}
	if hdr.Devmajor < 0 || hdr.Devminor < 0 || hdr.Devmajor > 0xfff || hdr.Devminor > 0xfffff {
		return fmt.Errorf("device number %d:%d out of range", hdr.Devmajor, hdr.Devminor)
	}
	for name := range meta.Xattrs {
		if strings.HasPrefix(name, "user.") {
			return fmt.Errorf("set xattr %s on node %s: operation not permitted", name, base)
		}
	}
	switch hdr.Typeflag {
	case tar.TypeChar:
		meta.Type = TypeChar
	case tar.TypeBlock:
		meta.Type = TypeBlock
	default:
		meta.Type = TypeFifo
	}
	if meta.Type != TypeFifo {
		meta.Devmajor, meta.Devminor = hdr.Devmajor, hdr.Devminor
	}
	l.t.set(parent, base, &treeNode{Node: meta})
	return nil
}

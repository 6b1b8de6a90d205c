package layer

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/rootlesscontainers"
	"github.com/lade-oci/lade/internal/system"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// oracle is how the on-disk applier is run and read back: as root with
// owners and devices, or rootless (owners and devices not comparable).
type oracle struct {
	rootless bool
	xattrs   bool // the filesystem keeps user.* xattrs
}

func newOracle(t testing.TB) oracle {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "probe")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return oracle{rootless: os.Geteuid() != 0, xattrs: system.Lsetxattr(p, "user.probe", []byte("1")) == nil}
}

// apply runs both appliers on layers: UnpackLayer into a fresh directory
// and Tree.ApplyLayer. It returns the on-disk root, the tree and each
// side's first error.
func (o oracle) apply(t testing.TB, layers [][]byte) (root string, tree *Tree, diskErr, treeErr error) {
	t.Helper()
	root = filepath.Join(t.TempDir(), "rootfs")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := &UnpackOptions{MapOptions: MapOptions{Rootless: o.rootless}}
	for _, l := range layers {
		if diskErr = UnpackLayer(t.Context(), root, bytes.NewReader(l), opts); diskErr != nil {
			break
		}
	}
	tree = NewTree()
	for _, l := range layers {
		if treeErr = tree.ApplyLayer(t.Context(), bytes.NewReader(l)); treeErr != nil {
			break
		}
	}
	return root, tree, diskErr, treeErr
}

// describe renders a node as one comparable line. Times are included only
// when the tree knows them (withTime); owners only when not rootless.
func (o oracle) describe(n *Node, withTime bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %04o", n.Type, n.Mode)
	if !o.rootless {
		fmt.Fprintf(&b, " %d:%d", n.UID, n.GID)
	}
	switch n.Type {
	case TypeRegular:
		fmt.Fprintf(&b, " %d %s", n.Size, n.Digest.Encoded()[:12])
	case TypeSymlink:
		fmt.Fprintf(&b, " -> %q", n.Linkname)
	case TypeChar, TypeBlock:
		fmt.Fprintf(&b, " %d,%d", n.Devmajor, n.Devminor)
	}
	if o.xattrs {
		var names []string
		for k, v := range n.Xattrs {
			if k != rootlesscontainers.Xattr {
				names = append(names, fmt.Sprintf("%s=%q", k, v))
			}
		}
		slices.Sort(names)
		fmt.Fprintf(&b, " [%s]", strings.Join(names, " "))
	}
	if withTime {
		fmt.Fprintf(&b, " @%d", n.ModTime.UnixNano())
	}
	return b.String()
}

// treeLines describes every path of tree, with the paths whose mtime the
// tree knows.
func (o oracle) treeLines(t testing.TB, tree *Tree) (map[string]string, map[string]bool) {
	t.Helper()
	lines, timed := map[string]string{}, map[string]bool{}
	err := tree.Walk(func(p string, n *Node) error {
		timed[p] = !n.ModTime.IsZero()
		lines[p] = o.describe(n, timed[p])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lines, timed
}

// diskLines describes every path under root the way treeLines does.
func (o oracle) diskLines(t testing.TB, root string, timed map[string]bool) map[string]string {
	t.Helper()
	lines := map[string]string{}
	err := filepath.WalkDir(root, func(h string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n, err := diskNode(h)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, h)
		p := filepath.Clean("/" + rel)
		lines[p] = o.describe(n, timed[p])
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return lines
}

// diskNode reads one path back into a Node.
func diskNode(h string) (*Node, error) {
	var st unix.Stat_t
	if err := unix.Lstat(h, &st); err != nil {
		return nil, err
	}
	n := &Node{Mode: st.Mode & 0o7777, UID: int(st.Uid), GID: int(st.Gid)}
	n.ModTime = timeOf(st.Mtim)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		f, err := os.Open(h)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sum := sha256.New()
		if n.Size, err = io.Copy(sum, f); err != nil {
			return nil, err
		}
		n.Type, n.Digest = TypeRegular, digest.NewDigest(digest.SHA256, sum)
	case unix.S_IFDIR:
		n.Type = TypeDir
	case unix.S_IFLNK:
		l, err := os.Readlink(h)
		if err != nil {
			return nil, err
		}
		n.Type, n.Linkname = TypeSymlink, l
	case unix.S_IFCHR, unix.S_IFBLK:
		n.Type = TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			n.Type = TypeBlock
		}
		n.Devmajor, n.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		n.Type = TypeFifo
	default:
		return nil, fmt.Errorf("%s: unexpected mode %o", h, st.Mode)
	}
	names, err := system.Llistxattr(h)
	if err != nil && !system.IsXattrUnsupported(err) {
		return nil, err
	}
	for _, name := range names {
		if XattrNeverApplied(name) {
			continue
		}
		v, err := system.Lgetxattr(h, name)
		if err != nil {
			return nil, err
		}
		if n.Xattrs == nil {
			n.Xattrs = map[string]string{}
		}
		n.Xattrs[name] = string(v)
	}
	return n, nil
}

func timeOf(ts unix.Timespec) time.Time { return time.Unix(ts.Unix()) }

// agree checks that the tree describes root exactly, path by path.
func (o oracle) agree(t testing.TB, root string, tree *Tree) {
	t.Helper()
	want, timed := o.treeLines(t, tree)
	got := o.diskLines(t, root, timed)
	var diffs []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%q only in tree: %s", p, w))
		} else if g != w {
			diffs = append(diffs, fmt.Sprintf("%q disk %s, tree %s", p, g, w))
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%q only on disk: %s", p, g))
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		t.Fatalf("tree and unpack disagree:\n%s", strings.Join(diffs, "\n"))
	}
	if tree.Len() != len(want)-1 {
		t.Fatalf("Len = %d, walked %d paths", tree.Len(), len(want)-1)
	}
}

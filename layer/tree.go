package layer

import (
	"path"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
)

// NodeType is the kind of a Tree node.
type NodeType uint8

// Node types.
const (
	TypeRegular NodeType = iota + 1
	TypeDir
	TypeSymlink
	TypeChar
	TypeBlock
	TypeFifo
)

var nodeTypeNames = map[NodeType]string{
	TypeRegular: "file", TypeDir: "dir", TypeSymlink: "symlink",
	TypeChar: "char", TypeBlock: "block", TypeFifo: "fifo",
}

func (t NodeType) String() string {
	if s, ok := nodeTypeNames[t]; ok {
		return s
	}
	return "unknown"
}

// Node is the metadata of one path of a Tree: what UnpackLayer (as root,
// not rootless, identity mappings) leaves on disk, with owners as in the
// layers. Content is never kept, only its digest.
type Node struct {
	Type NodeType
	// Mode is the permission bits with setuid, setgid and sticky (07777).
	// Symlinks are 0777 whatever the layer says, as on Linux.
	Mode     uint32
	UID, GID int
	// Size and Digest (sha256) describe the logical content of a regular
	// file (a sparse file's holes read as zeros); zero for other types.
	Size   int64
	Digest digest.Digest
	// Linkname is the target of a symlink. A hardlink is not a type: it is
	// a copy of the node it links to (same digest, mode, owner, ...).
	Linkname string
	// Devmajor and Devminor are set for character and block devices.
	Devmajor, Devminor int64
	// Xattrs are the extended attributes unpack would set (same filtering;
	// user.* is dropped on symlinks, where Linux refuses it). Never mutated
	// in place, so copies may share the map.
	Xattrs map[string]string
	// ModTime is the modification time of the entry. It is zero for
	// directories created implicitly (unpack gives them the current time)
	// and for the root directory until a layer has an entry for it.
	ModTime time.Time
}

// Tree is the flattened filesystem of a sequence of layers, built in memory
// by ApplyLayer with the semantics of UnpackLayer: it holds metadata only
// (a few hundred bytes per path), so an image of 100k paths is cheap. The
// zero value is not usable: call NewTree.
type Tree struct {
	root *treeNode
	n    int
}

type treeNode struct {
	Node
	children map[string]*treeNode // directories only
}

// NewTree returns a tree holding only the root directory (0755, 0:0), like
// the empty directory unpack starts from.
func NewTree() *Tree {
	return &Tree{root: newDirNode()}
}

// newDirNode is a directory as unpack creates implicitly: mode 0755, owned
// by the unpacking user (root), no time of its own.
func newDirNode() *treeNode {
	return &treeNode{Node: Node{Type: TypeDir, Mode: 0o755}, children: map[string]*treeNode{}}
}

// Len returns the number of paths in the tree, the root excluded.
func (t *Tree) Len() int { return t.n }

// Lookup returns the node at the clean in-root path p ("/" is the root)
// without following symlinks.
func (t *Tree) Lookup(p string) (Node, bool) {
	n := t.lookup(p)
	if n == nil {
		return Node{}, false
	}
	return n.Node, true
}

// lookup walks the clean in-root path p; a missing component or one that
// is not a directory gives nil.
func (t *Tree) lookup(p string) *treeNode {
	n := t.root
	for _, part := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if part == "" {
			continue
		}
		if n.Type != TypeDir {
			return nil
		}
		if n = n.children[part]; n == nil {
			return nil
		}
	}
	return n
}

// Walk calls fn for every path of the tree in tree order: the root "/"
// first, a directory before its contents, siblings by byte order of their
// names. An error from fn stops the walk and is returned.
func (t *Tree) Walk(fn func(p string, n *Node) error) error {
	return walkNode("/", t.root, fn)
}

func walkNode(p string, n *treeNode, fn func(string, *Node) error) error {
	if err := fn(p, &n.Node); err != nil {
		return err
	}
	for _, name := range sortedNames(n) {
		if err := walkNode(path.Join(p, name), n.children[name], fn); err != nil {
			return err
		}
	}
	return nil
}

func sortedNames(n *treeNode) []string {
	if n == nil || len(n.children) == 0 {
		return nil
	}
	names := make([]string, 0, len(n.children))
	for name := range n.children {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// count returns the number of nodes in n's subtree, n included.
func count(n *treeNode) int {
	c := 1
	for _, ch := range n.children {
		c += count(ch)
	}
	return c
}

// Clone returns a deep copy of the tree, so layers can be applied to a
// shared base without rebuilding it (two images with common lower layers).
func (t *Tree) Clone() *Tree {
	return &Tree{root: cloneNode(t.root), n: t.n}
}

func cloneNode(n *treeNode) *treeNode {
	c := &treeNode{Node: n.Node}
	if n.children != nil {
		c.children = make(map[string]*treeNode, len(n.children))
		for name, ch := range n.children {
			c.children[name] = cloneNode(ch)
		}
	}
	return c
}

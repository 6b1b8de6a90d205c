package layer

import (
	"path"
	"slices"
)

// ChangeKind says how a path differs between two trees.
type ChangeKind byte

// Change kinds, with the letters of git diff --name-status.
const (
	Added    ChangeKind = 'A'
	Removed  ChangeKind = 'D'
	Modified ChangeKind = 'M'
)

func (k ChangeKind) String() string { return string(rune(k)) }

// Fields of a Modified change, in the order they are listed.
const (
	FieldType    = "type"
	FieldMode    = "mode"
	FieldUID     = "uid"
	FieldGID     = "gid"
	FieldSize    = "size"
	FieldContent = "content"
	FieldLink    = "link"
	FieldDevice  = "device"
	FieldXattr   = "xattr"
	FieldMtime   = "mtime"
)

// Change is one difference between two trees. Old is nil for Added, New is
// nil for Removed.
type Change struct {
	Kind ChangeKind
	Path string
	// Fields lists what differs for Modified (Field* constants). A type
	// change lists only FieldType: the other fields are not comparable.
	Fields []string
	// Xattrs lists the names of the xattrs added, removed or changed
	// (sorted) when Fields has FieldXattr.
	Xattrs   []string
	Old, New *Node
}

// DiffOptions configures DiffTrees. The zero value (or nil) ignores
// modification times and reports every path.
type DiffOptions struct {
	// MTime compares modification times too (rebuilding an image changes
	// them for every file, so they are ignored by default).
	MTime bool
	// Collapse reports an added or removed directory once, not its
	// contents (which are added or removed with it).
	Collapse bool
}

// DiffTrees returns the changes from a to b in tree order (a directory
// before its contents, siblings by byte order of their names). By default
// every path under an added or removed directory is reported too, as git
// diff --name-status lists every file; see DiffOptions.Collapse.
func DiffTrees(a, b *Tree, opts *DiffOptions) []Change {
	if opts == nil {
		opts = &DiffOptions{}
	}
	d := &differ{opts: opts}
	d.node("/", a.root, b.root)
	return d.out
}

type differ struct {
	opts *DiffOptions
	out  []Change
}

func (d *differ) node(p string, a, b *treeNode) {
	switch {
	case a == nil:
		d.all(Added, p, b)
		return
	case b == nil:
		d.all(Removed, p, a)
		return
	}
	if fields, xattrs := compareNodes(&a.Node, &b.Node, d.opts.MTime); len(fields) > 0 {
		d.out = append(d.out, Change{Kind: Modified, Path: p, Fields: fields, Xattrs: xattrs, Old: &a.Node, New: &b.Node})
	}
	if a.Type != TypeDir || b.Type != TypeDir {
		// A type change: the directory side's contents come or go with it.
		if a.Type == TypeDir {
			d.children(p, a, nil)
		} else if b.Type == TypeDir {
			d.children(p, nil, b)
		}
		return
	}
	d.children(p, a, b)
}

func (d *differ) children(p string, a, b *treeNode) {
	names := append(sortedNames(a), sortedNames(b)...)
	slices.Sort(names)
	names = slices.Compact(names)
	for _, name := range names {
		var ca, cb *treeNode
		if a != nil {
			ca = a.children[name]
		}
		if b != nil {
			cb = b.children[name]
		}
		d.node(path.Join(p, name), ca, cb)
	}
}

// all reports n and (unless collapsing) its subtree as added or removed.
func (d *differ) all(kind ChangeKind, p string, n *treeNode) {
	c := Change{Kind: kind, Path: p}
	if kind == Added {
		c.New = &n.Node
	} else {
		c.Old = &n.Node
	}
	d.out = append(d.out, c)
	if d.opts.Collapse {
		return
	}
	for _, name := range sortedNames(n) {
		d.all(kind, path.Join(p, name), n.children[name])
	}
}

// compareNodes lists the fields that differ between a and b.
func compareNodes(a, b *Node, mtime bool) (fields, xattrs []string) {
	if a.Type != b.Type {
		return []string{FieldType}, nil
	}
	add := func(differ bool, f string) {
		if differ {
			fields = append(fields, f)
		}
	}
	add(a.Mode != b.Mode, FieldMode)
	add(a.UID != b.UID, FieldUID)
	add(a.GID != b.GID, FieldGID)
	add(a.Size != b.Size, FieldSize)
	add(a.Digest != b.Digest, FieldContent)
	add(a.Linkname != b.Linkname, FieldLink)
	add(a.Devmajor != b.Devmajor || a.Devminor != b.Devminor, FieldDevice)
	xattrs = diffXattrs(a.Xattrs, b.Xattrs)
	add(len(xattrs) > 0, FieldXattr)
	add(mtime && !a.ModTime.Equal(b.ModTime), FieldMtime)
	return fields, xattrs
}

// diffXattrs returns the sorted names whose presence or value differs.
func diffXattrs(a, b map[string]string) []string {
	var names []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			names = append(names, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

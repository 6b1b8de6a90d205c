package layer

import (
	"fmt"
	"path"
)

// whiteout applies a whiteout entry named base in (unresolved) directory
// dir, as unpacker.whiteout: only what lower layers left is removed.
func (l *treeLayer) whiteout(dir, base string) error {
	target, err := whiteoutTarget(dir, base)
	if err != nil {
		return err
	}
	d, n, err := l.lookupDir(dir)
	if err != nil || n == nil {
		return err // a whiteout in a missing directory is a no-op
	}
	if base == whiteoutOpaque {
		l.removeChildren(d, n)
		return nil
	}
	if err := checkNameLen(target); err != nil {
		return fmt.Errorf("lstat %s: %w", path.Join(d, target), err)
	}
	l.removeLower(d, n, target)
	return nil
}

// removeLower removes parent/name unless this layer wrote it; a directory
// this layer wrote into keeps what the layer wrote and loses the rest.
func (l *treeLayer) removeLower(dir string, parent *treeNode, name string) {
	n := parent.children[name]
	if n == nil {
		return
	}
	p := path.Join(dir, name)
	if _, up := l.upper[p]; !up {
		l.t.remove(parent, name)
		return
	}
	if n.Type == TypeDir {
		l.removeChildren(p, n)
	}
}

func (l *treeLayer) removeChildren(dir string, d *treeNode) {
	for _, name := range sortedNames(d) {
		l.removeLower(dir, d, name)
	}
}

package layer

import (
	"fmt"
	"os"
	"path"
	"strings"
	"syscall"
)

// maxSymlinks is securejoin's limit, which pathsafe.Resolve inherits.
const maxSymlinks = 255

// resolve is pathsafe.Resolve on the tree: every symlink in p (the last
// component included) is followed inside the root, ".." clamps at the
// root, and missing or non-directory components are kept lexically. It
// walks components exactly as securejoin does, so the results agree.
func (t *Tree) resolve(p string) (string, error) {
	cur, rem, links := "", strings.TrimPrefix(p, "/"), 0
	for rem != "" {
		var part string
		if i := strings.IndexByte(rem, '/'); i < 0 {
			part, rem = rem, ""
		} else {
			part, rem = rem[:i], rem[i+1:]
		}
		next := path.Join("/", cur, part)
		if next == "/" {
			cur = ""
			continue
		}
		if len(part) > maxNameLen && t.lookup(path.Join("/", cur)).isDir() {
			// The kernel refuses the name only where the lookup reaches it.
			return "", fmt.Errorf("resolve %q in root: component of %d bytes: %w", p, len(part), syscall.ENAMETOOLONG)
		}
		n := t.lookup(next)
		if n == nil || n.Type != TypeSymlink {
			cur = next
			continue
		}
		links++
		if links > maxSymlinks {
			return "", fmt.Errorf("resolve %q in root: %w", p, &os.PathError{Op: "SecureJoin", Path: p, Err: syscall.ELOOP})
		}
		rem = n.Linkname + "/" + rem
		if path.IsAbs(n.Linkname) {
			cur = ""
		}
	}
	return path.Join("/", cur), nil
}

// parentDir resolves the (unresolved, clean) in-root directory dir and makes
// it a directory, creating missing components and replacing
// non-directories on the way, as unpacker.parentDir.
func (l *treeLayer) parentDir(dir string) (string, *treeNode, error) {
	r, err := l.t.resolve(dir)
	if err != nil {
		return "", nil, err
	}
	n, err := l.ensureDir(r)
	return r, n, err
}

// ensureDir makes the resolved in-root path r a directory.
func (l *treeLayer) ensureDir(r string) (*treeNode, error) {
	if r == "/" {
		return l.t.root, nil
	}
	parent, err := l.ensureDir(path.Dir(r))
	if err != nil {
		return nil, err
	}
	base := path.Base(r)
	n := parent.children[base]
	switch {
	case n != nil && n.Type == TypeDir:
		return n, nil
	case n != nil && n.Type == TypeSymlink:
		return nil, fmt.Errorf("create directory %s: unexpected symlink: %w", r, ErrBreakout)
	}
	d := newDirNode()
	l.t.set(parent, base, d)
	return d, nil
}

// lookupDir resolves dir without creating anything; nil when it does not
// exist or is not a directory.
func (l *treeLayer) lookupDir(dir string) (string, *treeNode, error) {
	r, err := l.t.resolve(dir)
	if err != nil {
		return "", nil, err
	}
	n := l.t.lookup(r)
	if n == nil || n.Type != TypeDir {
		return r, nil, nil
	}
	return r, n, nil
}

// set puts n at parent/name, replacing (recursively) what was there.
func (t *Tree) set(parent *treeNode, name string, n *treeNode) {
	t.remove(parent, name)
	parent.children[name] = n
	t.n += count(n)
}

// remove deletes parent/name and its subtree, if present.
func (t *Tree) remove(parent *treeNode, name string) {
	if old := parent.children[name]; old != nil {
		t.n -= count(old)
		delete(parent.children, name)
	}
}

func (n *treeNode) isDir() bool { return n != nil && n.Type == TypeDir }

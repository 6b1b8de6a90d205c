package pathsafe

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/lade-oci/lade/internal/fseval"
)

// ErrBreakout means a path tried to reach outside its root.
var ErrBreakout = errors.New("path escapes root")

// Clean turns an untrusted name into a clean in-root path: always starting
// with "/", no "." or ".." components (".." clamps at "/"), no trailing slash.
func Clean(name string) string {
	return path.Clean("/" + name)
}

// Host joins a clean in-root path (as returned by Clean or Resolve) to root.
func Host(root, inRoot string) string {
	if inRoot == "/" {
		return root
	}
	return root + inRoot
}

// Resolve follows every symlink in unsafePath (including the last component)
// inside root and returns the resulting clean in-root path. root must be an
// absolute, clean host path. A nil fsys means fseval.Default.
func Resolve(root, unsafePath string, fsys fseval.FsEval) (string, error) {
	if fsys == nil {
		fsys = fseval.Default
	}
	if !filepath.IsAbs(root) || filepath.Clean(root) != root {
		return "", fmt.Errorf("resolve %q: root %q is not absolute and clean", unsafePath, root)
	}
	full, err := securejoin.SecureJoinVFS(root, Clean(unsafePath), fsys)
	if err != nil {
		return "", fmt.Errorf("resolve %q in root: %w", unsafePath, err)
	}
	return InRoot(root, full)
}

// ResolveParent resolves the directory part of unsafePath inside root and
// joins the final component back unresolved, so the result names the entry
// itself (a symlink stays a symlink). The in-root path "/" is returned as is.
func ResolveParent(root, unsafePath string, fsys fseval.FsEval) (string, error) {
	clean := Clean(unsafePath)
	if clean == "/" {
		return "/", nil
	}
	dir, base := path.Split(clean)
	rdir, err := Resolve(root, dir, fsys)
	if err != nil {
		return "", err
	}
	return path.Join(rdir, base), nil
}

// InRoot converts a host path under root to its in-root form, failing with
// ErrBreakout when it is not lexically inside root.
func InRoot(root, host string) (string, error) {
	host = filepath.Clean(host)
	if host == root {
		return "/", nil
	}
	prefix := root
	if root != "/" {
		prefix += "/"
	}
	if !strings.HasPrefix(host, prefix) {
		return "", fmt.Errorf("resolve %q in root %q: %w", host, root, ErrBreakout)
	}
	return "/" + strings.TrimPrefix(host, prefix), nil
}

package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
)

// validateScope checks a non-empty scope of transport kind as skopeo's
// transports do. Transports skopeo does not know (and "atomic", which it
// no longer knows) take any scope.
func validateScope(kind, scope string) error {
	switch kind {
	case "oci", "oci-archive", "dir", "sif":
		return validatePathScope(scope)
	case "docker-archive", "tarball":
		return fmt.Errorf(`%s: does not support any scopes except the default "" one`, kind)
	case "docker-daemon":
		if _, err := digest.Parse(scope); err == nil {
			return fmt.Errorf("docker-daemon: can not use algo:digest value %s as a namespace", scope)
		}
	case "containers-storage":
		return validateStorageScope(scope)
	}
	// docker: any string is a scope; one that is not a reference, a
	// namespace, a host or "*.domain" simply never matches.
	return nil
}

// validatePathScope requires an absolute, clean path other than "/".
func validatePathScope(scope string) error {
	if !strings.HasPrefix(scope, "/") {
		return errors.New("must be an absolute path")
	}
	if scope == "/" {
		return errors.New(`use the transport default scope "" instead of "/"`)
	}
	if clean := filepath.Clean(scope); clean != scope {
		return fmt.Errorf("not in canonical form, perhaps try %q", clean)
	}
	return nil
}

// validateStorageScope requires the "[driver@/graph/root]" or
// "[/graph/root]" store prefix of a containers-storage scope.
func validateStorageScope(scope string) error {
	end := strings.IndexByte(scope, ']')
	if !strings.HasPrefix(scope, "[") || end < 1 {
		return errors.New("must start with a [store] specification")
	}
	spec := scope[1:end]
	driver, root, twoParts := strings.Cut(spec, "@")
	if !twoParts {
		root = driver
	} else if driver == "" {
		return errors.New("empty storage driver")
	}
	if !filepath.IsAbs(root) {
		return errors.New("the store's graph root must be an absolute path")
	}
	return nil
}

// dockerNamespaces lists the scopes more general than a docker image, most
// specific first: the repository, each parent namespace, the host (with
// its port), then "*.domain" for each parent domain of the host (without
// its port).
func dockerNamespaces(name string) []string {
	var res []string
	for {
		res = append(res, name)
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			break
		}
		name = name[:i]
	}
	host, _, _ := strings.Cut(name, ":")
	for {
		i := strings.IndexByte(host, '.')
		if i < 0 {
			break
		}
		host = host[i+1:]
		res = append(res, "*."+host)
	}
	return res
}

// pathNamespaces lists path and its parent directories, most specific
// first, without "/" (the transport's "" scope covers it).
func pathNamespaces(path string) []string {
	var res []string
	for path != "/" {
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			break
		}
		res = append(res, path)
		path = path[:i]
		if path == "" {
			break
		}
	}
	return res
}

// resolvePath makes path absolute and free of symlinks, as skopeo does for
// policy lookups: every component must exist except the last, which may
// be missing (but not a dangling symlink).
func resolvePath(path string) (string, error) {
	_, err := os.Lstat(path)
	if err == nil {
		return resolveExisting(path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	parent, file := filepath.Split(path)
	if file == "." || file == ".." {
		return "", fmt.Errorf("cannot resolve %q", path)
	}
	resolved, err := resolveExisting(parent)
	if err != nil {
		return "", err
	}
	return filepath.Join(resolved, file), nil
}

// resolveExisting makes an existing path absolute and free of symlinks.
func resolveExisting(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

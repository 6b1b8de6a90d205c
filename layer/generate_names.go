package layer

import (
	"fmt"
	"path"
	"strings"

	"github.com/lade-oci/lade/internal/pathsafe"
)

const (
	// generateWhiteoutPrefix marks a whiteout entry's basename.
	generateWhiteoutPrefix = ".wh."
	// generateOpaqueName is the basename of an opaque-directory whiteout.
	generateOpaqueName = generateWhiteoutPrefix + generateWhiteoutPrefix + ".opq"
)

// generateCleanName turns a path relative to the root being archived into
// a clean relative name ("." for the root itself). Leading slashes are
// taken relative to the root; a name that climbs above it is an error.
func generateCleanName(p string) (string, error) {
	name := path.Clean(strings.TrimLeft(p, "/"))
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", fmt.Errorf("archive %q: %w", p, pathsafe.ErrBreakout)
	}
	return name, nil
}

// generateImageName is generateCleanName for an in-image target path, where
// ".." clamps at the image root (like an absolute path).
func generateImageName(target string) string {
	clean := pathsafe.Clean(target)
	if clean == "/" {
		return "."
	}
	return clean[1:]
}

// generateTarName is the tar name of clean name: directories end in "/",
// except the root, which is ".".
func generateTarName(name string, isDir bool) string {
	if isDir && name != "." {
		return name + "/"
	}
	return name
}

// generateWhiteoutName is the whiteout entry hiding clean name.
func generateWhiteoutName(name string) (string, error) {
	if name == "." {
		return "", fmt.Errorf("whiteout the root directory: not possible")
	}
	dir, base := path.Split(name)
	return path.Join(dir, generateWhiteoutPrefix+base), nil
}

// generateIsWhiteout reports whether clean name looks like a whiteout,
// which lade refuses to archive as a plain file.
func generateIsWhiteout(name string) bool {
	return strings.HasPrefix(path.Base(name), generateWhiteoutPrefix)
}

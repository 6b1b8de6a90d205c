package bundle

import (
	"fmt"
	"path"
	"strings"

	"github.com/vbatts/go-mtree"
)

// repackWhiteoutPrefix starts the base name of whiteout entries in layers; a
// rootfs file named like that cannot be represented in a layer.
const repackWhiteoutPrefix = ".wh."

// checkNoWhiteouts refuses deltas that would put a file whose base name
// starts with ".wh." into the layer: unpack would read it as a whiteout.
func checkNoWhiteouts(deltas []mtree.InodeDelta) error {
	for _, d := range deltas {
		if d.Type() == mtree.Missing {
			continue
		}
		if strings.HasPrefix(path.Base(d.Path()), repackWhiteoutPrefix) {
			return fmt.Errorf("rootfs file %q: names starting with %q are reserved for whiteouts", d.Path(), repackWhiteoutPrefix)
		}
	}
	return nil
}

// repackImagePath turns a manifest path ("etc/passwd", ".") or a user-given path
// ("/etc/passwd", "etc/") into a clean absolute in-image path.
func repackImagePath(p string) string {
	return path.Clean("/" + p)
}

// maskDeltas drops the deltas at or below any of masks (in-image paths).
func maskDeltas(deltas []mtree.InodeDelta, masks []string) []mtree.InodeDelta {
	if len(masks) == 0 {
		return deltas
	}
	clean := make([]string, len(masks))
	for i, m := range masks {
		clean[i] = repackImagePath(m)
	}
	var out []mtree.InodeDelta
	for _, d := range deltas {
		if !repackUnder(repackImagePath(d.Path()), clean) {
			out = append(out, d)
		}
	}
	return out
}

// repackUnder reports whether p is one of dirs or below one of them.
func repackUnder(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || d == "/" || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// simplifyDeltas drops deltas below a missing directory: the whiteout of
// the directory already removes them.
func simplifyDeltas(deltas []mtree.InodeDelta) []mtree.InodeDelta {
	missing := map[string]bool{}
	for _, d := range deltas {
		if d.Type() == mtree.Missing {
			missing[repackImagePath(d.Path())] = true
		}
	}
	if len(missing) == 0 {
		return deltas
	}
	var out []mtree.InodeDelta
	for _, d := range deltas {
		if !repackMissingParent(repackImagePath(d.Path()), missing) {
			out = append(out, d)
		}
	}
	return out
}

// repackMissingParent reports whether a strict ancestor of p is in missing.
func repackMissingParent(p string, missing map[string]bool) bool {
	for parent := path.Dir(p); parent != "/"; parent = path.Dir(parent) {
		if missing[parent] {
			return true
		}
	}
	return false
}

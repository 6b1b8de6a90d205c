package layer

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// whiteout applies a whiteout entry named base in (unresolved) directory
// dir. Whiteouts only remove what lower layers left: anything this layer
// wrote (tracked in u.upper) survives whatever the entry order.
func (u *unpacker) whiteout(dir, base string) error {
	target, err := whiteoutTarget(dir, base)
	if err != nil {
		return err
	}
	d, ok, err := u.lookupDir(dir)
	if err != nil || !ok {
		return err // a whiteout in a missing directory is a no-op
	}
	if base == whiteoutOpaque {
		if err := u.saveTimes(d); err != nil {
			return err
		}
		return u.removeChildren(d)
	}
	p := path.Join(d, target)
	// A file this layer is writing there is left alone, but look at it
	// only once it is written.
	if err := u.writers.waitFor(p); err != nil {
		return err
	}
	if _, err := u.fs.Lstat(u.host(p)); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("lstat %s: %w", p, err)
	}
	if err := u.saveTimes(d); err != nil {
		return err
	}
	if _, up := u.upper[p]; !up {
		return u.removeAsync(p, path.Join(dir, base))
	}
	return u.removeLower(p)
}

// removeLower removes p unless this layer wrote it; a directory this layer
// wrote into keeps what the layer wrote and loses the rest.
func (u *unpacker) removeLower(p string) error {
	if _, up := u.upper[p]; !up {
		return u.remove(p)
	}
	fi, err := u.fs.Lstat(u.host(p))
	if err != nil {
		return fmt.Errorf("lstat %s: %w", p, err)
	}
	if !fi.IsDir() {
		return nil
	}
	return u.removeChildren(p)
}

func (u *unpacker) removeChildren(d string) error {
	// Look at the directory once nothing is being written or removed in it.
	if err := u.writers.waitUnder(d); err != nil {
		return err
	}
	names, err := u.fs.Readdirnames(u.host(d))
	if err != nil {
		return fmt.Errorf("read directory %s: %w", d, err)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := u.removeLower(path.Join(d, n)); err != nil {
			return err
		}
	}
	return nil
}

// whiteoutTarget returns the name a whiteout entry called base in dir
// removes ("" for the opaque whiteout), refusing the names that would
// reach the directory itself or its parent.
func whiteoutTarget(dir, base string) (string, error) {
	if base == whiteoutOpaque {
		return "", nil
	}
	target := strings.TrimPrefix(base, whiteoutPrefix)
	switch target {
	case "":
		return "", fmt.Errorf("invalid whiteout %q: empty name", path.Join(dir, base))
	case ".", "..":
		return "", fmt.Errorf("invalid whiteout %q: %w", path.Join(dir, base), ErrBreakout)
	}
	return target, nil
}

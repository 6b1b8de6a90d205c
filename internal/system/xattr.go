package system

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// IsXattrUnsupported reports whether err means the filesystem (or the file
// type, e.g. user.* on symlinks) does not support extended attributes.
func IsXattrUnsupported(err error) bool {
	return errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP)
}

// IsXattrMissing reports whether err means the attribute is not set.
func IsXattrMissing(err error) bool { return errors.Is(err, unix.ENODATA) }

// Llistxattr returns the names of the extended attributes of path, not
// following a final symlink.
func Llistxattr(path string) ([]string, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Llistxattr(path, buf)
		if errors.Is(err, unix.ERANGE) {
			sz, err := unix.Llistxattr(path, nil)
			if err != nil {
				return nil, fmt.Errorf("llistxattr %s: %w", path, err)
			}
			buf = make([]byte, sz+64)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("llistxattr %s: %w", path, err)
		}
		return splitNames(buf[:n]), nil
	}
}

func splitNames(b []byte) []string {
	var names []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			i = len(b)
		}
		if i > 0 {
			names = append(names, string(b[:i]))
		}
		if i == len(b) {
			break
		}
		b = b[i+1:]
	}
	return names
}

// Lgetxattr returns the value of attribute name on path (final symlink not
// followed).
func Lgetxattr(path, name string) ([]byte, error) {
	buf := make([]byte, 128)
	for {
		n, err := unix.Lgetxattr(path, name, buf)
		if errors.Is(err, unix.ERANGE) {
			sz, err := unix.Lgetxattr(path, name, nil)
			if err != nil {
				return nil, fmt.Errorf("lgetxattr %s %s: %w", path, name, err)
			}
			buf = make([]byte, sz+64)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("lgetxattr %s %s: %w", path, name, err)
		}
		return buf[:n], nil
	}
}

// Lsetxattr sets attribute name on path (final symlink not followed).
func Lsetxattr(path, name string, value []byte) error {
	if err := unix.Lsetxattr(path, name, value, 0); err != nil {
		return fmt.Errorf("lsetxattr %s %s: %w", path, name, err)
	}
	return nil
}

// Lremovexattr removes attribute name from path (final symlink not followed).
func Lremovexattr(path, name string) error {
	if err := unix.Lremovexattr(path, name); err != nil {
		return fmt.Errorf("lremovexattr %s %s: %w", path, name, err)
	}
	return nil
}

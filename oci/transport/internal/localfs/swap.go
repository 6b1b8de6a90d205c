package localfs

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ReplaceDir makes directory staged appear at path atomically: renamed to
// path when path does not exist, else exchanged with it (renameat2
// RENAME_EXCHANGE, or, where the file system cannot exchange, path moved
// aside first), after which the old directory, now at staged's name, is
// removed (a failure to remove it is logged, not returned). Both directories must be in the same parent. The parent is
// fsynced.
func ReplaceDir(staged, path string) error {
	err := unix.Renameat2(unix.AT_FDCWD, staged, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return SyncDir(filepath.Dir(path))
	case errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY):
		err = unix.Renameat2(unix.AT_FDCWD, staged, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE)
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
			err = replaceAside(staged, path)
		}
	case errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS):
		// No renameat2 here: rename refuses a non-empty target, so a
		// missing or empty path is replaced and any other is moved aside.
		if err = os.Rename(staged, path); err != nil {
			err = replaceAside(staged, path)
		}
	}
	if err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return err
	}
	// staged now names the old directory (or nothing). The new one is in
	// place: failing to remove the old one is not a failure of the swap.
	if err := os.RemoveAll(staged); err != nil {
		slog.Warn("remove the replaced directory", "path", staged, "error", err)
	}
	return nil
}

// replaceAside renames path to staged+".old", staged to path, and the old
// directory to staged, so that the caller removes it under staged's name.
func replaceAside(staged, path string) error {
	aside := staged + ".old"
	if err := os.Rename(path, aside); err != nil {
		return err
	}
	if err := os.Rename(staged, path); err != nil {
		_ = os.Rename(aside, path)
		return err
	}
	return os.Rename(aside, staged)
}

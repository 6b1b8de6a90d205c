package localfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Temporary files and directories next to a destination are flocked
// (exclusively) by the process that created them for as long as it uses
// them, so that a later process can tell the leftovers of a killed copy
// (no lock) from live ones, and remove them (CleanStale). oci/cas/archive
// names and locks its temporary directories next to an archive the same
// way, so each cleans up after the other.

// createLocked creates a temporary directory (dir) or file in parent named
// prefix+random and returns it open and flocked. It retries when a
// concurrent CleanStale removed it before it was locked.
func createLocked(parent, prefix string, dir bool) (*os.File, error) {
	for try := 0; ; try++ {
		var f *os.File
		var err error
		if dir {
			var name string
			if name, err = os.MkdirTemp(parent, prefix); err == nil {
				if f, err = os.Open(name); err != nil {
					_ = os.Remove(name)
				}
			}
		} else {
			f, err = os.CreateTemp(parent, prefix)
		}
		if err != nil {
			return nil, err
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err == nil && samePath(f) {
			return f, nil
		}
		// Being (or already) removed by CleanStale: take another name.
		_ = f.Close()
		if try == 3 {
			return nil, fmt.Errorf("create temporary file in %s: removed by a concurrent clean-up", parent)
		}
	}
}

// samePath reports whether f's name still leads to f.
func samePath(f *os.File) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(f.Name())
	return err == nil && os.SameFile(a, b)
}

// CleanStale removes the temporary files and directories that a killed
// process left next to path (named TempName(path)+random, not flocked).
// Live ones are left alone; errors are ignored: cleaning is best effort.
func CleanStale(path string) {
	parent, prefix := filepath.Dir(path), TempName(path)
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
		if err != nil {
			continue
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err == nil && samePath(f) {
			_ = os.RemoveAll(p)
		}
		_ = f.Close()
	}
}

// TempDir is the directory for temporary files that cannot go next to a
// destination: dir (the --tmpdir option) when set, else os.TempDir().
func TempDir(dir string) string {
	if dir != "" {
		return dir
	}
	return os.TempDir()
}

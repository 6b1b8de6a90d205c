package dir

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// initPrefix names the directories Create builds a layout in, next to it.
const initPrefix = tempPrefix + "init-"

// newInitDir removes the .lade-tmp-init-* directories that killed Creates
// left in parent, then creates a new one (mode 0o755 less the umask) and
// returns it open and flocked exclusively: the flock tells a live one from
// a leftover (nobody holds a dead process's flock). A directory removed by
// a concurrent clean-up before it was locked is made again.
func newInitDir(parent string) (*os.File, error) {
	cleanStaleInits(parent)
	for range 100 {
		p := filepath.Join(parent, initPrefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		err := os.Mkdir(p, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			_ = os.Remove(p)
			return nil, err
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil && samePath(f) {
			return f, nil
		}
		_ = f.Close() // being removed by a concurrent clean-up: another name
	}
	return nil, fmt.Errorf("create a temporary directory in %s: too many attempts", parent)
}

// cleanStaleInits removes the .lade-tmp-init-* directories in parent that
// no live process holds the flock of. It is best effort: errors are
// ignored.
func cleanStaleInits(parent string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), initPrefix) || !e.IsDir() {
			continue
		}
		p := filepath.Join(parent, e.Name())
		f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_DIRECTORY, 0)
		if err != nil {
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil && samePath(f) {
			_ = os.RemoveAll(p)
		}
		_ = f.Close()
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

package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/lade-oci/lade/oci/cas"
	"golang.org/x/sys/unix"
)

// tempPrefix starts the name of every temporary directory lade makes next
// to an archive: ".lade-tmp-<archive name>-<digits>" (os.MkdirTemp puts
// digits where the pattern has "*").
const tempPrefix = ".lade-tmp-"

// tempDir is the private directory next to the archive where a writing
// engine stores new blobs and builds the new archive. The engine holds an
// exclusive flock on it while alive: that is how Clean tells it from the
// directory of a dead process.
type tempDir struct {
	path string
	lock *os.File
}

// maxTempName is how many bytes of the archive name a temporary directory
// name keeps: a longer name is cut and followed by a hash of the whole name,
// so that the directory name stays well below NAME_MAX (255 bytes) however
// long the archive name is.
const maxTempName = 64

// tempPattern is the os.MkdirTemp pattern of the temporary directories of
// the archive at real.
func tempPattern(real string) string {
	name := filepath.Base(real)
	if len(name) > maxTempName {
		sum := sha256.Sum256([]byte(name))
		name = name[:maxTempName-17] + "~" + hex.EncodeToString(sum[:8])
	}
	return tempPrefix + name + "-*"
}

// isTempOf reports whether name is a temporary directory name of the
// archive at real: the prefix, then digits only, so that the directories of
// archive "a" are never confused with those of archive "a-1".
func isTempOf(name, real string) bool {
	prefix := strings.TrimSuffix(tempPattern(real), "*")
	digits, ok := strings.CutPrefix(name, prefix)
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// ensureTemp creates the engine's temporary directory on first use. The
// caller holds the exclusive archive lock (so Clean, which also needs it,
// cannot remove the directory between its creation and its flock) and st.
func (e *Engine) ensureTemp() (*tempDir, error) {
	if e.w.tmp != nil {
		return e.w.tmp, nil
	}
	p, err := os.MkdirTemp(filepath.Dir(e.real), tempPattern(e.real))
	if err != nil {
		return nil, writeErr("create temp dir", err)
	}
	lock, err := os.Open(p)
	if err == nil {
		err = unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != nil {
			lock.Close()
		}
	}
	if err != nil {
		_ = os.RemoveAll(p)
		return nil, fmt.Errorf("lock temp dir: %w", err)
	}
	e.w.tmp = &tempDir{path: p, lock: lock}
	return e.w.tmp, nil
}

// remove deletes the directory, then drops its lock.
func (t *tempDir) remove() error {
	err := os.RemoveAll(t.path)
	if cerr := t.lock.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("remove temp dir: %w", err)
	}
	return nil
}

// removeDeadTemps removes the temporary directories of the archive left by
// dead processes: those nobody holds the flock of. The caller holds the
// exclusive archive lock.
func (e *Engine) removeDeadTemps(ctx context.Context) error {
	parent := filepath.Dir(e.real)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return fmt.Errorf("clean archive: %w", err)
	}
	var errs []error
	for _, ent := range entries {
		if !ent.IsDir() || !isTempOf(ent.Name(), e.real) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("clean archive: %w", err)
		}
		p := filepath.Join(parent, ent.Name())
		d, err := os.OpenFile(p, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
		if err != nil {
			continue // gone, or not ours to judge
		}
		if unix.Flock(int(d.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil {
			d.Close() // a live process's
			continue
		}
		err = os.RemoveAll(p)
		d.Close()
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, writeErr("remove "+ent.Name(), err))
			continue
		}
		slog.Default().DebugContext(ctx, "removed temporary directory of a dead process", "path", p)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean archive: %w", err)
	}
	return nil
}

// writeErr wraps a write failure, adding cas.ErrReadOnly when the cause is
// a read-only file system or missing write permission.
func writeErr(op string, err error) error {
	if errorsIsAny(err, unix.EROFS, unix.EACCES, unix.EPERM) {
		return fmt.Errorf("%s: %w: %w", op, cas.ErrReadOnly, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

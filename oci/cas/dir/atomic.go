package dir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/lade-oci/lade/oci/cas"
)

// tempFile is a file being written at PATH/.lade-tmp-*. It is either
// committed (renamed into place) or discarded (removed); discard after
// commit is a no-op, so `defer t.discard()` covers every error path.
type tempFile struct {
	e      *engine
	f      *os.File
	name   string
	closed bool
	synced bool
	done   bool
}

// newTemp creates a temp file inside the layout and registers it as live so
// that this engine's Clean leaves it alone.
func (e *engine) newTemp() (*tempFile, error) {
	f, err := os.CreateTemp(e.root, tempPrefix+"*")
	if err != nil {
		return nil, writeErr("create temp file", err)
	}
	e.mu.Lock()
	e.live[filepath.Base(f.Name())] = struct{}{}
	e.mu.Unlock()
	return &tempFile{e: e, f: f, name: f.Name()}, nil
}

// commit makes the temp file durable and renames it to dst (place), then
// fsyncs the directory of dst so the rename itself survives a crash.
func (t *tempFile) commit(dst string) error {
	if err := t.place(dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// sync makes the temp file's content durable (once).
func (t *tempFile) sync() error {
	if t.synced {
		return nil
	}
	if err := t.f.Sync(); err != nil {
		return writeErr("sync temp file", err)
	}
	t.synced = true
	return nil
}

// place makes the temp file's content durable and renames it to dst:
// fsync (unless done already), chmod 0o644, chown to the layout owner
// (root only), close, rename. The rename is durable once dst's directory
// is synced.
func (t *tempFile) place(dst string) error {
	if err := t.sync(); err != nil {
		return err
	}
	if err := t.f.Chmod(0o644); err != nil {
		return writeErr("chmod temp file", err)
	}
	if err := t.e.owner.fchown(t.f); err != nil {
		return err
	}
	t.closed = true
	if err := t.f.Close(); err != nil {
		return writeErr("close temp file", err)
	}
	if err := os.Rename(t.name, dst); err != nil {
		return writeErr("rename temp file", err)
	}
	t.done = true
	t.unregister()
	return nil
}

// discard closes and removes the temp file unless it was committed.
func (t *tempFile) discard() {
	if t.done {
		return
	}
	t.done = true
	if !t.closed {
		_ = t.f.Close()
	}
	_ = os.Remove(t.name)
	t.unregister()
}

func (t *tempFile) unregister() {
	t.e.mu.Lock()
	delete(t.e.live, filepath.Base(t.name))
	t.e.mu.Unlock()
}

// syncDir fsyncs a directory so that entries renamed into it are durable.
// It is a variable for tests that count syncs.
var syncDir = syncDirectory

func syncDirectory(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open dir for sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync dir %s: %w", path, err)
	}
	return nil
}

// mkdirOwned creates path (0o755, umask applies) if missing and gives it to
// o. An existing directory is fine.
func mkdirOwned(path string, o owner) error {
	err := os.Mkdir(path, 0o755)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return writeErr("mkdir "+path, err)
	}
	return o.chown(path)
}

// writeErr wraps a write failure, adding cas.ErrReadOnly when the cause is
// a read-only filesystem or missing write permission.
func writeErr(op string, err error) error {
	if errorsIsAny(err, syscall.EROFS, syscall.EACCES) {
		return fmt.Errorf("%s: %w: %w", op, cas.ErrReadOnly, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

package archive

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/lade-oci/lade/internal/interrupt"
	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/oci/cas"
	"golang.org/x/sys/unix"
)

// sameFile reports whether path still names the file open as f. lade
// never rewrites an archive in place: a changed archive is a new file.
func sameFile(f *os.File, path string) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	pi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, pi), nil
}

// openLocked opens the archive at path and takes flock(how) on it, waiting
// until ctx is done. If a writer replaced the file while we waited, it
// opens the new one. A path that is not a regular file is returned
// unlocked (open refuses it). A file system without flock is read
// unlocked (how is LockShared) or refused (LockExclusive).
func openLocked(ctx context.Context, path string, how system.LockMode) (*os.File, error) {
	for {
		f, err := openFile(path)
		if err != nil {
			return nil, err
		}
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			return f, nil
		}
		if err := system.FlockWait(ctx, f, how); err != nil {
			if how == system.LockShared && errorsIsAny(err, unix.ENOLCK, unix.EOPNOTSUPP) {
				return f, nil
			}
			f.Close()
			return nil, archiveErr(cas.ErrInvalid, err, "lock %s: %v", path, err)
		}
		if same, err := sameFile(f, path); err != nil || same {
			return f, nil
		}
		f.Close()
	}
}

// openShared is openLocked for reading: every engine holds a shared lock
// on its archive until Close, so a writer waits for the readers.
func openShared(ctx context.Context, path string) (*os.File, error) {
	return openLocked(ctx, path, system.LockShared)
}

// errorsIsAny reports whether err matches one of targets.
func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// lockExclusive makes e a writing engine: it converts the shared lock on
// the archive into an exclusive one, waiting (until ctx is done) for every
// other engine on the archive to close, then removes temporary files of
// dead processes. While waiting, the conversion drops the shared lock, so
// another writer may replace the archive meanwhile: the new one is then
// opened, locked and scanned again (rescan). It is a no-op once done.
func (e *Engine) lockExclusive(ctx context.Context, op string) error {
	if err := e.checkOpen(op); err != nil {
		return err
	}
	e.lockMu.Lock()
	defer e.lockMu.Unlock()
	if e.w.locked {
		return nil
	}
	if e.legacy || e.f == nil {
		return e.readOnly(op)
	}
	if err := unix.Access(e.real, unix.W_OK); err != nil {
		return fmt.Errorf("%s: archive %s: %w: %w", op, e.path, cas.ErrReadOnly, err)
	}
	// A writer rewrites the archive on Close: long enough for a signal to
	// be worth catching (interrupt.Arm), even in a command that is quick on
	// a directory layout.
	interrupt.Arm(ctx)
	if err := system.FlockWait(ctx, e.f, system.LockExclusive); err != nil {
		// Take the shared lock back if no writer got in meanwhile.
		_ = unix.Flock(int(e.f.Fd()), unix.LOCK_SH|unix.LOCK_NB)
		return fmt.Errorf("%s: lock archive %s: %w", op, e.path, err)
	}
	if same, err := sameFile(e.f, e.real); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	} else if !same {
		if err := e.rescan(ctx); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if e.legacy {
			return e.readOnly(op)
		}
	}
	e.st.Lock()
	e.w.locked = true
	e.st.Unlock()
	if err := e.removeDeadTemps(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

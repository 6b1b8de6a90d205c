package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/lade-oci/lade/oci/cas"
)

// Engine is the cas.Engine of one opened image archive. Reads are
// positional on the open file, so it is safe for any number of concurrent
// readers. An OCI archive opened from a file is writable (write*.go): the
// first write takes the exclusive lock and Close commits the changes.
type Engine struct {
	path   string      // as given to Open, for messages
	r      io.ReaderAt // the archive content
	c      io.Closer   // closes r; nil when there is nothing to close
	cat    *catalog
	index  []byte // index.json as read at Open (or synthesized), or as last written
	legacy bool   // a docker save archive without an OCI layout (see legacy.go)

	f    *os.File // the archive file r reads and the flock is held on; nil: not writable
	real string   // path with symbolic links resolved: where the new archive is renamed to

	mu     sync.Mutex
	closed bool

	st     sync.RWMutex // guards cat, r, f, index and w once writing starts
	lockMu sync.Mutex   // serializes taking the exclusive lock
	w      writeState
}

var _ cas.Engine = (*Engine)(nil)

// Open opens the image archive (an uncompressed tar holding an OCI image
// layout) at path: it scans the tar headers once, then checks oci-layout
// (imageLayoutVersion 1.0.0) and that index.json parses. An archive with no
// oci-layout but a top-level manifest.json is a legacy docker save archive:
// Open hashes the members it names and synthesizes Docker v2s2 manifests
// and an index (see the package documentation). The file stays open until
// Close.
//
// Errors read "open archive: REASON" and match cas.ErrNotExist (path
// missing) or cas.ErrInvalid (not a usable image archive).
func Open(ctx context.Context, path string) (*Engine, error) {
	if path == "" {
		return nil, archiveErr(cas.ErrInvalid, nil, "empty path")
	}
	f, err := openShared(ctx, path)
	if err != nil {
		return nil, err
	}
	e, err := open(ctx, f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	e.f = f
	if e.real, err = filepath.EvalSymlinks(path); err != nil {
		f.Close()
		return nil, archiveErr(cas.ErrInvalid, err, "%v", err)
	}
	return e, nil
}

// openFile opens path for reading. O_NONBLOCK keeps a FIFO from hanging
// the open; it has no effect on regular files.
func openFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, archiveErr(cas.ErrNotExist, nil, "%s does not exist", path)
	}
	if err != nil {
		return nil, archiveErr(cas.ErrInvalid, err, "%v", err)
	}
	return f, nil
}

// open scans and validates the archive open as f; the engine closes f.
func open(ctx context.Context, f *os.File, path string) (*Engine, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, archiveErr(cas.ErrInvalid, err, "%v", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, archiveErr(cas.ErrInvalid, nil, "%s is not a regular file", path)
	}
	e, err := openReader(ctx, f, fi.Size(), path)
	if err != nil {
		return nil, err
	}
	e.c = f
	return e, nil
}

// openReader scans and validates the size bytes of archive r, named shown
// in messages. It is Open without the file: the fuzz test uses it on
// memory.
func openReader(ctx context.Context, r io.ReaderAt, size int64, shown string) (*Engine, error) {
	cat, err := scan(ctx, r, size, shown)
	if err != nil {
		return nil, err
	}
	e := &Engine{path: shown, r: r, cat: cat}
	if isLegacy(cat) {
		err = e.openLegacy(ctx)
	} else {
		err = e.validate()
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// checkOpen fails once the engine is closed.
func (e *Engine) checkOpen(op string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("%s: engine is closed: %w", op, os.ErrClosed)
	}
	return nil
}

// Close commits the changes of a writing engine (see commit), then closes
// the archive file, which releases its lock. It is idempotent: a failed
// commit is not retried, and leaves the archive as it was. Readers returned
// by GetBlob fail once the engine is closed.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	err := e.commit(context.Background())
	e.st.Lock()
	defer e.st.Unlock()
	err = errors.Join(err, e.w.release())
	if e.c != nil {
		if cerr := e.c.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close archive: %w", cerr))
		}
	}
	return err
}

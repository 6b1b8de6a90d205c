package layer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/pathsafe"
)

// unpacker is the state of one UnpackLayer call. In-root paths are clean,
// "/"-rooted and fully resolved (no symlink components).
type unpacker struct {
	ctx  context.Context
	root string
	fs   fseval.FsEval
	opts *UnpackOptions
	log  *slog.Logger
	// dirs caches in-root paths known to be real directories whose every
	// ancestor is a real directory too (it is closed under ancestors), so
	// their entries need no re-resolution. Removals invalidate subtrees.
	// The values carry the metadata to apply when the layer ends.
	dirs map[string]*dirState
	// upper holds every in-root path this layer wrote, with its ancestors;
	// whiteouts never remove them, whatever the entry order.
	upper  map[string]struct{}
	euid   int        // whose files the kernel creates (see createPerm)
	warnMu sync.Mutex // warn is shared with the writers
	warn   map[string]bool
	// writers write regular files while the applier goes on (nil: the
	// applier writes them itself).
	writers *writers
	// sparseSize is the logical size of this layer's sparse entries so far
	// (bounded by maxSparseLayerSize).
	sparseSize int64
}

// dirState is what finish applies to a directory at the end of the layer.
type dirState struct {
	created bool // made implicitly by this layer: no times to restore
	saved   bool // atime/mtime are the times before this layer touched it
	entry   bool // a directory entry of this layer set mode/atime/mtime
	mode    uint32
	atime   time.Time
	mtime   time.Time
}

func (u *unpacker) host(p string) string { return pathsafe.Host(u.root, p) }

// warnOnce logs msg at warn level the first time key is seen in this layer.
func (u *unpacker) warnOnce(key, msg string, args ...any) {
	u.warnMu.Lock()
	seen := u.warn[key]
	u.warn[key] = true
	u.warnMu.Unlock()
	if seen {
		u.log.DebugContext(u.ctx, msg, args...)
		return
	}
	u.log.WarnContext(u.ctx, msg, args...)
}

// markUpper records p and its ancestors as written by this layer.
func (u *unpacker) markUpper(p string) {
	for ; ; p = path.Dir(p) {
		if _, ok := u.upper[p]; ok {
			return
		}
		u.upper[p] = struct{}{}
	}
}

// parentDir returns the resolved in-root directory for the (unresolved,
// clean) in-root path dir, creating missing components and replacing
// non-directories on the way.
func (u *unpacker) parentDir(dir string) (string, error) {
	if _, ok := u.dirs[dir]; ok {
		return dir, nil
	}
	r, err := pathsafe.Resolve(u.root, dir, u.fs)
	if err != nil {
		return "", err
	}
	return r, u.ensureDir(r)
}

// ensureDir makes the resolved in-root path r a real directory.
func (u *unpacker) ensureDir(r string) error {
	if _, ok := u.dirs[r]; ok {
		return nil
	}
	parent := path.Dir(r)
	if err := u.ensureDir(parent); err != nil {
		return err
	}
	if err := u.saveTimes(parent); err != nil {
		return err
	}
	h := u.host(r)
	err := u.fs.Mkdir(h, 0o755)
	if errors.Is(err, fs.ErrExist) {
		fi, lerr := u.fs.Lstat(h)
		switch {
		case lerr != nil:
			return fmt.Errorf("lstat %s: %w", r, lerr)
		case fi.IsDir():
			u.dirs[r] = &dirState{}
			return nil
		case fi.Mode()&fs.ModeSymlink != 0:
			// Resolution followed every symlink: one here means a race.
			return fmt.Errorf("create directory %s: unexpected symlink: %w", r, ErrBreakout)
		}
		if err := u.remove(r); err != nil {
			return err
		}
		err = u.fs.Mkdir(h, 0o755)
	}
	if err != nil {
		return fmt.Errorf("create directory %s: %w", r, err)
	}
	// 0755 whatever the umask, so that the tree (and its mtree manifest)
	// does not depend on who ran the unpack.
	if err := u.fs.Chmod(h, 0o755); err != nil {
		return fmt.Errorf("create directory %s: %w", r, err)
	}
	u.dirs[r] = &dirState{created: true}
	return nil
}

// lookupDir resolves dir without creating anything; ok is false when it does
// not exist or is not a directory.
func (u *unpacker) lookupDir(dir string) (string, bool, error) {
	if _, ok := u.dirs[dir]; ok {
		return dir, true, nil
	}
	r, err := pathsafe.Resolve(u.root, dir, u.fs)
	if err != nil {
		return "", false, err
	}
	fi, err := u.fs.Lstat(u.host(r))
	if err != nil || !fi.IsDir() {
		return "", false, nil
	}
	return r, true, u.ensureDir(r)
}

// saveTimes remembers a pre-existing directory's times before this layer
// changes its contents, so finish can restore them.
func (u *unpacker) saveTimes(dir string) error {
	st := u.dirs[dir]
	if st == nil || st.saved || st.created || st.entry {
		return nil
	}
	fi, err := u.fs.Lstat(u.host(dir))
	if err != nil {
		return fmt.Errorf("lstat %s: %w", dir, err)
	}
	st.mtime = fi.ModTime()
	st.atime = st.mtime
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.atime = time.Unix(sys.Atim.Unix())
	}
	st.saved = true
	return nil
}

// remove deletes whatever is at in-root path p (recursively) and forgets
// cached directories at or under it.
func (u *unpacker) remove(p string) error {
	if p == "/" {
		return fmt.Errorf("remove root: %w", ErrBreakout)
	}
	if err := u.writers.waitUnder(p); err != nil {
		return err
	}
	if err := u.fs.RemoveAll(u.host(p)); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	u.forgetDirs(p)
	return nil
}

// forgetDirs drops p and the directories under it from u.dirs.
func (u *unpacker) forgetDirs(p string) {
	if _, ok := u.dirs[p]; ok {
		delete(u.dirs, p)
		prefix := p + "/"
		for k := range u.dirs {
			if strings.HasPrefix(k, prefix) {
				delete(u.dirs, k)
			}
		}
	}
}

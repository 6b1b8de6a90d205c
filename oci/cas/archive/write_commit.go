package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// commitHook, when a test sets it, is called at each stage of commit
// ("written": the new archive is complete in the temporary directory;
// "synced": it is fsynced, just before the rename); an error aborts the
// commit there.
var commitHook func(stage string) error

// commit writes the changes of a writing engine: if anything changed, a
// new archive is built in the temporary directory (writeArchive), checked,
// fsynced, and renamed over the archive, then the directory is fsynced.
// The archive file is either the old one or the complete new one at every
// moment; a crash leaves at most the temporary directory, which the next
// writer (or Clean) removes. Nothing changed: the archive is untouched.
func (e *Engine) commit(ctx context.Context) error {
	e.st.Lock()
	defer e.st.Unlock()
	if !e.w.dirty {
		return nil
	}
	tmp, err := e.ensureTemp()
	if err != nil {
		return fmt.Errorf("commit archive %s: %w", e.path, err)
	}
	p := filepath.Join(tmp.path, "archive.tar")
	if err := e.writeArchive(ctx, p); err != nil {
		return fmt.Errorf("commit archive %s: %w", e.path, err)
	}
	if err := os.Rename(p, e.real); err != nil {
		return fmt.Errorf("commit archive %s: %w", e.path, writeErr("rename", err))
	}
	if err := syncDir(filepath.Dir(e.real)); err != nil {
		return fmt.Errorf("commit archive %s: %w", e.path, err)
	}
	return nil
}

// writeArchive writes the new archive to p and fsyncs it: the members of
// the old archive byte for byte (copied by offset; between two files
// io.Copy uses copy_file_range), but for index.json and deleted blobs, then
// the stored blobs sorted by digest, then index.json and the end marker.
// It then scans the result and checks that it holds exactly the expected
// blobs and index before giving it the old archive's mode (and owner, as
// root).
func (e *Engine) writeArchive(ctx context.Context, p string) error {
	out, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return writeErr("create new archive", err)
	}
	defer out.Close()
	fi, err := e.f.Stat()
	if err != nil {
		return err
	}
	w := &tarAppender{out: out, mtime: memberTime()}
	if err := e.copyKept(ctx, w, fi.Size()); err != nil {
		return err
	}
	added := slices.Sorted(func(yield func(digest.Digest) bool) {
		for d := range e.w.added {
			if !yield(d) {
				return
			}
		}
	})
	for _, d := range added {
		if err := w.appendMember(ctx, blobPrefix+d.Encoded(), e.w.added[d]); err != nil {
			return err
		}
	}
	if err := w.appendBytes(ctx, indexFile, e.index); err != nil {
		return err
	}
	if err := w.finish(); err != nil {
		return err
	}
	if err := hook("written"); err != nil {
		return err
	}
	if err := e.verify(ctx, out, w.pos); err != nil {
		return fmt.Errorf("check new archive: %w", err)
	}
	if err := out.Chmod(fi.Mode().Perm()); err != nil {
		return writeErr("chmod new archive", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		if err := out.Chown(int(st.Uid), int(st.Gid)); err != nil {
			return writeErr("chown new archive", err)
		}
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("sync new archive: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("close new archive: %w", err)
	}
	return hook("synced")
}

// copyKept copies the members of the old archive (size bytes) that stay,
// in runs of adjacent members.
func (e *Engine) copyKept(ctx context.Context, w *tarAppender, size int64) error {
	exts, _, err := extents(ctx, e.f, size)
	if err != nil {
		return fmt.Errorf("list members of %s: %w", e.path, err)
	}
	var runStart, runEnd int64 = -1, -1
	flush := func() error {
		if runStart < 0 {
			return nil
		}
		err := w.copyRange(ctx, e.f, runStart, runEnd-runStart)
		runStart = -1
		return err
	}
	for _, x := range exts {
		if e.dropped(x) {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		if runStart < 0 {
			runStart = x.start
		}
		runEnd = x.end
	}
	return flush()
}

// dropped reports whether member x is left out of the new archive: the old
// index.json and deleted blobs.
func (e *Engine) dropped(x extent) bool {
	if x.global {
		return false
	}
	if x.name == indexFile {
		return true
	}
	hex, ok := strings.CutPrefix(x.name, blobPrefix)
	return ok && e.w.deleted[digest.NewDigestFromEncoded(cas.BlobAlgorithm, hex)]
}

// hook runs commitHook, if set.
func hook(stage string) error {
	if commitHook == nil {
		return nil
	}
	return commitHook(stage)
}

// syncDir fsyncs a directory so that an entry renamed into it is durable.
func syncDir(path string) error {
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

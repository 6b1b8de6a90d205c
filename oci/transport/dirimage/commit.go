package dirimage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

// Commit writes manifest.json and version into the stage, then makes the
// directory hold the new image (see commitInto and commitNew).
func (d *dest) Commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := checkRaw(desc, raw); err != nil {
		return fmt.Errorf("commit %s: %w", d.name, err)
	}
	if err := d.commit(ctx, desc, raw); err != nil {
		return fmt.Errorf("commit %s: %w", d.name, err)
	}
	return nil
}

func (d *dest) commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := d.stage.PutBytes(ctx, manifestFile, desc, raw); err != nil {
		return err
	}
	v := []byte(version)
	vdesc := ispec.Descriptor{Digest: digest.FromBytes(v), Size: int64(len(v))}
	if err := d.stage.PutBytes(ctx, versionFile, vdesc, v); err != nil {
		return err
	}
	if err := localfs.SyncDir(d.stage.Dir()); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return errors.New("destination already closed")
	}
	d.done = true
	defer func() { _ = d.stage.Remove() }()
	if !d.inside {
		done, err := d.commitNew()
		if done || err != nil {
			return err
		}
		// The path appeared since Open: write into it as into any
		// existing directory.
	}
	return commitInto(ctx, d.stage, d.path)
}

// commitNew renames the stage (next to the missing path) to the path,
// mode 0755. It reports false, and no error, when the path exists by now.
func (d *dest) commitNew() (bool, error) {
	if err := os.Chmod(d.stage.Dir(), 0o755); err != nil {
		return false, err
	}
	err := unix.Renameat2(unix.AT_FDCWD, d.stage.Dir(), unix.AT_FDCWD, d.path, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		// No renameat2 here: rename(2) would replace an empty directory,
		// which is fine for a path that Open found missing.
		err = unix.Rename(d.stage.Dir(), d.path)
	}
	switch {
	case errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY):
		return false, nil
	case err != nil:
		return false, &os.LinkError{Op: "rename", Old: d.stage.Dir(), New: d.path, Err: err}
	}
	d.stage.Release()
	return true, localfs.SyncDir(filepath.Dir(d.path))
}

// commitInto moves the staged files into the existing directory dir so
// that dir holds a whole image at every moment, old or new (each rename is
// atomic, and each step is fsynced before the next):
//
//  1. version (the directory is a containers image directory from then on,
//     so a copy killed later may write into it again);
//  2. every blob and instance manifest: the old image still reads whole;
//  3. manifest.json, the switch to the new image;
//  4. the old files no longer referenced are deleted.
//
// A failure before step 3 removes the files step 1 and 2 added (not those
// they replaced: a file of the same name has the same content) and leaves
// the old image. dir is flocked for the duration, so concurrent copies
// into it commit one after the other.
func commitInto(ctx context.Context, stage *localfs.Stage, dir string) (err error) {
	lock, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := system.FlockWait(ctx, lock, system.LockExclusive); err != nil {
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	// Check again: the directory may have changed since Open.
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	names := stage.Names()
	var added []string
	defer func() {
		if err != nil {
			for _, n := range added {
				_ = os.Remove(filepath.Join(dir, n))
			}
		}
	}()
	move := func(name string) error {
		target := filepath.Join(dir, name)
		_, lerr := os.Lstat(target)
		if err := os.Rename(stage.Path(name), target); err != nil {
			return err
		}
		if errors.Is(lerr, fs.ErrNotExist) {
			added = append(added, name)
		}
		return nil
	}
	if err := move(versionFile); err != nil {
		return err
	}
	for _, n := range names {
		if n == versionFile || n == manifestFile {
			continue
		}
		if err := move(n); err != nil {
			return err
		}
	}
	if err := localfs.SyncDir(dir); err != nil {
		return err
	}
	if err := os.Rename(stage.Path(manifestFile), filepath.Join(dir, manifestFile)); err != nil {
		return err
	}
	added = nil // committed: nothing to take back
	if err := localfs.SyncDir(dir); err != nil {
		return err
	}
	// The new image is in place: failing to delete old files is not a
	// failure of the copy (the next copy deletes them).
	if err := removeOthers(dir, names); err != nil {
		slog.WarnContext(ctx, "remove the files of the replaced image", "path", dir, "error", err)
	}
	return nil
}

// removeOthers deletes every entry of dir but keep and the stages (live
// ones; stale ones are removed too).
func removeOthers(dir string, keep []string) error {
	localfs.CleanStaleStages(dir)
	kept := make(map[string]bool, len(keep))
	for _, n := range keep {
		kept[n] = true
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		if kept[e.Name()] || localfs.IsStageName(e.Name()) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	if err := localfs.SyncDir(dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

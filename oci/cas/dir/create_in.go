package dir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/oci/cas"
)

// CreateIn makes a new empty layout inside the existing directory path,
// which keeps its inode, owner and mode: it may be a mount point (a volume)
// or sit in a directory this process may not write, where Create, which
// renames a new directory into place, cannot work. When running as root,
// what it creates is given to path's owner.
//
// path must be empty, or hold only what an interrupted CreateIn left
// (blobs/ with an empty sha256/, index.json, .lade-tmp-* files: oci-layout
// is written last, so without it the directory is no layout yet), which is
// written over. A directory that has an oci-layout fails with fs.ErrExist
// (open it instead), one with anything else with syscall.ENOTEMPTY (which
// errors.Is also takes for fs.ErrExist: test it first), a path
// that is not a directory with syscall.ENOTDIR. The layout directory's
// flock (UpdateIndex's) is held meanwhile, so concurrent CreateIns of one
// directory make one layout.
func CreateIn(ctx context.Context, path string) error {
	if path == "" {
		return createErr("empty path", syscall.EINVAL)
	}
	root, err := filepath.Abs(path)
	if err != nil {
		return createErr(err.Error(), err)
	}
	if _, err := os.Lstat(filepath.Join(root, layoutFile)); err == nil {
		return createErr(path+" already holds a layout", fs.ErrExist)
	}
	lock, err := os.OpenFile(root, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return createErr(err.Error(), err)
	}
	defer lock.Close()
	if err := system.FlockWait(ctx, lock, system.LockExclusive); err != nil {
		return createErr("lock "+path+": "+err.Error(), err)
	}
	// Look again under the lock: a concurrent CreateIn may have finished.
	if _, err := os.Lstat(filepath.Join(root, layoutFile)); err == nil {
		return createErr(path+" already holds a layout", fs.ErrExist)
	}
	if err := clearPartial(root, path); err != nil {
		return err
	}
	own, err := ownerOf(root)
	if err != nil {
		return createErr(err.Error(), err)
	}
	if err := populate(root, own); err != nil {
		return createErr(err.Error(), err)
	}
	return nil
}

// clearPartial checks that root holds nothing but what an interrupted
// CreateIn leaves, and removes its temporary files. The caller holds the
// lock and has seen no oci-layout, so no engine has root open.
func clearPartial(root, shown string) error {
	ents, err := os.ReadDir(root)
	if err != nil {
		return createErr(err.Error(), err)
	}
	notEmpty := createErr(shown+" is not empty and holds no layout", syscall.ENOTEMPTY)
	var temps []string
	for _, e := range ents {
		switch name := e.Name(); {
		case strings.HasPrefix(name, tempPrefix) && e.Type().IsRegular():
			temps = append(temps, name)
		case name == indexFile && e.Type().IsRegular():
		case name == blobsDir && e.IsDir():
			if !onlyEmptyDir(filepath.Join(root, blobsDir), string(cas.BlobAlgorithm)) {
				return notEmpty
			}
		default:
			return notEmpty
		}
	}
	for _, name := range temps {
		if err := os.Remove(filepath.Join(root, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return createErr(err.Error(), err)
		}
	}
	return nil
}

// onlyEmptyDir reports whether dir holds nothing, or only an empty
// directory called name.
func onlyEmptyDir(dir, name string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) > 1 {
		return false
	}
	if len(ents) == 0 {
		return true
	}
	if ents[0].Name() != name || !ents[0].IsDir() {
		return false
	}
	sub, err := os.ReadDir(filepath.Join(dir, name))
	return err == nil && len(sub) == 0
}

package layout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"golang.org/x/sys/unix"
)

// createdLayout records what opening an oci: destination created, so that
// a failed copy can take it back.
type createdLayout struct {
	path     string
	layout   bool // the layout files were created by this destination
	wholeDir bool // and so was the directory itself
}

// openLayoutDest opens the layout of an oci: destination, creating it when
// the path does not exist (its parent must, as with skopeo) or is an empty
// directory. A non-empty directory that is not a layout is refused (skopeo
// would add the layout's files to it).
func openLayoutDest(ctx context.Context, name transport.Name, opts transport.Options) (*layoutDest, error) {
	t, err := localfs.Resolve(name.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	created := createdLayout{path: t.Path}
	switch {
	case !t.Exists():
		err = dir.Create(ctx, t.Path)
		if err == nil {
			created.layout, created.wholeDir = true, true
		} else if errors.Is(err, fs.ErrExist) {
			err = nil // created meanwhile by someone else: open it
		}
	case t.Info.IsDir():
		var empty bool
		if empty, err = isEmptyDir(t.Path); err == nil && empty {
			err = createInEmptyDir(ctx, t.Path, t.Info)
			created.layout = err == nil
		} else if _, serr := os.Lstat(filepath.Join(t.Path, "oci-layout")); err == nil && errors.Is(serr, fs.ErrNotExist) {
			// skopeo would write a layout among the files; lade does not.
			err = fmt.Errorf("%s is a non-empty directory without an oci-layout file, not an image layout", t.Path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	engine, err := dir.Open(ctx, t.Path)
	if err != nil {
		if created.layout {
			created.remove()
		}
		return nil, openErr(name, err)
	}
	return &layoutDest{name: name, engine: casext.NewEngine(engine), created: created, compression: layerCompression(opts)}, nil
}

// isEmptyDir reports whether directory path has no entries.
func isEmptyDir(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) > 0 {
		return false, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return true, nil
}

// createInEmptyDir creates a layout in a sibling temporary directory and
// renames it over the empty directory path (rename(2) replaces an empty
// directory atomically), keeping path's mode.
func createInEmptyDir(ctx context.Context, path string, fi fs.FileInfo) error {
	tmp, err := os.MkdirTemp(filepath.Dir(path), localfs.TempName(path))
	if err != nil {
		return err
	}
	// dir.Create wants a path that does not exist yet.
	if err := os.Remove(tmp); err != nil {
		return err
	}
	if err := dir.Create(ctx, tmp); err != nil {
		return err
	}
	err = os.Chmod(tmp, fi.Mode().Perm())
	if err == nil {
		// os.Rename refuses any existing directory; rename(2) replaces an
		// empty one.
		if err = unix.Rename(tmp, path); err != nil {
			err = fmt.Errorf("rename %s: %w", tmp, err)
		}
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	return localfs.SyncDir(filepath.Dir(path))
}

// discard removes the layout this destination created, if it still
// references nothing and no other process has it open (engine's exclusive
// lock, not waited for).
func (c createdLayout) discard(engine casext.Engine) error {
	if !c.layout {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // try the lock once, never wait
	if engine.LockExclusive(ctx) != nil {
		return nil
	}
	idx, err := engine.GetIndex(context.Background())
	if err != nil || len(idx.Manifests) > 0 {
		return nil
	}
	return c.remove()
}

// remove deletes what was created: the directory, or the layout files in a
// directory that existed (empty) before.
func (c createdLayout) remove() error {
	if c.wholeDir {
		if err := os.RemoveAll(c.path); err != nil {
			return fmt.Errorf("remove layout %s: %w", c.path, err)
		}
		return localfs.SyncDir(filepath.Dir(c.path))
	}
	entries, err := os.ReadDir(c.path)
	if err != nil {
		return fmt.Errorf("remove layout %s: %w", c.path, err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(c.path, e.Name())); err != nil {
			return fmt.Errorf("remove layout %s: %w", c.path, err)
		}
	}
	return localfs.SyncDir(c.path)
}

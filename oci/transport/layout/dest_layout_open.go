package layout

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
)

// createdLayout records what opening an oci: destination created, so that
// a failed copy can take it back.
type createdLayout struct {
	path     string
	layout   bool // the layout files were created by this destination
	wholeDir bool // and so was the directory itself
}

// openLayoutDest opens the layout of an oci: destination, creating it when
// the path does not exist (its parent must, as with skopeo: dir.Create
// builds it next to the path and renames it into place) or inside an
// existing directory without an oci-layout that is empty (dir.CreateIn: the
// directory keeps its inode, owner and mode, and may be a mount point or
// in a directory the user may not write). A non-empty directory that is
// not a layout is refused (skopeo would add the layout's files to it).
// Temporary files of killed processes in the layout are removed when no
// other process has it open.
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
		err = dir.CreateIn(ctx, t.Path)
		switch {
		case err == nil:
			created.layout = true
		case errors.Is(err, syscall.ENOTEMPTY): // before ErrExist, which it matches
			// skopeo would write a layout among the files; lade does not.
			err = fmt.Errorf("%s is a non-empty directory without an oci-layout file, not an image layout", t.Path)
		case errors.Is(err, fs.ErrExist):
			err = nil // a layout: open it
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
	if err := engine.Clean(ctx); err != nil {
		slog.DebugContext(ctx, "remove temporary files of killed processes", "layout", t.Path, "error", err)
	}
	return &layoutDest{name: name, engine: casext.NewEngine(engine), created: created, compression: layerCompression(opts)}, nil
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

package dirimage

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
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// dest writes a dir: directory. An existing directory is written into,
// through a stage inside it, so that it keeps its inode, owner and mode
// and may be a mount point or sit in a directory the user may not write; a
// missing one is staged next to its path and renamed into place.
type dest struct {
	name  transport.Name
	path  string // explicit path of the directory
	stage *localfs.Stage
	// inside: path existed at open and the stage is in it.
	inside bool

	mu   sync.Mutex
	done bool // committed or closed: the stage is gone
}

// OpenDestination checks a dir: destination (missing with an existing
// parent, an empty directory, or a directory with a version file) and
// creates its staging directory: inside it when it exists, else next to
// it. Stages that killed copies left are removed first.
func OpenDestination(ctx context.Context, name transport.Name, opts transport.Options) (transport.Destination, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if name.Transport != transport.Dir {
		return nil, fmt.Errorf("open %s: %w", name, transport.ErrUnsupported)
	}
	t, err := localfs.Resolve(name.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	d := &dest{name: name, path: t.Path, inside: t.Exists()}
	// Leftovers of killed copies: stages next to the path (of a copy to a
	// missing path, or of an older lade), and inside it.
	localfs.CleanStale(t.Path)
	if d.inside {
		if !t.Info.IsDir() {
			return nil, fmt.Errorf("open %s: %s: %w", name, t.Path, syscall.ENOTDIR)
		}
		localfs.CleanStaleStages(t.Path)
		if err := checkReplaceable(t.Path); err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		d.stage, err = localfs.NewStageIn(t.Path, true)
	} else {
		d.stage, err = localfs.NewStage(filepath.Dir(t.Path), t.Path, true)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return d, nil
}

// checkReplaceable refuses to write into anything but a missing path, an
// empty directory or a directory with a version file (skopeo's rule and
// words). Stages (live ones of concurrent copies) do not count as content.
func checkReplaceable(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: %w", path, syscall.ENOTDIR)
	}
	if _, err := os.Lstat(filepath.Join(path, versionFile)); err == nil {
		return nil
	}
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(64)
		for _, n := range names {
			if !localfs.IsStageName(n) {
				return fmt.Errorf("%s is not a containers image directory, don't want to overwrite important data", path)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (d *dest) Name() transport.Name                         { return d.name }
func (d *dest) ManifestTypes() []string                      { return nil }
func (d *dest) LayerCompression() transport.LayerCompression { return transport.PreserveCompression }

// Has reports whether this copy has already stored desc (a dir: directory
// is replaced as a whole, so what it held before does not count).
func (d *dest) Has(ctx context.Context, desc ispec.Descriptor) (bool, error) {
	if desc.Digest.Validate() != nil {
		return false, nil
	}
	return d.stage.Has(blobFile(desc.Digest), desc.Size), nil
}

func (d *dest) PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error {
	if err := d.stage.Put(ctx, blobFile(desc.Digest), desc, r); err != nil {
		return fmt.Errorf("store blob in %s: %w", d.name, err)
	}
	return nil
}

// PutManifest stores an index's instance manifest as <hex>.manifest.json.
func (d *dest) PutManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := checkRaw(desc, raw); err != nil {
		return fmt.Errorf("store manifest in %s: %w", d.name, err)
	}
	if err := d.stage.PutBytes(ctx, instanceFile(desc.Digest), desc, raw); err != nil {
		return fmt.Errorf("store manifest in %s: %w", d.name, err)
	}
	return nil
}

// Close removes the staging directory; without a successful Commit the
// path is untouched.
func (d *dest) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return nil
	}
	d.done = true
	return d.stage.Remove()
}

// checkRaw checks that raw is what desc describes.
func checkRaw(desc ispec.Descriptor, raw []byte) error {
	if err := desc.Digest.Validate(); err != nil {
		return fmt.Errorf("invalid digest %q: %w", desc.Digest, err)
	}
	if got := desc.Digest.Algorithm().FromBytes(raw); got != desc.Digest || int64(len(raw)) != desc.Size {
		return fmt.Errorf("%s: content is %s (%d bytes, want %d): %w", desc.Digest, got, len(raw), desc.Size, cas.ErrDigestMismatch)
	}
	return nil
}

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
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// dest writes a dir: directory through a staging directory next to it.
type dest struct {
	name  transport.Name
	path  string // explicit path of the directory
	stage *localfs.Stage

	mu   sync.Mutex
	done bool // committed or closed: the stage is gone
}

// OpenDestination checks a dir: destination (missing with an existing
// parent, an empty directory, or a directory with a version file) and
// creates its staging directory next to it.
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
	if err := checkReplaceable(t.Path); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	stage, err := localfs.NewStage(filepath.Dir(t.Path), t.Path, true)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &dest{name: name, path: t.Path, stage: stage}, nil
}

// checkReplaceable refuses to replace anything but a missing path, an
// empty directory or a directory with a version file (skopeo's rule and
// words).
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
	if names, _ := d.Readdirnames(1); len(names) > 0 {
		return fmt.Errorf("%s is not a containers image directory, don't want to overwrite important data", path)
	}
	return nil
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

// Commit writes manifest.json and version, then puts the staged directory
// in place of the path at once.
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
	if err := d.takeAttributes(); err != nil {
		return err
	}
	if err := localfs.SyncDir(d.stage.Dir()); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Check again: the path may have changed since Open.
	if err := checkReplaceable(d.path); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return errors.New("destination already closed")
	}
	d.done = true
	if err := localfs.ReplaceDir(d.stage.Dir(), d.path); err != nil {
		_ = d.stage.Remove()
		return err
	}
	d.stage.Release()
	return nil
}

// takeAttributes gives the staged directory the mode (and, as root, the
// owner) of the directory it replaces, or 0755.
func (d *dest) takeAttributes() error {
	mode := os.FileMode(0o755)
	fi, err := os.Stat(d.path)
	if err == nil {
		mode = fi.Mode().Perm()
	}
	if err := os.Chmod(d.stage.Dir(), mode); err != nil {
		return err
	}
	if st, ok := statT(fi); ok && os.Geteuid() == 0 {
		return os.Chown(d.stage.Dir(), int(st.Uid), int(st.Gid))
	}
	return nil
}

func statT(fi fs.FileInfo) (*syscall.Stat_t, bool) {
	if fi == nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st, ok
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

package mutate

import (
	"context"
	"errors"
	"fmt"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// ErrUnsupported is returned when the descriptor path leads to something the
// mutator cannot edit: a target that is not an image manifest (OCI or Docker
// v2s2), a config that is not an image config (OCI or Docker), or a parent
// that is not an index (OCI index or Docker manifest list).
var ErrUnsupported = errors.New("unsupported media type")

// Mutator edits the image at the end of a descriptor path. The manifest and
// config are read lazily on first use and cached; edits change only the
// cache until [Mutator.Commit] writes them out.
//
// A Mutator is not safe for concurrent use by several goroutines.
type Mutator struct {
	engine casext.Engine
	path   casext.DescriptorPath

	// manifest and config are nil until load succeeds.
	manifest *ispec.Manifest
	config   *ispec.Image
	// rawManifest and rawConfig are the documents as last read or
	// written: Commit puts back the keys the structs do not model (see
	// mergeUnknown).
	rawManifest []byte
	rawConfig   []byte
	// dirty is set by every edit and cleared by Commit.
	dirty bool
	// platformChanged is set when Set changed the config's platform, so
	// that Commit brings the platform of the manifest's index entry in line.
	platformChanged bool
	// docker is set when the loaded manifest or config has a Docker media
	// type: Commit then writes the image in OCI form (see convertToOCI).
	docker bool
}

// New returns a Mutator for the image manifest at the end of path, an OCI
// image manifest or a Docker v2s2 manifest (which Commit converts to OCI).
// It does not read anything yet; the first call that needs the manifest or
// config reads and verifies them.
func New(engine casext.Engine, path casext.DescriptorPath) (*Mutator, error) {
	if len(path.Walk) == 0 {
		return nil, errors.New("create mutator: empty descriptor path")
	}
	if mt := path.Descriptor().MediaType; !mediatype.IsManifest(mt) {
		return nil, fmt.Errorf("create mutator: target %q: %w", mt, ErrUnsupported)
	}
	return &Mutator{engine: engine, path: copyPath(path)}, nil
}

// copyPath returns a deep copy of p, so no caller shares our walk slice.
func copyPath(p casext.DescriptorPath) casext.DescriptorPath {
	return casext.DescriptorPath{Walk: cas.CloneDescriptors(p.Walk)}
}

// load reads and caches the manifest and config if not done yet.
func (m *Mutator) load(ctx context.Context) error {
	if m.manifest != nil {
		return nil
	}
	desc := m.path.Descriptor()
	blob, err := m.engine.FromDescriptor(ctx, desc)
	if err != nil {
		return fmt.Errorf("read manifest %s: %w", desc.Digest, err)
	}
	manifest, ok := blob.Data.(*ispec.Manifest)
	if !ok || manifest == nil {
		return fmt.Errorf("read manifest %s: parsed as %T: %w", desc.Digest, blob.Data, ErrUnsupported)
	}
	if manifest.MediaType != "" && !mediatype.IsManifest(manifest.MediaType) {
		return fmt.Errorf("read manifest %s: mediaType %q: %w", desc.Digest, manifest.MediaType, ErrUnsupported)
	}
	if mt := manifest.Config.MediaType; !mediatype.IsConfig(mt) {
		return fmt.Errorf("read manifest %s: config %q: %w", desc.Digest, mt, ErrUnsupported)
	}
	rawManifest := blob.Raw
	blob, err = m.engine.FromDescriptor(ctx, manifest.Config)
	if err != nil {
		return fmt.Errorf("read config %s: %w", manifest.Config.Digest, err)
	}
	config, ok := blob.Data.(*ispec.Image)
	if !ok || config == nil {
		return fmt.Errorf("read config %s: parsed as %T: %w", manifest.Config.Digest, blob.Data, ErrUnsupported)
	}
	mc, cc := copyManifest(*manifest), copyImage(*config)
	m.manifest, m.config = &mc, &cc
	m.rawManifest, m.rawConfig = rawManifest, blob.Raw
	m.docker = mediatype.IsDocker(desc.MediaType) || mediatype.IsDocker(manifest.Config.MediaType) || m.hasDockerLayer()
	return nil
}

// Manifest returns a deep copy of the (possibly edited) manifest.
func (m *Mutator) Manifest(ctx context.Context) (ispec.Manifest, error) {
	if err := m.load(ctx); err != nil {
		return ispec.Manifest{}, err
	}
	return copyManifest(*m.manifest), nil
}

// Config returns a deep copy of the (possibly edited) image config.
func (m *Mutator) Config(ctx context.Context) (ispec.Image, error) {
	if err := m.load(ctx); err != nil {
		return ispec.Image{}, err
	}
	return copyImage(*m.config), nil
}

// Path returns a deep copy of the descriptor path the mutator works on: the
// source path, or the path returned by the last Commit.
func (m *Mutator) Path() casext.DescriptorPath {
	return copyPath(m.path)
}

package copytest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/lade-oci/lade/oci/cas/archive"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// LayoutSource is a minimal source over the image tagged in an OCI layout,
// for tests of transports that may not import the layout transport.
type LayoutSource struct {
	name   transport.Name
	engine casext.Engine
	top    ispec.Descriptor
}

// OpenLayout opens tag of the layout path as a LayoutSource, closed at the
// end of the test.
func OpenLayout(t testing.TB, path, tag string) *LayoutSource {
	t.Helper()
	ctx := context.Background()
	e, err := dir.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	idx, err := e.GetIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range idx.Manifests {
		if m.Annotations[casext.RefNameAnnotation] == tag {
			m.Annotations = nil
			return &LayoutSource{name: MustParse(t, "oci:"+path+":"+tag), engine: casext.NewEngine(e), top: m}
		}
	}
	t.Fatalf("no tag %s in %s", tag, path)
	return nil
}

// OpenArchive opens the image tagged refname (for a docker-archive, a
// RepoTag exactly as written) of the tar at path through lade's archive
// backend, as a LayoutSource closed at the end of the test.
func OpenArchive(t testing.TB, path, refname string) *LayoutSource {
	t.Helper()
	ctx := context.Background()
	a, err := archive.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e := casext.NewEngine(a)
	p, err := e.ResolveOne(ctx, refname)
	if err != nil {
		t.Fatal(err)
	}
	top := p.Descriptor()
	top.Annotations = nil
	return &LayoutSource{name: MustParse(t, "oci-archive:"+path), engine: e, top: top}
}

// Top returns the descriptor the source resolves to.
func (s *LayoutSource) Top() ispec.Descriptor { return s.top }

func (s *LayoutSource) Name() transport.Name { return s.name }
func (s *LayoutSource) Resolve(ctx context.Context) (ispec.Descriptor, error) {
	return s.top, nil
}
func (s *LayoutSource) Fetch(ctx context.Context, d ispec.Descriptor) (io.ReadCloser, error) {
	return s.engine.GetVerifiedBlob(ctx, d)
}
func (s *LayoutSource) Close() error { return nil }

// LayoutDest is a minimal destination writing a new OCI layout under a
// tag, taking any manifest and layers as they come.
type LayoutDest struct {
	engine casext.Engine
	tag    string
}

// NewLayout creates the layout path and returns a LayoutDest into it.
func NewLayout(t testing.TB, path, tag string) *LayoutDest {
	t.Helper()
	ctx := context.Background()
	if err := dir.Create(ctx, path); err != nil {
		t.Fatal(err)
	}
	e, err := dir.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return &LayoutDest{engine: casext.NewEngine(e), tag: tag}
}

func (d *LayoutDest) Name() transport.Name    { return transport.Name{} }
func (d *LayoutDest) ManifestTypes() []string { return nil }
func (d *LayoutDest) LayerCompression() transport.LayerCompression {
	return transport.PreserveCompression
}
func (d *LayoutDest) Has(ctx context.Context, desc ispec.Descriptor) (bool, error) {
	n, err := d.engine.StatBlob(ctx, desc.Digest)
	return err == nil && n == desc.Size, nil
}
func (d *LayoutDest) PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error {
	_, _, err := d.engine.PutBlob(ctx, r)
	return err
}
func (d *LayoutDest) PutManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	return d.PutBlob(ctx, desc, bytes.NewReader(raw))
}
func (d *LayoutDest) Commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := d.PutManifest(ctx, desc, raw); err != nil {
		return err
	}
	return d.engine.UpdateReference(ctx, d.tag, desc)
}
func (d *LayoutDest) Close() error { return nil }

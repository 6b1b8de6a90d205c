package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
)

// layoutSource is a test-only oci: Source over casext: the real oci:
// transport lives elsewhere. Resolve finds the top-level index.json entry
// tagged with the name's tag.
type layoutSource struct {
	name transport.Name
	eng  casext.Engine
}

func openLayout(t *testing.T, path, tag string) *layoutSource {
	t.Helper()
	e, err := dir.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return &layoutSource{name: transport.Name{Transport: transport.OCI, Path: path, Tag: tag, Index: -1}, eng: casext.NewEngine(e)}
}

func (s *layoutSource) Name() transport.Name { return s.name }
func (s *layoutSource) Close() error         { return nil }

func (s *layoutSource) Resolve(ctx context.Context) (ispec.Descriptor, error) {
	idx, err := s.eng.GetIndex(ctx)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	for _, d := range idx.Manifests {
		if d.Annotations[ispec.AnnotationRefName] == s.name.Tag {
			return d, nil
		}
	}
	return ispec.Descriptor{}, fmt.Errorf("tag %s: %w", s.name.Tag, transport.ErrNotFound)
}

func (s *layoutSource) Fetch(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	rc, err := s.eng.GetVerifiedBlob(ctx, desc)
	if errors.Is(err, cas.ErrNotExist) {
		err = fmt.Errorf("%w: %w", transport.ErrNotFound, err)
	}
	return rc, err
}

// memSource is an in-memory Source: blobs by digest, a top descriptor,
// and optionally the tags of a registry repository.
type memSource struct {
	name  transport.Name
	top   ispec.Descriptor
	blobs map[digest.Digest][]byte
}

// tagSource adds a TagLister to a memSource.
type tagSource struct {
	*memSource
	tags []string
	err  error
}

func (s *tagSource) Tags(context.Context) ([]string, error) { return s.tags, s.err }

func (s *memSource) Name() transport.Name { return s.name }
func (s *memSource) Close() error         { return nil }

func (s *memSource) Resolve(context.Context) (ispec.Descriptor, error) { return s.top, nil }

// Fetch serves a blob, verifying it as a real transport does.
func (s *memSource) Fetch(_ context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	b, ok := s.blobs[desc.Digest]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", desc.Digest, transport.ErrNotFound)
	}
	if digest.FromBytes(b) != desc.Digest || int64(len(b)) != desc.Size {
		return io.NopCloser(&failReader{err: fmt.Errorf("blob %s: %w", desc.Digest, cas.ErrDigestMismatch)}), nil
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

type failReader struct{ err error }

func (r *failReader) Read([]byte) (int, error) { return 0, r.err }

// put stores b and returns its descriptor of media type mt.
func (s *memSource) put(mt string, b []byte) ispec.Descriptor {
	if s.blobs == nil {
		s.blobs = map[digest.Digest][]byte{}
	}
	d := digest.FromBytes(b)
	s.blobs[d] = b
	return ispec.Descriptor{MediaType: mt, Digest: d, Size: int64(len(b))}
}

// loadDirImage reads a skopeo dir: image (manifest.json, blobs and child
// manifests named by their hex digest) into a memSource named dir:PATH.
func loadDirImage(t *testing.T, path string) *memSource {
	t.Helper()
	s := &memSource{name: transport.Name{Transport: transport.Dir, Path: path, Index: -1}}
	entries, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case e.Name() == "manifest.json":
			s.top = s.put(manifestType("", b), b)
		case e.Name() != "version":
			d := s.put("", b)
			if want := strings.TrimSuffix(e.Name(), ".manifest.json"); d.Digest.Encoded() != want {
				t.Fatalf("%s: content has digest %s", e.Name(), d.Digest)
			}
		}
	}
	return s
}

func mustParse(t *testing.T, name string) transport.Name {
	t.Helper()
	n, err := transport.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

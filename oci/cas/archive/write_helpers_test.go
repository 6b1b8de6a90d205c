package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// tarNames lists the member names of the tar file p, failing on a
// duplicate name.
func tarNames(t *testing.T, p string) []string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var names []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		if slices.Contains(names, name) {
			t.Fatalf("%s: duplicate member %q", p, name)
		}
		names = append(names, name)
	}
}

// sameStore checks that a and b hold the same index and blobs.
func sameStore(t *testing.T, a, b cas.Engine) {
	t.Helper()
	ia, err := a.GetIndex(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ib, err := b.GetIndex(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ia, ib) {
		t.Fatalf("indexes differ:\n%+v\n%+v", ia, ib)
	}
	la, _ := a.ListBlobs(t.Context())
	lb, err := b.ListBlobs(t.Context())
	slices.Sort(la)
	slices.Sort(lb)
	if err != nil || !slices.Equal(la, lb) {
		t.Fatalf("blobs differ: %v, %v (%v)", la, lb, err)
	}
	for _, d := range la {
		da, err := readAll(t, a, d)
		if err != nil {
			t.Fatal(err)
		}
		db, err := readAll(t, b, d)
		if err != nil || !bytes.Equal(da, db) {
			t.Fatalf("blob %s differs (%v)", d, err)
		}
	}
}

// tag is an index update adding a descriptor of d named name.
func tag(name string, d digest.Digest, size int64) func(*ispec.Index) error {
	return func(idx *ispec.Index) error {
		idx.Manifests = append(idx.Manifests, ispec.Descriptor{MediaType: ispec.MediaTypeImageManifest,
			Digest: d, Size: size, Annotations: map[string]string{ispec.AnnotationRefName: name}})
		return nil
	}
}

// tags returns the ref names of e's index.
func tags(t *testing.T, e cas.Engine) []string {
	t.Helper()
	idx, err := e.GetIndex(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range idx.Manifests {
		out = append(out, d.Annotations[ispec.AnnotationRefName])
	}
	slices.Sort(out)
	return out
}

// fileState is what "untouched" means for a file: inode and content.
type fileState struct {
	ino  uint64
	data []byte
}

func stateOf(t *testing.T, p string) fileState {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{ino: fi.Sys().(*syscall.Stat_t).Ino, data: data}
}

func (s fileState) same(o fileState) bool { return s.ino == o.ino && bytes.Equal(s.data, o.data) }

// temps lists the lade temporary entries next to p.
func temps(t *testing.T, p string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(p), tempPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// putString stores s through e.
func putString(t *testing.T, e cas.Engine, s string) digest.Digest {
	t.Helper()
	d, _, err := e.PutBlob(t.Context(), strings.NewReader(s))
	if err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	return d
}

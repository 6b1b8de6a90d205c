package dir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
)

// tagged writes an index.json naming the given tags, as another process
// would: replaced (a new inode), or rewritten in place.
func tagged(t *testing.T, root string, inPlace bool, names ...string) {
	t.Helper()
	idx := emptyIndex()
	for _, n := range names {
		idx.Manifests = append(idx.Manifests, testDescriptor(n))
	}
	data, err := encodeIndex(idx)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, indexFile)
	if inPlace {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(p+".new", data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
}

func tagNames(idx ispec.Index) string {
	var names []string
	for _, d := range idx.Manifests {
		names = append(names, d.Annotations[ispec.AnnotationRefName])
	}
	return strings.Join(names, ",")
}

// TestIndexParsedAtOpen checks the index Open parsed is what readers get
// only while index.json is unchanged, each its own copy.
func TestIndexParsedAtOpen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, root string)
		want   string
	}{
		{"unchanged", func(*testing.T, string) {}, "aaa,bbb"},
		{"replaced", func(t *testing.T, root string) { tagged(t, root, false, "ccc") }, "ccc"},
		// Same length, same second: only ctime (and content) differ.
		{"rewritten in place", func(t *testing.T, root string) { tagged(t, root, true, "xxx", "yyy") }, "xxx,yyy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := newLayout(t)
			tagged(t, root, false, "aaa", "bbb")
			e := mustOpen(t, root)
			tc.change(t, root)
			idx, err := e.GetIndex(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := tagNames(idx); got != tc.want {
				t.Fatalf("first GetIndex: %q, want %q", got, tc.want)
			}
			// A caller editing what it got does not change what the next
			// one gets.
			idx.Manifests[0].Annotations[ispec.AnnotationRefName] = "edited"
			again, err := e.GetIndex(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := tagNames(again); got != tc.want {
				t.Fatalf("second GetIndex: %q, want %q", got, tc.want)
			}
		})
	}
}

// TestUpdateIndexAfterOpen: an update right after Open starts from the
// current file, also when another process replaced it since.
func TestUpdateIndexAfterOpen(t *testing.T) {
	root := newLayout(t)
	tagged(t, root, false, "aaa")
	e := mustOpen(t, root)
	tagged(t, root, false, "aaa", "bbb")
	err := e.UpdateIndex(t.Context(), func(idx *ispec.Index) error {
		idx.Manifests = append(idx.Manifests, testDescriptor("ccc"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := readIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := tagNames(idx); got != "aaa,bbb,ccc" {
		t.Fatalf("index after update: %q", got)
	}
	// The engine's own reads see its write, not the index Open parsed.
	if idx, err = e.GetIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := tagNames(idx); got != "aaa,bbb,ccc" {
		t.Fatalf("GetIndex after update: %q", got)
	}
}

// TestOversizedIndexRefused: an index.json over cas.MaxIndexSize is read
// only up to the cap (plus one byte) and refused.
func TestOversizedIndexRefused(t *testing.T) {
	root := newLayout(t)
	if err := os.Truncate(filepath.Join(root, indexFile), cas.MaxIndexSize+4096); err != nil {
		t.Fatal(err)
	}
	data, err := readIndexBytes(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != cas.MaxIndexSize+1 || cap(data) != cas.MaxIndexSize+1 {
		t.Errorf("read %d bytes into %d, want %d into as many", len(data), cap(data), cas.MaxIndexSize+1)
	}
	if _, err := Open(t.Context(), root); !errors.Is(err, cas.ErrInvalid) {
		t.Fatalf("open with an oversized index: %v, want cas.ErrInvalid", err)
	}
}

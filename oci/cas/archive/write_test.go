package archive

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// copyDir copies the layout directory src to a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// longNameTar writes the layout at root with every member name given a
// long "./././..." prefix (GNU tar long-name or PAX records) and a PAX
// global header first, so that members span several header blocks.
func longNameTar(t *testing.T, root string) string {
	t.Helper()
	entries := []entry{{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "global",
		PAXRecords: map[string]string{"comment": "global"}}}}
	err := filepathWalkFiles(root, func(rel string, data []byte) {
		e := file(strings.Repeat("./", 60)+rel, string(data))
		if len(entries)%2 == 0 {
			e.hdr.Format = tar.FormatGNU
		}
		entries = append(entries, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "long.tar", tarBytes(t, entries...))
}

// filepathWalkFiles calls fn with the relative path and content of every
// regular file under root.
func filepathWalkFiles(root string, fn func(rel string, data []byte)) error {
	return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fn(filepath.ToSlash(rel), data)
		return nil
	})
}

// TestWriteSameAsDir applies the same writes to a layout directory and to
// an archive of it, closes the archive, and checks that reopening it gives
// the directory's index and blobs, with no duplicate member.
func TestWriteSameAsDir(t *testing.T) {
	root := smallLayout(t)
	for _, tc := range []struct {
		name string
		tar  func(t *testing.T) string
	}{
		{"skopeo style", func(t *testing.T) string { return layoutTar(t, root) }},
		{"long names and global header", func(t *testing.T) string { return longNameTar(t, root) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			layout := copyDir(t, root)
			de, err := dir.Open(t.Context(), layout)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = de.Close() })
			p := tc.tar(t)
			ae, err := Open(t.Context(), p)
			if err != nil {
				t.Fatal(err)
			}
			blobs, _ := de.ListBlobs(t.Context())
			slices.Sort(blobs)
			for _, e := range []cas.Engine{de, ae} {
				d := putString(t, e, "new blob")
				putString(t, e, "deleted again")
				if err := e.DeleteBlob(t.Context(), digest.FromString("deleted again")); err != nil {
					t.Fatal(err)
				}
				existing, _ := readAll(t, e, blobs[0])
				putString(t, e, string(existing)) // already there: no-op
				for _, gone := range blobs[1:3] {
					if err := e.DeleteBlob(t.Context(), gone); err != nil {
						t.Fatal(err)
					}
				}
				if err := e.UpdateIndex(t.Context(), tag("added", d, 8)); err != nil {
					t.Fatal(err)
				}
			}
			sameStore(t, de, ae) // before Close, from memory and temp files
			if err := ae.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if left := temps(t, p); len(left) != 0 {
				t.Fatalf("temp files left: %v", left)
			}
			names := tarNames(t, p)
			if !slices.Contains(names, "index.json") || slices.Contains(names, blobName("deleted again")) {
				t.Fatalf("members %v", names)
			}
			sameStore(t, de, mustOpen(t, p))
		})
	}
}

// TestNoChangeLeavesArchive opens archives for writing and changes nothing:
// the file keeps its inode and bytes.
func TestNoChangeLeavesArchive(t *testing.T) {
	p := layoutTar(t, smallLayout(t))
	before := stateOf(t, p)
	e := mustOpen(t, p)
	blobs, _ := e.ListBlobs(t.Context())
	data, _ := readAll(t, e, blobs[0])
	putString(t, e, string(data))
	if err := e.UpdateIndex(t.Context(), func(*ispec.Index) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteBlob(t.Context(), digest.FromString("never stored")); err != nil {
		t.Fatal(err)
	}
	if err := e.Clean(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if !stateOf(t, p).same(before) {
		t.Fatal("archive changed")
	}
	if left := temps(t, p); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// TestCommitFailureLeavesArchive makes Close fail at each stage: the
// archive keeps its inode and bytes and no temporary file is left.
func TestCommitFailureLeavesArchive(t *testing.T) {
	for _, stage := range []string{"written", "synced"} {
		t.Run(stage, func(t *testing.T) {
			p := layoutTar(t, smallLayout(t))
			before := stateOf(t, p)
			commitHook = func(s string) error {
				if s == stage {
					return os.ErrDeadlineExceeded
				}
				return nil
			}
			t.Cleanup(func() { commitHook = nil })
			e := mustOpen(t, p)
			putString(t, e, "new")
			if err := e.Close(); err == nil || !strings.Contains(err.Error(), "commit archive "+p) {
				t.Fatalf("Close = %v, want a commit error", err)
			}
			if !stateOf(t, p).same(before) {
				t.Fatal("archive changed")
			}
			if left := temps(t, p); len(left) != 0 {
				t.Fatalf("temp files left: %v", left)
			}
		})
	}
}

// TestReadOnlyPlaces checks writes where the archive cannot be replaced
// (a directory without write permission, a file without it): they fail
// with cas.ErrReadOnly and the archive is untouched.
func TestReadOnlyPlaces(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("permissions do not stop root")
	}
	for _, tc := range []struct {
		name  string
		chmod func(p string) string // returns what to restore
	}{
		{"read-only directory", func(p string) string { os.Chmod(filepath.Dir(p), 0o555); return filepath.Dir(p) }},
		{"read-only file", func(p string) string { os.Chmod(p, 0o444); return "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := layoutTar(t, smallLayout(t))
			before := stateOf(t, p)
			if restore := tc.chmod(p); restore != "" {
				t.Cleanup(func() { os.Chmod(restore, 0o755) })
			}
			e := mustOpen(t, p)
			_, _, err := e.PutBlob(t.Context(), strings.NewReader("x"))
			wantErr(t, "PutBlob", err, cas.ErrReadOnly)
			if err := e.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if !stateOf(t, p).same(before) {
				t.Fatal("archive changed")
			}
		})
	}
	// An index-only change fails at Close in a read-only directory.
	p := layoutTar(t, smallLayout(t))
	before := stateOf(t, p)
	e := mustOpen(t, p)
	if err := e.UpdateIndex(t.Context(), tag("x", digest.FromString("x"), 1)); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(p), 0o555)
	defer os.Chmod(filepath.Dir(p), 0o755)
	if err := e.Close(); err == nil || !bytes.Contains([]byte(err.Error()), []byte("read-only")) {
		t.Fatalf("Close = %v, want a read-only error", err)
	}
	if !stateOf(t, p).same(before) {
		t.Fatal("archive changed")
	}
}

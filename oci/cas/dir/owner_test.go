package dir

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRootChownsToLayoutOwner checks that, as root, everything lade creates
// belongs to the owner of the layout (for Create: of the nearest existing
// ancestor), so that a root-run lade does not leave root-owned files in a
// user's layout.
func TestRootChownsToLayoutOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown to the layout owner only happens as root")
	}
	const uid, gid = 12345, 23456
	parent := t.TempDir()
	if err := os.Chown(parent, uid, gid); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(parent, "missing", "layout")
	if err := Create(t.Context(), root); err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, root)
	if _, _, err := e.PutBlob(t.Context(), strings.NewReader("owned")); err != nil {
		t.Fatal(err)
	}
	if err := e.PutIndex(t.Context(), emptyIndex()); err != nil {
		t.Fatal(err)
	}
	// blobs/sha256 recreated by PutBlob must be chowned too.
	if err := os.RemoveAll(blobDir(root)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.PutBlob(t.Context(), strings.NewReader("owned again")); err != nil {
		t.Fatal(err)
	}
	checked := 0
	err := filepath.WalkDir(filepath.Join(parent, "missing"), func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != uid || st.Gid != gid {
			t.Errorf("%s owned by %d:%d, want %d:%d", p, st.Uid, st.Gid, uid, gid)
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// missing, layout, oci-layout, index.json, blobs, blobs/sha256, 1 blob.
	if checked != 7 {
		t.Errorf("checked %d paths, want 7", checked)
	}
}

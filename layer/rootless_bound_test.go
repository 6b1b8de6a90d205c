package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/lade-oci/lade/internal/unpriv"
	"github.com/lade-oci/lade/layer/layertest"
)

type modeCtime struct {
	mode  os.FileMode
	ctime syscall.Timespec
}

func statModeCtime(t *testing.T, p string) modeCtime {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return modeCtime{fi.Mode(), fi.Sys().(*syscall.Stat_t).Ctim}
}

// tarNames lists the entry names of an uncompressed tar.
func tarNames(t *testing.T, b []byte) map[string]*tar.Header {
	t.Helper()
	names := map[string]*tar.Header{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names[hdr.Name] = hdr
	}
}

// TestRootlessStaysInRoot: a rootless unpack, mtree walk, diff, repack and
// insert of a tree with mode-000 directories, whose rootfs sits below a
// read-only (0500) directory, work without ever changing the mode or the
// ctime of that directory or anything above it (a chmod-and-restore would
// change the ctime even though the mode comes back).
func TestRootlessStaysInRoot(t *testing.T) {
	if asNobody(t) {
		return
	}
	base := t.TempDir()
	outer := filepath.Join(base, "outer")
	root := filepath.Join(outer, "rootfs")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(outer, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.Chmod(outer, 0o755)
		_ = unpriv.RemoveAll(base, base)
	})
	if err := os.WriteFile(filepath.Join(outer, "probe"), nil, 0o644); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("write into 0500 dir: %v (not unprivileged?)", err)
	}
	before := map[string]modeCtime{base: statModeCtime(t, base), outer: statModeCtime(t, outer)}
	time.Sleep(50 * time.Millisecond) // a later chmod gets a later ctime

	opts := &UnpackOptions{MapOptions: MapOptions{Rootless: true}}
	mustUnpack(t, root, opts,
		[]layertest.Entry{
			{Type: tar.TypeDir, Name: "locked", Mode: layertest.ModeNone},
			{Type: tar.TypeDir, Name: "locked/inner", Mode: layertest.ModeNone},
			{Type: tar.TypeReg, Name: "locked/inner/f", Content: "x", UID: 1000, GID: 100},
			{Type: tar.TypeDir, Name: "ro", Mode: 0o555},
			layertest.File("ro/x", "x"),
		},
		[]layertest.Entry{layertest.File("locked/inner/g", "g"), layertest.Whiteout("ro/.wh.x")},
	)
	fs := fseval.NewIn(root, true)
	dh, err := mtreeutil.Walk(t.Context(), root, mtreeutil.WalkOptions{FsEval: fs})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	f, err := fs.CreateExcl(filepath.Join(root, "locked/inner/new"), 0o644)
	if err != nil {
		t.Fatalf("create in locked dir: %v", err)
	}
	if _, err := f.Write([]byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	deltas, err := mtreeutil.Diff(t.Context(), root, dh, mtreeutil.DiffOptions{FsEval: fs})
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	var buf bytes.Buffer
	if err := GenerateLayer(t.Context(), &buf, root, deltas, &RepackOptions{MapOptions: opts.MapOptions}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	if hdr := tarNames(t, buf.Bytes())["locked/inner/new"]; hdr == nil || hdr.Uid != 0 || hdr.Size != 3 {
		t.Fatalf("repacked layer entry locked/inner/new = %+v", hdr)
	}
	buf.Reset()
	if err := GenerateInsertLayer(t.Context(), &buf, filepath.Join(root, "locked"), "/opt", false, &RepackOptions{MapOptions: opts.MapOptions}); err != nil {
		t.Fatalf("generate insert: %v", err)
	}
	got := tarNames(t, buf.Bytes())
	for _, n := range []string{"opt/inner/f", "opt/inner/g", "opt/inner/new"} {
		if got[n] == nil {
			t.Errorf("insert layer lacks %s: %q", n, slices.Sorted(maps.Keys(got)))
		}
	}
	if hdr := got["opt/inner/f"]; hdr != nil && (hdr.Uid != 1000 || hdr.Gid != 100) {
		t.Errorf("insert owner of f = %d:%d, want 1000:100 from the xattr", hdr.Uid, hdr.Gid)
	}
	for _, p := range []string{"locked", "locked/inner"} {
		fi, err := fs.Lstat(filepath.Join(root, p))
		if err != nil || fi.Mode().Perm() != 0 {
			t.Errorf("%s mode after the loop = %v, %v; want 000", p, fi.Mode(), err)
		}
	}
	for p, want := range before {
		if got := statModeCtime(t, p); got != want {
			t.Errorf("%s outside the rootfs changed: %+v -> %+v", p, want, got)
		}
	}
}

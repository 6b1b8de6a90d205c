package dir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestCreateIn: a layout is made inside an existing empty directory, which
// keeps its inode, mode and owner; what is created gets the directory's
// owner when running as root.
func TestCreateIn(t *testing.T) {
	root := filepath.Join(t.TempDir(), "layout")
	os.Mkdir(root, 0o700)
	if os.Geteuid() == 0 {
		os.Chown(root, 65534, 65534)
	}
	os.Chmod(root, 0o770|os.ModeSetgid)
	var before syscall.Stat_t
	syscall.Stat(root, &before)
	if err := CreateIn(t.Context(), root); err != nil {
		t.Fatal(err)
	}
	var after syscall.Stat_t
	syscall.Stat(root, &after)
	if after.Ino != before.Ino || after.Mode != before.Mode || after.Uid != before.Uid || after.Gid != before.Gid {
		t.Fatalf("directory ino %d mode %o %d:%d, was %d %o %d:%d", after.Ino, after.Mode, after.Uid, after.Gid,
			before.Ino, before.Mode, before.Uid, before.Gid)
	}
	for _, name := range []string{layoutFile, indexFile, blobsDir, filepath.Join(blobsDir, "sha256")} {
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join(root, name), &st); err != nil || st.Uid != before.Uid {
			t.Errorf("%s: owner %d, %v; want %d", name, st.Uid, err, before.Uid)
		}
	}
	e := mustOpen(t, root)
	if idx, err := e.GetIndex(t.Context()); err != nil || len(idx.Manifests) != 0 {
		t.Fatalf("GetIndex = %+v, %v", idx, err)
	}
	if ents, _ := os.ReadDir(root); len(ents) != 3 {
		t.Fatalf("layout holds %v", ents)
	}
}

// TestCreateInRefusals: a layout is opened, not created again; a directory
// with anything CreateIn does not leave is refused and untouched.
func TestCreateInRefusals(t *testing.T) {
	tmp := t.TempDir()
	layout := filepath.Join(tmp, "layout")
	if err := Create(t.Context(), layout); err != nil {
		t.Fatal(err)
	}
	if err := CreateIn(t.Context(), layout); !errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
		t.Fatalf("CreateIn of a layout: %v", err)
	}
	for name, make := range map[string]func(string){
		"a file":           func(d string) { os.WriteFile(filepath.Join(d, "notes.txt"), nil, 0o644) },
		"a blob":           func(d string) { os.MkdirAll(filepath.Join(d, "blobs", "sha256", "x"), 0o755) },
		"a directory":      func(d string) { os.Mkdir(filepath.Join(d, "index.json"), 0o755) },
		"a temporary dir":  func(d string) { os.Mkdir(filepath.Join(d, ".lade-tmp-1"), 0o755) },
		"another blob dir": func(d string) { os.MkdirAll(filepath.Join(d, "blobs", "sha512"), 0o755) },
	} {
		d := filepath.Join(tmp, name)
		os.Mkdir(d, 0o755)
		make(d)
		if err := CreateIn(t.Context(), d); !errors.Is(err, syscall.ENOTEMPTY) {
			t.Errorf("%s: %v, want ENOTEMPTY", name, err)
		}
		if _, err := os.Stat(filepath.Join(d, layoutFile)); err == nil {
			t.Errorf("%s: a layout was made", name)
		}
	}
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, nil, 0o644)
	if err := CreateIn(t.Context(), file); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("a file: %v", err)
	}
}

// TestCreateCleansStaleInitDirs: the directory a killed Create built a
// layout in (not flocked) is removed by the next Create next to it; one
// that a live process holds is not.
func TestCreateCleansStaleInitDirs(t *testing.T) {
	parent := t.TempDir()
	stale := filepath.Join(parent, initPrefix+"1")
	os.MkdirAll(filepath.Join(stale, "blobs"), 0o755)
	live := filepath.Join(parent, initPrefix+"2")
	os.Mkdir(live, 0o755)
	f, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if err := Create(t.Context(), filepath.Join(parent, "layout")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stale init directory: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("live init directory: %v", err)
	}
}

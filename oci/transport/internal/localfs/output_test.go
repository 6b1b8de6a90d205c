package localfs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"golang.org/x/sys/unix"
)

// prepared resolves and prepares path with tempDir as the temporary
// directory; the stage and the output are released at the end of the test.
func prepared(t *testing.T, path, tempDir string) (*localfs.Output, *localfs.Stage) {
	t.Helper()
	o, err := localfs.ResolveOutput(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.Prepare(context.Background(), tempDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove(); o.Close() })
	return &o, s
}

func write(data string) func(context.Context, *os.File) error {
	return func(_ context.Context, f *os.File) error { _, err := f.WriteString(data); return err }
}

// setgidFile creates path with data, mode 02640, group nogroup as root.
func setgidFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(path, 0o640|os.ModeSetgid); err != nil {
		t.Fatal(err)
	}
}

func statOf(t *testing.T, path string) syscall.Stat_t {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestPrepareRename: a file in a directory this process may write is
// replaced by a rename (a new inode) that keeps its mode (setgid
// included), group and, as root, owner; the stage is next to it.
func TestPrepareRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.tar")
	setgidFile(t, path, "old")
	before := statOf(t, path)
	o, s := prepared(t, path, t.TempDir())
	if o.InPlace() || filepath.Dir(s.Dir()) != dir {
		t.Fatalf("in place %v, stage in %s", o.InPlace(), s.Dir())
	}
	if err := o.WriteFile(context.Background(), false, 3, write("new")); err != nil {
		t.Fatal(err)
	}
	after := statOf(t, path)
	if after.Ino == before.Ino {
		t.Fatal("the file was not replaced")
	}
	if after.Mode != before.Mode || after.Uid != before.Uid || after.Gid != before.Gid {
		t.Fatalf("mode %o %d:%d, was %o %d:%d", after.Mode, after.Uid, after.Gid, before.Mode, before.Uid, before.Gid)
	}
}

// TestPrepareInPlace: a file whose directory may not be written, or that
// is a mount point, is rewritten in place: same inode, owner and mode,
// the stage next to it when the directory allows, else in the temporary
// directory.
func TestPrepareInPlace(t *testing.T) {
	for _, tc := range []struct {
		name     string
		make     func(t *testing.T, path string)
		stageTmp bool
	}{
		{"unwritable directory", func(t *testing.T, path string) { ct.UnwritableDir(t, filepath.Dir(path)) }, true},
		{"mount point", func(t *testing.T, path string) { ct.BindMount(t, path) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, tempDir := t.TempDir(), t.TempDir()
			path := filepath.Join(dir, "a.tar")
			setgidFile(t, path, "the old content, longer than the new")
			tc.make(t, path)
			before := statOf(t, path)
			o, s := prepared(t, path, tempDir)
			if !o.InPlace() {
				t.Fatal("not rewritten in place")
			}
			if want := map[bool]string{true: tempDir, false: dir}[tc.stageTmp]; filepath.Dir(s.Dir()) != want {
				t.Fatalf("stage %s, want it in %s", s.Dir(), want)
			}
			if err := o.WriteFile(context.Background(), false, 3, write("new")); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != "new" {
				t.Fatalf("content %q", got)
			}
			after := statOf(t, path)
			if after.Ino != before.Ino || after.Mode != before.Mode || after.Uid != before.Uid || after.Gid != before.Gid {
				t.Fatalf("ino %d mode %o %d:%d, was %d %o %d:%d", after.Ino, after.Mode, after.Uid, after.Gid,
					before.Ino, before.Mode, before.Uid, before.Gid)
			}
		})
	}
}

// TestInPlaceRefusesOpenArchive: a file another process (or this copy's
// source) has open through oci/cas/archive, which holds a shared flock on
// it, is not rewritten in place under it: refused at once, not after the
// copy.
func TestInPlaceRefusesOpenArchive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.tar")
	os.WriteFile(path, []byte("old"), 0o644)
	ct.UnwritableDir(t, dir)
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if err := unix.Flock(int(reader.Fd()), unix.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	o, _ := localfs.ResolveOutput(path)
	if _, err := o.Prepare(context.Background(), t.TempDir()); err == nil || !strings.Contains(err.Error(), "cannot be rewritten in place") {
		t.Fatalf("Prepare of an archive open elsewhere: %v", err)
	}
}

// TestInPlaceFailures: a cancelled context or too little space leave the
// file untouched; a write that fails half way leaves it empty, never a
// new beginning followed by the old end, and says so.
func TestInPlaceFailures(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.tar")
	os.WriteFile(path, []byte("old"), 0o644)
	ct.UnwritableDir(t, dir)
	o, _ := prepared(t, path, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.WriteFile(ctx, false, 3, write("new")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if err := o.WriteFile(context.Background(), false, 1<<62, write("new")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("no space: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("after refusals: %q", got)
	}
	boom := errors.New("boom")
	err := o.WriteFile(context.Background(), false, 3, func(ctx context.Context, f *os.File) error {
		f.WriteString("ne")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "it is left empty") {
		t.Fatalf("failed write: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Fatalf("after a failed rewrite: %d bytes", fi.Size())
	}
}

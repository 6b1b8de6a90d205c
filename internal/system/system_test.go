package system

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestFileOps(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	f, err := CreateExcl(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := f.Chmod(0o4755); err != nil {
		t.Fatal(err)
	}
	mt := time.Unix(1234567890, 123456789)
	if err := f.SetTimes(mt, mt); err != nil {
		t.Fatal(err)
	}
	ino, err := f.Ino()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err == nil {
		t.Fatal("second close succeeded")
	}
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	if st.Ino != ino || st.Mode&0o7777 != 0o4755 || st.Size != 5 || st.Mtim.Nano() != mt.UnixNano() {
		t.Fatalf("stat = ino %d mode %o size %d mtime %d", st.Ino, st.Mode, st.Size, st.Mtim.Nano())
	}
	if _, err := CreateExcl(p, 0o600); err == nil {
		t.Fatal("exclusive create over existing file succeeded")
	}
	link := p + ".lnk"
	if err := os.Symlink("/nonexistent-target", link); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateExcl(link, 0o600); err == nil {
		t.Fatal("exclusive create through dangling symlink succeeded")
	}
	if err := Lutimes(link, mt, mt); err != nil {
		t.Fatal(err)
	}
}

func TestXattrs(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("v"), 1000)
	if err := Lsetxattr(p, "user.big", big); err != nil {
		if IsXattrUnsupported(err) {
			t.Skip("user xattrs unsupported here")
		}
		t.Fatal(err)
	}
	if err := Lsetxattr(p, "user.small", []byte("x")); err != nil {
		t.Fatal(err)
	}
	got, err := Lgetxattr(p, "user.big")
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Lgetxattr = %d bytes, %v", len(got), err)
	}
	names, err := Llistxattr(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "user.big") || !slices.Contains(names, "user.small") {
		t.Fatalf("Llistxattr = %q", names)
	}
	if err := Lremovexattr(p, "user.big"); err != nil {
		t.Fatal(err)
	}
	if _, err := Lgetxattr(p, "user.big"); !IsXattrMissing(err) {
		t.Fatalf("Lgetxattr after remove: %v", err)
	}
}

// TestTimespecNoWrap: times outside UnixNano's range (1678..2262) are not
// wrapped around, and sub-second precision is kept.
func TestTimespecNoWrap(t *testing.T) {
	for _, tm := range []time.Time{time.Unix(1<<40, 7), time.Unix(-(1 << 40), 0), time.Unix(-86401, 5e8), time.Unix(1_600_000_000, 123)} {
		ts := Timespec(tm)
		if ts.Sec != tm.Unix() || ts.Nsec != int64(tm.Nanosecond()) {
			t.Fatalf("Timespec(%v) = %+v", tm, ts)
		}
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Lutimes(p, time.Unix(1<<40, 0), time.Unix(1<<40, 0)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(p); err != nil || fi.ModTime().Year() < 2038 {
		t.Fatalf("far-future mtime stored as %v (%v)", fi.ModTime(), err)
	}
}

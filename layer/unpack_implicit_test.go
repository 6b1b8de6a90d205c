package layer

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/layer/layertest"
)

// TestUnpackImplicitDirTime: directories a layer creates without an entry
// get ImplicitDirTime; directories with an entry keep theirs, and a later
// layer writing into an implicit directory leaves its time alone.
func TestUnpackImplicitDirTime(t *testing.T) {
	sde := time.Unix(1_700_000_000, 0)
	explicit := time.Unix(1_500_000_000, 0)
	dirWithTime := layertest.Dir("srv")
	dirWithTime.ModTime = explicit
	file := layertest.File("usr/share/doc/f", "x")
	file.ModTime = explicit
	layers := [][]layertest.Entry{
		{file, dirWithTime, layertest.File("srv/a/b", "y")},
		{layertest.File("usr/share/g", "z")},
	}
	for _, tc := range []struct {
		name string
		opts *UnpackOptions
		want func(mtime time.Time) bool
	}{
		{"with ImplicitDirTime", &UnpackOptions{ImplicitDirTime: &sde}, func(m time.Time) bool { return m.Equal(sde) }},
		{"without: time of the unpack", nil, func(m time.Time) bool { return time.Since(m) < time.Hour }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := newRoot(t)
			mustUnpack(t, root, tc.opts, layers...)
			for _, d := range []string{"usr", "usr/share", "usr/share/doc", "srv/a"} {
				fi, _ := lstat(t, filepath.Join(root, d))
				if !tc.want(fi.ModTime()) {
					t.Errorf("%s: mtime %v", d, fi.ModTime())
				}
			}
			if fi, _ := lstat(t, filepath.Join(root, "srv")); !fi.ModTime().Equal(explicit) {
				t.Errorf("srv (has an entry): mtime %v, want %v", fi.ModTime(), explicit)
			}
		})
	}
}

// TestUnpackImplicitDirModeIgnoresUmask: missing parents are 0755 even
// under a restrictive umask (the mtree manifest must not depend on it).
func TestUnpackImplicitDirModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	root := newRoot(t)
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	mustUnpack(t, root, nil, []layertest.Entry{layertest.File("a/b/f", "x")})
	for _, d := range []string{"a", "a/b"} {
		if fi, _ := lstat(t, filepath.Join(root, d)); fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, want 0755", d, fi.Mode().Perm())
		}
	}
}

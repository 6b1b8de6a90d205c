package fseval

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/system"
)

// TestRoundTrip drives both implementations through the whole interface on a
// real directory (as whoever runs the tests; the rootless-specific recovery
// paths are exercised as an unprivileged user by the layer tests).
func TestRoundTrip(t *testing.T) {
	for name, rootless := range map[string]bool{"default": false, "rootless": true} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			fsys := NewIn(root, rootless)
			dir := filepath.Join(root, "d")
			if err := fsys.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := fsys.CreateExcl(filepath.Join(dir, "f"), 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("data")); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Symlink("f", filepath.Join(dir, "l")); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Link(filepath.Join(dir, "f"), filepath.Join(dir, "h")); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Mknod(filepath.Join(dir, "p"), 0o010644, 0, 0); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Chmod(filepath.Join(dir, "f"), 0o2750); err != nil {
				t.Fatal(err)
			}
			mt := time.Unix(1000, 5)
			if err := fsys.Lutimes(filepath.Join(dir, "l"), mt, mt); err != nil {
				t.Fatal(err)
			}
			fi, err := fsys.Lstat(filepath.Join(dir, "f"))
			if err != nil || fi.Mode()&(fs.ModePerm|fs.ModeSetgid) != 0o750|fs.ModeSetgid || fi.Size() != 4 {
				t.Fatalf("Lstat f = %v, %v", fi.Mode(), err)
			}
			li, err := fsys.Lstat(filepath.Join(dir, "l"))
			if err != nil || !li.ModTime().Equal(mt) {
				t.Fatalf("symlink mtime = %v, %v", li.ModTime(), err)
			}
			if tgt, err := fsys.Readlink(filepath.Join(dir, "l")); err != nil || tgt != "f" {
				t.Fatalf("Readlink = %q, %v", tgt, err)
			}
			names, err := fsys.Readdirnames(dir)
			slices.Sort(names)
			if err != nil || !slices.Equal(names, []string{"f", "h", "l", "p"}) {
				t.Fatalf("Readdirnames = %q, %v", names, err)
			}
			var walked []string
			err = fsys.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
				walked = append(walked, p)
				return err
			})
			if err != nil || len(walked) != 6 {
				t.Fatalf("WalkDir = %q, %v", walked, err)
			}
			if err := fsys.Lsetxattr(filepath.Join(dir, "f"), "user.k", []byte("v")); err == nil {
				v, err := fsys.Lgetxattr(filepath.Join(dir, "f"), "user.k")
				if err != nil || !bytes.Equal(v, []byte("v")) {
					t.Fatalf("Lgetxattr = %q, %v", v, err)
				}
				if err := fsys.Lremovexattr(filepath.Join(dir, "f"), "user.k"); err != nil {
					t.Fatal(err)
				}
			} else if !system.IsXattrUnsupported(err) {
				t.Fatal(err)
			}
			if _, err := fsys.CreateExcl(filepath.Join(dir, "l"), 0o644); !errors.Is(err, fs.ErrExist) {
				t.Fatalf("CreateExcl over symlink: %v", err)
			}
			if err := fsys.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(dir); !os.IsNotExist(err) {
				t.Fatalf("dir survived RemoveAll: %v", err)
			}
		})
	}
}

// TestNeverFollowOrBlock: Chmod refuses a final symlink (the target keeps
// its mode) and Readdirnames neither follows a symlink nor blocks on a FIFO.
func TestNeverFollowOrBlock(t *testing.T) {
	for name, rootless := range map[string]bool{"default": false, "rootless": true} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			fsys := NewIn(dir, rootless)
			target, link, fifo := filepath.Join(dir, "target"), filepath.Join(dir, "link"), filepath.Join(dir, "fifo")
			if err := os.Mkdir(target, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Mknod(fifo, 0o010644, 0, 0); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Chmod(link, 0o777); err == nil {
				t.Fatal("Chmod on a symlink succeeded")
			}
			if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o755 {
				t.Fatalf("symlink target mode %v, %v", fi.Mode(), err)
			}
			if err := fsys.Chmod(target, 0o1700); err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(target); fi.Mode()&(fs.ModePerm|fs.ModeSticky) != 0o700|fs.ModeSticky {
				t.Fatalf("Chmod dir mode %v", fi.Mode())
			}
			done := make(chan error, 2)
			go func() {
				_, err := fsys.Readdirnames(fifo)
				done <- err
				_, err = fsys.Readdir(fifo)
				done <- err
			}()
			for range 2 {
				select {
				case err := <-done:
					if err == nil {
						t.Fatal("listing a FIFO succeeded")
					}
				case <-time.After(10 * time.Second):
					t.Fatal("listing a FIFO blocked")
				}
			}
			if _, err := fsys.Readdirnames(link); err == nil {
				t.Fatal("Readdirnames followed a symlink")
			}
		})
	}
}

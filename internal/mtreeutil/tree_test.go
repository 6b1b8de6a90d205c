package mtreeutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vbatts/go-mtree"
	"golang.org/x/sys/unix"
)

// variedTree builds a tree exercising every keyword: files of several
// sizes, an empty file, hardlinks, symlinks, a fifo, odd names, special
// mode bits, xattrs on files and directories, nested directories.
func variedTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "rootfs")
	mkfile := func(rel, data string, mode os.FileMode) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := unix.Chmod(p, uint32(mode)); err != nil {
			t.Fatal(err)
		}
	}
	mkfile("hello.txt", "hi\n", 0o644)
	mkfile("empty", "", 0o600)
	mkfile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644)
	mkfile("usr/bin/tool", strings.Repeat("binary\x00", 5000), 0o4755)
	mkfile("usr/share/doc/a b\tc", "spaces", 0o644)
	mkfile("usr/share/doc/ünï*códe", "unicode", 0o644)
	mkfile("var/tmp/sticky/file", "x", 0o644)
	if err := unix.Chmod(filepath.Join(root, "var/tmp/sticky"), 0o1777); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		mkfile(filepath.Join("many", string(rune('a'+i%26))+strings.Repeat("x", i)), strings.Repeat("y", i*97), 0o644)
	}
	if err := os.Link(filepath.Join(root, "hello.txt"), filepath.Join(root, "usr/hello-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../etc/passwd", filepath.Join(root, "usr/passwd-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/absolute target", filepath.Join(root, "abs-link")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "empty-dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	setXattr(t, filepath.Join(root, "hello.txt"), "user.greeting", "hello")
	setXattr(t, filepath.Join(root, "etc"), "user.dir", "d\x00binary")
	if os.Getuid() == 0 {
		if err := os.Lchown(filepath.Join(root, "etc/passwd"), 1000, 1001); err != nil {
			t.Fatal(err)
		}
	}
	// Fixed times, so tar_time is the same across runs.
	stamp := time.Unix(1700000000, 123456789)
	_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode()&os.ModeSymlink == 0 {
			_ = os.Chtimes(p, stamp, stamp)
		}
		return nil
	})
	return root
}

// setXattr sets a user xattr, skipping the test when unsupported.
func setXattr(t *testing.T, path, name, value string) {
	t.Helper()
	if err := unix.Lsetxattr(path, name, []byte(value), 0); err != nil {
		if errors.Is(err, unix.ENOTSUP) {
			t.Skipf("user xattrs unsupported here: %v", err)
		}
		t.Fatal(err)
	}
}

// body renders dh without the comment header lines that vary between
// runs (user, machine, tree, date).
func body(t *testing.T, dh *mtree.DirectoryHierarchy) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := dh.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(buf.String(), "\n") {
		for _, h := range []string{"user: ", "machine: ", "tree: ", "date: "} {
			if strings.HasPrefix(line, "#") && strings.HasPrefix(strings.TrimLeft(line[1:], " "), h) {
				line = "<" + h + ">"
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

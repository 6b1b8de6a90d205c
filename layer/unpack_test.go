package layer

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/layer/layertest"
	"github.com/opencontainers/go-digest"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

func TestUnpackBasicTree(t *testing.T) {
	root := newRoot(t)
	mt := time.Unix(1_500_000_000, 123)
	mustUnpack(t, root, nil, []layertest.Entry{
		{Type: tar.TypeDir, Name: "etc/", Mode: 0o750, ModTime: mt},
		{Type: tar.TypeReg, Name: "etc/hosts", Content: "127.0.0.1 x\n", Mode: 0o640, ModTime: mt},
		{Type: tar.TypeReg, Name: "usr/bin/implicit", Content: "x", Mode: 0o755},
		layertest.Symlink("etc/link", "/etc/hosts"),
		{Type: tar.TypeReg, Name: "sticky", Mode: 0o1777},
	})
	if got := readFile(t, filepath.Join(root, "etc/hosts")); got != "127.0.0.1 x\n" {
		t.Fatalf("hosts = %q", got)
	}
	fi, _ := lstat(t, filepath.Join(root, "etc"))
	if fi.Mode().Perm() != 0o750 || !fi.ModTime().Equal(mt) {
		t.Fatalf("etc mode %v mtime %v (deferred dir metadata lost)", fi.Mode(), fi.ModTime())
	}
	fi, _ = lstat(t, filepath.Join(root, "etc/hosts"))
	if fi.Mode().Perm() != 0o640 || !fi.ModTime().Equal(mt) {
		t.Fatalf("hosts mode %v mtime %v", fi.Mode(), fi.ModTime())
	}
	if fi, _ = lstat(t, filepath.Join(root, "usr/bin")); !fi.IsDir() || fi.Mode().Perm() != 0o755 {
		t.Fatalf("implicit parent mode %v", fi.Mode())
	}
	if fi, _ = lstat(t, filepath.Join(root, "sticky")); fi.Mode()&os.ModeSticky == 0 {
		t.Fatalf("sticky bit lost: %v", fi.Mode())
	}
	if tgt, err := os.Readlink(filepath.Join(root, "etc/link")); err != nil || tgt != "/etc/hosts" {
		t.Fatalf("symlink = %q, %v", tgt, err)
	}
}

func TestUnpackOwnersAndSetuid(t *testing.T) {
	requireRoot(t)
	root := newRoot(t)
	opts := &UnpackOptions{MapOptions: MapOptions{
		UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 1000}},
		GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 200000, Size: 1000}},
	}}
	mustUnpack(t, root, opts, []layertest.Entry{
		{Type: tar.TypeReg, Name: "bin/su", Mode: 0o4755, UID: 5, GID: 6},
		{Type: tar.TypeReg, Name: "bin/sg", Mode: 0o2755, UID: 0, GID: 7},
		{Type: tar.TypeDir, Name: "home/u", Mode: 0o2770, UID: 9, GID: 9},
		{Type: tar.TypeSymlink, Name: "lnk", Link: "bin/su", UID: 3, GID: 4},
	})
	tests := []struct {
		name     string
		mode     os.FileMode
		uid, gid uint32
	}{
		{"bin/su", 0o755 | os.ModeSetuid, 100005, 200006},
		{"bin/sg", 0o755 | os.ModeSetgid, 100000, 200007},
		{"home/u", 0o770 | os.ModeSetgid | os.ModeDir, 100009, 200009},
	}
	for _, tc := range tests {
		fi, st := lstat(t, filepath.Join(root, tc.name))
		if fi.Mode() != tc.mode || st.Uid != tc.uid || st.Gid != tc.gid {
			t.Errorf("%s: mode %v owner %d:%d, want %v %d:%d", tc.name, fi.Mode(), st.Uid, st.Gid, tc.mode, tc.uid, tc.gid)
		}
	}
	if _, st := lstat(t, filepath.Join(root, "lnk")); st.Uid != 100003 || st.Gid != 200004 {
		t.Errorf("symlink owner %d:%d", st.Uid, st.Gid)
	}
	err := unpack(t, newRoot(t), opts, []layertest.Entry{{Type: tar.TypeReg, Name: "f", UID: 5000}})
	if err == nil || !strings.Contains(err.Error(), "not mapped") {
		t.Fatalf("unmapped uid: %v", err)
	}
}

func TestUnpackWhiteouts(t *testing.T) {
	lower := []layertest.Entry{
		layertest.Dir("a"), layertest.File("a/x", "old"), layertest.File("a/y", "keep"),
		layertest.Dir("a/sub"), layertest.File("a/sub/deep", "old"), layertest.File("gone", "g"),
	}
	tests := []struct {
		name  string
		layer []layertest.Entry
		want  map[string]string // path -> content ("" for dir listing check below)
		list  string            // listing of a/
		gone  []string
	}{
		{name: "whiteout before rewrite", layer: []layertest.Entry{layertest.Whiteout("a/.wh.x"), layertest.File("a/x", "new")},
			want: map[string]string{"a/x": "new", "a/y": "keep"}, list: "sub,x,y"},
		{name: "whiteout after rewrite", layer: []layertest.Entry{layertest.File("a/x", "new"), layertest.Whiteout("a/.wh.x")},
			want: map[string]string{"a/x": "new", "a/y": "keep"}, list: "sub,x,y"},
		{name: "opaque before", layer: []layertest.Entry{layertest.Whiteout("a/.wh..wh..opq"), layertest.File("a/z", "z")},
			want: map[string]string{"a/z": "z"}, list: "z"},
		{name: "opaque after", layer: []layertest.Entry{layertest.File("a/z", "z"), layertest.Whiteout("a/.wh..wh..opq")},
			want: map[string]string{"a/z": "z"}, list: "z"},
		{name: "opaque after nested write", layer: []layertest.Entry{layertest.File("a/sub/new", "n"), layertest.Whiteout("a/.wh..wh..opq")},
			want: map[string]string{"a/sub/new": "n"}, list: "sub", gone: []string{"a/sub/deep"}},
		{name: "dir whiteout after write inside", layer: []layertest.Entry{layertest.File("a/sub/new", "n"), layertest.Whiteout("a/.wh.sub")},
			want: map[string]string{"a/sub/new": "n"}, list: "sub,x,y", gone: []string{"a/sub/deep"}},
		{name: "whole dir", layer: []layertest.Entry{layertest.Whiteout(".wh.a"), layertest.Whiteout(".wh.gone")},
			gone: []string{"a", "gone"}},
		{name: "missing is noop", layer: []layertest.Entry{layertest.Whiteout("a/.wh.nope"), layertest.Whiteout("nodir/.wh.x"), layertest.Whiteout("nodir/.wh..wh..opq")},
			want: map[string]string{"a/x": "old"}, list: "sub,x,y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := newRoot(t)
			mustUnpack(t, root, nil, lower, tc.layer)
			for p, c := range tc.want {
				if got := readFile(t, filepath.Join(root, p)); got != c {
					t.Errorf("%s = %q, want %q", p, got, c)
				}
			}
			if tc.list != "" {
				if got := listDir(t, filepath.Join(root, "a")); got != tc.list {
					t.Errorf("a/ = %s, want %s", got, tc.list)
				}
			}
			for _, p := range tc.gone {
				assertMissing(t, filepath.Join(root, p))
			}
		})
	}
}

func TestUnpackReplacements(t *testing.T) {
	root := newRoot(t)
	mustUnpack(t, root, nil,
		[]layertest.Entry{layertest.Dir("a"), layertest.File("a/x", "1"), layertest.File("f", "file"), layertest.Symlink("s", "a")},
		[]layertest.Entry{layertest.File("a", "now a file"), layertest.File("f/child", "c"), layertest.Dir("s")},
	)
	if got := readFile(t, filepath.Join(root, "a")); got != "now a file" {
		t.Fatalf("dir->file: %q", got)
	}
	if got := readFile(t, filepath.Join(root, "f/child")); got != "c" {
		t.Fatalf("file parent -> dir: %q", got)
	}
	if fi, _ := lstat(t, filepath.Join(root, "s")); !fi.IsDir() {
		t.Fatalf("symlink not replaced by dir: %v", fi.Mode())
	}
	mustUnpack(t, root, nil, []layertest.Entry{layertest.Dir("a"), layertest.File("a/y", "y")})
	if got := listDir(t, filepath.Join(root, "a")); got != "y" {
		t.Fatalf("file->dir: a/ = %s", got)
	}
	// dir on dir keeps contents
	mustUnpack(t, root, nil, []layertest.Entry{{Type: tar.TypeDir, Name: "a", Mode: 0o700}})
	if got := listDir(t, filepath.Join(root, "a")); got != "y" {
		t.Fatalf("dir->dir lost contents: %s", got)
	}
}

func TestUnpackKeepDirlinks(t *testing.T) {
	lower := []layertest.Entry{layertest.Dir("real"), layertest.Symlink("link", "/real"), layertest.Symlink("dangling", "/nope")}
	upper := []layertest.Entry{layertest.Dir("link"), layertest.File("link/f", "f"), layertest.Dir("dangling")}
	for _, keep := range []bool{true, false} {
		root := newRoot(t)
		mustUnpack(t, root, &UnpackOptions{KeepDirlinks: keep}, lower, upper)
		fi, _ := lstat(t, filepath.Join(root, "link"))
		if isLink := fi.Mode()&os.ModeSymlink != 0; isLink != keep {
			t.Fatalf("keep=%v: link mode %v", keep, fi.Mode())
		}
		if keep && readFile(t, filepath.Join(root, "real/f")) != "f" {
			t.Fatal("write through kept dirlink missing")
		}
		if fi, _ := lstat(t, filepath.Join(root, "dangling")); !fi.IsDir() {
			t.Fatalf("keep=%v: dangling symlink kept for dir entry", keep)
		}
	}
}

// TestUnpackKeepDirlinksLoop is umoci's keep-dirlinks case: a directory
// entry meets a symlink that loops (loop1 -> loop2 -> loop3 -> link2/loop4,
// link2 -> link -> dir, dir/loop4 -> ../loop1). It is no dirlink: the
// symlink is replaced by the directory; the other links stay and real
// dirlinks are still written through.
func TestUnpackKeepDirlinksLoop(t *testing.T) {
	lower := []layertest.Entry{
		layertest.Dir("dir"), layertest.File("dir/a", ""), layertest.Symlink("link", "dir"), layertest.Symlink("link2", "link"),
		layertest.Symlink("loop1", "loop2"), layertest.Symlink("loop2", "loop3"), layertest.Symlink("loop3", "link2/loop4"),
		layertest.Symlink("dir/loop4", "../loop1"),
	}
	upper := []layertest.Entry{
		layertest.Dir("link"), layertest.File("link/b", ""), layertest.Dir("link2"), layertest.File("link2/c", ""),
		layertest.Dir("loop1"), layertest.File("loop1/broken", ""),
	}
	root := newRoot(t)
	mustUnpack(t, root, &UnpackOptions{KeepDirlinks: true}, lower, upper)
	if got := listDir(t, filepath.Join(root, "dir")); got != "a,b,c,loop4" {
		t.Errorf("dir/ = %s", got)
	}
	if fi, _ := lstat(t, filepath.Join(root, "loop1")); !fi.IsDir() {
		t.Errorf("looping loop1 not replaced by a directory: %v", fi.Mode())
	}
	if got := listDir(t, filepath.Join(root, "loop1")); got != "broken" {
		t.Errorf("loop1/ = %s", got)
	}
	for link, want := range map[string]string{"link": "dir", "link2": "link", "loop2": "loop3", "loop3": "link2/loop4", "dir/loop4": "../loop1"} {
		if got, err := os.Readlink(filepath.Join(root, link)); err != nil || got != want {
			t.Errorf("%s -> %q (%v), want %q", link, got, err, want)
		}
	}
}

func TestUnpackHardlinks(t *testing.T) {
	root := newRoot(t)
	mustUnpack(t, root, nil, []layertest.Entry{
		layertest.File("a", "content"), layertest.Hardlink("b", "a"), layertest.Hardlink("dir/c", "/a"),
		layertest.Symlink("s", "a"), layertest.Hardlink("hs", "s"),
	})
	_, sa := lstat(t, filepath.Join(root, "a"))
	for _, p := range []string{"b", "dir/c"} {
		if _, st := lstat(t, filepath.Join(root, p)); st.Ino != sa.Ino {
			t.Fatalf("%s not linked to a", p)
		}
	}
	if fi, _ := lstat(t, filepath.Join(root, "hs")); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("hardlink to symlink followed it: %v", fi.Mode())
	}
	if err := unpack(t, root, nil, []layertest.Entry{layertest.Hardlink("x", "missing")}); err == nil {
		t.Fatal("hardlink to missing target succeeded")
	}
}

func TestUnpackNodes(t *testing.T) {
	requireRoot(t)
	root := newRoot(t)
	mustUnpack(t, root, nil, []layertest.Entry{
		{Type: tar.TypeChar, Name: "dev/null", Major: 1, Minor: 3, Mode: 0o666},
		{Type: tar.TypeBlock, Name: "dev/loop0", Major: 7, Minor: 0, Mode: 0o660},
		{Type: tar.TypeFifo, Name: "fifo", Mode: 0o600},
	})
	checks := map[string]os.FileMode{"dev/null": os.ModeDevice | os.ModeCharDevice | 0o666, "dev/loop0": os.ModeDevice | 0o660, "fifo": os.ModeNamedPipe | 0o600}
	for p, m := range checks {
		if fi, _ := lstat(t, filepath.Join(root, p)); fi.Mode() != m {
			t.Errorf("%s mode %v, want %v", p, fi.Mode(), m)
		}
	}
	if _, st := lstat(t, filepath.Join(root, "dev/null")); st.Rdev != 0x103 {
		t.Errorf("dev/null rdev %#x", st.Rdev)
	}
}

func TestUnpackXattrs(t *testing.T) {
	root := newRoot(t)
	x := map[string]string{"user.keep": "v1", "security.selinux": "system_u:object_r:etc_t:s0"}
	err := unpack(t, root, nil, []layertest.Entry{{Type: tar.TypeReg, Name: "f", Xattrs: x}, {Type: tar.TypeDir, Name: "d", Xattrs: x}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := lgetxattr(filepath.Join(root, "f"), "user.keep"); err != nil {
		t.Skipf("user xattrs unavailable: %v", err)
	} else if got != "v1" {
		t.Fatalf("user.keep = %q", got)
	}
	if got, _ := lgetxattr(filepath.Join(root, "f"), "security.selinux"); got == x["security.selinux"] {
		t.Fatal("security.selinux applied")
	}
	mustUnpack(t, root, nil, []layertest.Entry{{Type: tar.TypeDir, Name: "d", Xattrs: map[string]string{"user.other": "o"}}})
	if _, err := lgetxattr(filepath.Join(root, "d"), "user.keep"); err == nil {
		t.Fatal("dir-on-dir kept old xattr")
	}
	if got, _ := lgetxattr(filepath.Join(root, "d"), "user.other"); got != "o" {
		t.Fatalf("user.other = %q", got)
	}
}

func TestUnpackTimes(t *testing.T) {
	root := newRoot(t)
	t1, t2 := time.Unix(1_000_000_000, 0), time.Unix(1_100_000_000, 42)
	mustUnpack(t, root, nil, []layertest.Entry{
		{Type: tar.TypeDir, Name: "d", ModTime: t1},
		{Type: tar.TypeReg, Name: "d/f", ModTime: t2, AccessTime: t1},
		{Type: tar.TypeSymlink, Name: "d/l", Link: "f", ModTime: t2},
	})
	mustUnpack(t, root, nil, []layertest.Entry{layertest.File("d/g", "later"), layertest.Whiteout("d/.wh.f")})
	if fi, _ := lstat(t, filepath.Join(root, "d")); !fi.ModTime().Equal(t1) {
		t.Fatalf("d mtime %v, want %v (deferred/restored)", fi.ModTime(), t1)
	}
	if fi, _ := lstat(t, filepath.Join(root, "d/l")); !fi.ModTime().Equal(t2) {
		t.Fatalf("symlink mtime %v", fi.ModTime())
	}
}

func TestUnpackBadInput(t *testing.T) {
	tests := map[string][]layertest.Entry{
		"short content": {{Type: tar.TypeReg, Name: "f", Content: "abc", Size: 10}},
		"unknown type":  {{Type: tar.TypeCont, Name: "c"}},
		"bad owner":     {{Type: tar.TypeReg, Name: "f", UID: -1}},
	}
	for name, l := range tests {
		t.Run(name, func(t *testing.T) {
			if err := unpack(t, newRoot(t), nil, l); err == nil {
				t.Fatal("unpack succeeded")
			}
		})
	}
	if err := UnpackLayer(t.Context(), newRoot(t), strings.NewReader("garbage that is not a tar stream at all"), nil); err == nil {
		t.Fatal("garbage accepted")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := UnpackLayer(ctx, newRoot(t), bytes.NewReader(layertest.Tar(t, layertest.File("f", "x"))), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) { n, err := c.r.Read(p); c.n += n; return n, err }

func TestUnpackDigestsAndTrailingData(t *testing.T) {
	root := newRoot(t)
	data := append(layertest.Tar(t, layertest.File("a", "hello"), layertest.File("b", ""), layertest.File("a", "rewritten")), make([]byte, 4096)...)
	cr := &countingReader{r: bytes.NewReader(data)}
	cache := &DigestCache{}
	if err := UnpackLayer(t.Context(), root, cr, &UnpackOptions{Digests: cache}); err != nil {
		t.Fatal(err)
	}
	if cr.n != len(data) {
		t.Fatalf("consumed %d of %d bytes", cr.n, len(data))
	}
	for name, content := range map[string]string{"a": "rewritten", "b": ""} {
		_, st := lstat(t, filepath.Join(root, name))
		d, ok := cache.Lookup(st.Ino, st.Size)
		want := digest.NewDigestFromBytes(digest.SHA256, func() []byte { s := sha256.Sum256([]byte(content)); return s[:] }())
		if !ok || d != want {
			t.Fatalf("%s digest = %v, %v; want %v", name, d, ok, want)
		}
		if _, ok := cache.Lookup(st.Ino, st.Size+1); ok {
			t.Fatal("lookup with wrong size hit")
		}
	}
}

func TestDigestCacheRecord(t *testing.T) {
	var c DigestCache
	a, b := digest.FromString("a"), digest.FromString("b")
	c.Record(7, 1, a)
	c.Record(7, 1, b) // an inode reused: the latest wins
	c.Record(8, 1, "sha512:"+digest.Digest(strings.Repeat("0", 128)))
	c.Record(9, 1, "sha256:zz")
	if d, ok := c.Lookup(7, 1); !ok || d != b {
		t.Errorf("Lookup(7) = %v, %v; want %v", d, ok, b)
	}
	for _, ino := range []uint64{8, 9, 10} {
		if d, ok := c.Lookup(ino, 1); ok {
			t.Errorf("Lookup(%d) = %v: invalid sha256 digests must not be recorded", ino, d)
		}
	}
	if c.Len() != 1 {
		t.Errorf("Len = %d, want 1", c.Len())
	}
}

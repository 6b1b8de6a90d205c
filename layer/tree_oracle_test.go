package layer

import (
	"archive/tar"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// treeCase is a layer sequence for the oracle: entries per layer, or a raw
// tar stream (sparse entries) when raw is set.
type treeCase struct {
	name      string
	layers    [][]layertest.Entry
	raw       func(t *testing.T) [][]byte
	wantErr   bool
	needsRoot bool // unpack as root (devices, EPERM that rootless unpack ignores, unreadable dirs)
}

func user(e layertest.Entry, kv ...string) layertest.Entry {
	e.Xattrs = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Xattrs[kv[i]] = kv[i+1]
	}
	return e
}

func owned(e layertest.Entry, uid, gid int, mode int64) layertest.Entry {
	e.UID, e.GID, e.Mode = uid, gid, mode
	return e
}

var treeCases = []treeCase{
	{name: "basic", layers: [][]layertest.Entry{{
		layertest.Dir("etc"), owned(layertest.File("etc/passwd", "root:x:0:0"), 0, 0, 0o644),
		owned(layertest.File("usr/bin/su", "su"), 0, 0, 0o4755), owned(layertest.Dir("tmp"), 0, 0, 0o1777),
		owned(layertest.File("home/u/f", "mine"), 1000, 1000, 0o600), user(layertest.File("x", "x"), "user.a", "1", "user.b", ""),
		layertest.Symlink("etc/link", "passwd"), user(layertest.Dir("xd"), "user.d", "dir"),
		{Type: tar.TypeFifo, Name: "run/fifo", Mode: 0o620}, user(layertest.Symlink("sl", "x"), "user.s", "dropped"),
	}}},
	{name: "devices", needsRoot: true, layers: [][]layertest.Entry{{
		{Type: tar.TypeChar, Name: "dev/null", Mode: 0o666, Major: 1, Minor: 3},
		{Type: tar.TypeBlock, Name: "dev/sda", Mode: 0o660, Major: 8, Minor: 0, GID: 6},
	}, {{Type: tar.TypeChar, Name: "dev/null", Mode: 0o600, Major: 1, Minor: 5}}}},
	{name: "whiteouts", layers: [][]layertest.Entry{{
		layertest.File("a/f", "1"), layertest.File("a/g", "2"), layertest.File("b/sub/f", "3"),
		layertest.File("o/old", "4"), layertest.Dir("o/olddir"), layertest.File("o/olddir/x", "5"), layertest.File("keep", "k"),
	}, {
		layertest.Whiteout("a/.wh.f"), layertest.Whiteout(".wh.b"), layertest.File("o/new", "6"),
		layertest.Whiteout("o/.wh..wh..opq"), layertest.Whiteout(".wh.missing"), layertest.Whiteout("nodir/.wh.x"),
		layertest.File("w/same", "upper"), layertest.Whiteout("w/.wh.same"), layertest.Whiteout("o/olddir/.wh..wh..opq"),
	}, {
		layertest.File("keep/../keep2", "k2"), layertest.File("w/more", "m"), layertest.Whiteout(".wh.w"), layertest.File("w/late", "l"),
	}}},
	{name: "symlinked parents", layers: [][]layertest.Entry{{
		layertest.Dir("etc"), layertest.Symlink("abs", "/etc"), layertest.Symlink("rel", "../../etc"),
		layertest.Symlink("dangling", "/new/deep"), layertest.File("file", "f"), layertest.Symlink("viafile", "/file/sub"),
		layertest.Symlink("chain", "abs/../rel"), layertest.Symlink("d/up", "../.."),
	}, {
		layertest.File("abs/f1", "1"), layertest.File("rel/f2", "2"), layertest.File("dangling/f3", "3"),
		layertest.File("viafile/f4", "4"), layertest.File("chain/f5", "5"), layertest.File("d/up/d/up/f6", "6"),
		layertest.File("/../../abs/./f7", "7"), layertest.Whiteout("abs/.wh.f1"), layertest.Dir("abs"),
	}}},
	{name: "hardlinks", layers: [][]layertest.Entry{{
		owned(layertest.File("bin/busybox", "bb"), 0, 0, 0o755), layertest.Hardlink("bin/sh", "bin/busybox"),
		layertest.Symlink("b", "/bin"), layertest.Hardlink("bin/ls", "b/busybox"), layertest.Symlink("s", "bin/sh"),
		layertest.Hardlink("hs", "s"), layertest.Hardlink("bin/sh", "/bin/sh"), layertest.File("dir/x", "x"),
		layertest.Hardlink("dir", "bin/ls"),
	}, {
		layertest.File("bin/busybox", "bb2"), layertest.Hardlink("bin/cat", "bin/busybox"),
	}}},
	{name: "replacement", layers: [][]layertest.Entry{{
		layertest.File("d/f", "1"), layertest.File("f", "2"), layertest.Symlink("l", "d"), layertest.Dir("e"),
		layertest.File("e", "now a file"), layertest.File("e2/x", "x"), layertest.File("e2", "file"),
	}, {
		layertest.File("d", "file now"), layertest.Dir("f"), layertest.File("f/inner", "3"), layertest.Dir("l"),
		layertest.File("e/y", "y"), owned(layertest.Dir("e"), 5, 6, 0o700),
	}, {
		owned(layertest.Dir("/"), 0, 0, 0o750), layertest.Dir("."), owned(layertest.Dir("f"), 1, 2, 0o711),
	}}},
	{name: "implicit parents", layers: [][]layertest.Entry{{
		layertest.File("a/b/c/d", "deep"), owned(layertest.Dir("a/b"), 7, 7, 0o700), layertest.File("a/b/e", "e"),
	}}},
	{name: "sparse", raw: func(t *testing.T) [][]byte {
		frags := []sparseFrag{{off: 0, data: "head"}, {off: 3 << 20, data: "tail"}}
		return [][]byte{sparseTar(t, "pax1.0", "sp/pax", 4<<20, frags), gnuSparseTar(t, "sp/gnu", 1<<20, frags[:1])}
	}},
	{name: "symlink loop", wantErr: true, layers: [][]layertest.Entry{{
		layertest.Symlink("l1", "l2"), layertest.Symlink("l2", "/l1"), layertest.File("l1/x", ""),
	}}},
	{name: "hardlink to missing", wantErr: true, layers: [][]layertest.Entry{{layertest.Hardlink("h", "nothere")}}},
	{name: "hardlink to dir", wantErr: true, layers: [][]layertest.Entry{{layertest.Dir("d"), layertest.Hardlink("h", "d")}}},
	{name: "hardlink under itself", wantErr: true, layers: [][]layertest.Entry{{layertest.File("d/t", "t"), layertest.Hardlink("d", "d/t")}}},
	{name: "breakout whiteout", wantErr: true, layers: [][]layertest.Entry{{layertest.Whiteout("a/.wh..."), layertest.File("a/x", "")}}},
	{name: "root not dir", wantErr: true, layers: [][]layertest.Entry{{layertest.File(".", "")}}},
	{name: "fifo user xattr", wantErr: true, needsRoot: true, layers: [][]layertest.Entry{{user(layertest.Entry{Type: tar.TypeFifo, Name: "p"}, "user.x", "1")}}},
	{name: "short content", wantErr: true, layers: [][]layertest.Entry{{{Type: tar.TypeReg, Name: "f", Content: "abc", Size: 10}}}},
}

// TestTreeMatchesUnpack is the oracle: the in-memory tree must describe
// exactly what UnpackLayer leaves on disk, and fail where it fails.
func TestTreeMatchesUnpack(t *testing.T) {
	o := newOracle(t)
	for _, tc := range treeCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needsRoot && o.rootless {
				t.Skip("needs root")
			}
			var layers [][]byte
			if tc.raw != nil {
				layers = tc.raw(t)
			}
			for _, l := range tc.layers {
				layers = append(layers, layertest.Tar(t, l...))
			}
			root, tree, diskErr, treeErr := o.apply(t, layers)
			if (diskErr != nil) != tc.wantErr || (treeErr != nil) != tc.wantErr {
				t.Fatalf("unpack error %v, tree error %v; want error %v", diskErr, treeErr, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			o.agree(t, root, tree)
		})
	}
}

func TestTreeLoopError(t *testing.T) {
	tree := NewTree()
	l := layertest.Tar(t, layertest.Symlink("a", "b"), layertest.Symlink("b", "a"), layertest.File("a/x", ""))
	err := tree.ApplyLayer(t.Context(), strings.NewReader(string(l)))
	if !errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("ApplyLayer = %v, want a one-line ELOOP error", err)
	}
}

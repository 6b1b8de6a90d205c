package layer

import (
	"archive/tar"
	"time"

	"github.com/lade-oci/lade/layer/layertest"
)

// timed sets e's modification time.
func timed(e layertest.Entry, t time.Time) layertest.Entry {
	e.ModTime = t
	return e
}

// treeEdgeCases are the layer-semantics corners of the review of the tree
// against UnpackLayer; TestTreeMatchesUnpack runs them with treeCases.
var treeEdgeCases = []treeCase{
	{name: "whiteout through symlinked parent", layers: [][]layertest.Entry{{
		layertest.File("real/f", "1"), layertest.File("real/g", "2"), layertest.Symlink("link", "/real"),
		layertest.Symlink("rel", "real"), layertest.Dir("real/sub"), layertest.File("real/sub/x", "x"),
	}, {
		layertest.Whiteout("link/.wh.f"), layertest.Whiteout("rel/sub/.wh..wh..opq"), layertest.Whiteout(".wh.rel"),
	}}},
	{name: "opaque on a dir created earlier in the layer", layers: [][]layertest.Entry{{
		layertest.File("d/lower", "l"), layertest.File("e/lower", "l"),
	}, {
		layertest.Dir("d"), layertest.File("d/new", "n"), layertest.Whiteout("d/.wh..wh..opq"),
		layertest.Whiteout("e/.wh..wh..opq"), layertest.Dir("e"), layertest.File("e/new", "n"),
	}}},
	{name: "opaque before the dir exists", layers: [][]layertest.Entry{{
		layertest.File("d", "file"),
	}, {
		layertest.Whiteout("d/.wh..wh..opq"), layertest.Dir("d"), layertest.File("d/x", "x"),
		layertest.Whiteout("n/.wh..wh..opq"), layertest.File("n/y", "y"),
	}}},
	{name: "whiteout and re-create in one layer", layers: [][]layertest.Entry{{
		layertest.File("a", "1"), layertest.File("b", "2"), layertest.File("c/x", "x"), layertest.File("e/x", "x"),
	}, {
		layertest.Whiteout(".wh.a"), layertest.File("a", "new a"), layertest.File("b", "new b"), layertest.Whiteout(".wh.b"),
		layertest.Whiteout(".wh.c"), layertest.Dir("c"), layertest.Dir("e"), layertest.Whiteout(".wh.e"),
		layertest.File("e/y", "y"),
	}}},
	{name: "root whiteouts", layers: [][]layertest.Entry{{
		layertest.File("a", "1"), layertest.File("d/b", "2"),
	}, {
		layertest.File("keep", "k"), layertest.Whiteout(".wh..wh..opq"), layertest.File("late", "l"),
		layertest.Whiteout("/./x/../.wh.nothing"),
	}}},
	{name: "root whiteout dot", wantErr: true, layers: [][]layertest.Entry{{layertest.Whiteout(".wh..")}}},
	{name: "root whiteout dotdot", wantErr: true, layers: [][]layertest.Entry{{layertest.Whiteout("/.wh...")}}},
	{name: "root whiteout empty", wantErr: true, layers: [][]layertest.Entry{{layertest.Whiteout(".wh.")}}},
	{name: "hardlink to a path whited out later", layers: [][]layertest.Entry{{
		owned(layertest.File("f", "content"), 3, 4, 0o640), layertest.File("d/g", "g"),
	}, {
		layertest.Hardlink("h", "f"), layertest.Whiteout(".wh.f"), layertest.Hardlink("h2", "d/g"),
		layertest.Whiteout(".wh.d"), layertest.File("f2", "v1"), layertest.Hardlink("h3", "f2"),
		layertest.File("f2", "v2"),
	}}},
	{name: "hardlink chain", layers: [][]layertest.Entry{{
		user(owned(layertest.File("a", "x"), 1, 2, 0o4750), "user.k", "v"), layertest.Hardlink("b", "a"),
		layertest.Hardlink("c", "b"), layertest.Hardlink("d/e", "c"), layertest.Symlink("s", "a"),
		layertest.Hardlink("t", "s"),
	}, {
		layertest.Hardlink("a", "d/e"), layertest.Hardlink("c", "./b/../a"),
	}}},
	{name: "file replaces a dir with lower children", layers: [][]layertest.Entry{{
		layertest.Dir("d"), layertest.File("d/a", "1"), layertest.File("d/sub/b", "2"), layertest.Symlink("s", "d"),
	}, {
		layertest.File("d", "file"), layertest.File("s/x", "through dangling"),
	}}},
	{name: "dir replaces a symlink to a dir", layers: [][]layertest.Entry{{
		layertest.File("real/f", "1"), layertest.Symlink("l", "real"), layertest.Symlink("l2", "/real"),
	}, {
		owned(layertest.Dir("l"), 1, 1, 0o700), layertest.File("l/g", "g"), layertest.File("l2/h", "h"), layertest.Dir("l2"),
	}}},
	{name: "odd names", layers: [][]layertest.Entry{{
		layertest.File("a/./b", "1"), layertest.File("a//c", "2"), layertest.Dir("d/"), layertest.Dir("./f//g/./"), layertest.File("../../h", "4"), layertest.Whiteout("a//.wh.b"),
	}, {
		layertest.Whiteout("a/./.wh.c"), layertest.Whiteout("f//.wh..wh..opq"),
	}}},
	{name: "mode bits", needsRoot: true, layers: [][]layertest.Entry{{
		owned(layertest.File("suid", "s"), 0, 0, 0o104755), owned(layertest.File("sgid", "s"), 0, 5, 0o2711),
		owned(layertest.Dir("sticky"), 0, 0, 0o41777), owned(layertest.Dir("sgdir"), 3, 3, 0o2770),
		owned(layertest.File("none", "n"), 0, 0, layertest.ModeNone), owned(layertest.Dir("nodir"), 0, 0, layertest.ModeNone),
		owned(layertest.File("high", "h"), 0, 0, 0o777777), {Type: tar.TypeFifo, Name: "fifo", Mode: 0o17666},
		owned(layertest.File("nodir/x", "x"), 0, 0, 0o4000),
	}}},
	{name: "large ids", layers: [][]layertest.Entry{{
		owned(layertest.File("big", "b"), 1<<31, 1<<31+7, 0o644), owned(layertest.Dir("d"), 4294967294, 65534, 0o755),
		owned(layertest.Symlink("l", "big"), 100000, 100000, 0o777),
	}}},
	{name: "ids out of range", wantErr: true, layers: [][]layertest.Entry{{owned(layertest.File("f", ""), 4294967295, 0, 0o644)}}},
	{name: "sub-second times", layers: [][]layertest.Entry{{
		timed(layertest.File("f", "f"), time.Unix(1_600_000_000, 123456789)),
		timed(layertest.Dir("d"), time.Unix(1_600_000_001, 987654321)),
		timed(layertest.Symlink("l", "f"), time.Unix(1_600_000_002, 1)),
		timed(layertest.File("d/x", "x"), time.Unix(1_600_000_003, 500)),
		timed(layertest.File("old", "o"), time.Unix(-1_000_000, 250_000_000)),
	}}},
	{name: "dir xattrs in two layers", layers: [][]layertest.Entry{{
		user(layertest.Dir("d"), "user.a", "1", "user.b", "2"), layertest.File("d/f", "f"),
		user(layertest.File("x", "x"), "user.a", "1"),
	}, {
		user(layertest.Dir("d"), "user.b", "3", "user.c", "4"), user(layertest.File("x", "y"), "user.c", "1"),
	}, {
		layertest.Dir("d"),
	}}},
	{name: "dir redeclared keeps children", layers: [][]layertest.Entry{{
		owned(layertest.Dir("d"), 0, 0, 0o755), layertest.File("d/a", "a"), layertest.File("d/s/b", "b"),
	}, {
		timed(owned(layertest.Dir("d"), 5, 5, 0o700), layertest.Epoch.Add(time.Hour)), owned(layertest.Dir("d/s"), 1, 1, 0o1777),
	}}},
	{name: "nested lower children under an opaque dir", layers: [][]layertest.Entry{{
		layertest.Dir("d"), layertest.Dir("d/sub"), layertest.File("d/sub/lower", "l"), layertest.Dir("d/sub/deep"),
		layertest.File("d/sub/deep/x", "x"),
	}, {
		layertest.File("d/sub/deep/y", "y"), layertest.Whiteout("d/.wh..wh..opq"),
	}}},
}

func init() { treeCases = append(treeCases, treeEdgeCases...) }
